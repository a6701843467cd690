package io.tarn.local;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tarn.embedded.EmbeddedS3;
import io.tarn.pipeline.Dataset;
import io.tarn.pipeline.PipelineConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.net.BindException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * {@code tarn up}: the local lake's S3 endpoint kept open on 127.0.0.1, and every new object of
 * the raw bucket handed to the RawObject handler as its S3 notification would be, so that any S3
 * client can upload raw files and read staging.
 *
 * <p>S3Proxy sends no notifications, so a watcher lists the raw bucket every
 * {@link #SCAN_INTERVAL}. Each object version (key, ETag, last-modified time: a put of the same
 * bytes again is a new version, as S3 notifies every put) is handed over once; the state table's
 * ledger then answers "already processed" for content it has converted before, as in AWS.
 */
public final class LocalUp implements AutoCloseable {

    public static final int DEFAULT_PORT = 8765;
    static final Duration SCAN_INTERVAL = Duration.ofMillis(500);
    /** How long {@link #close()} lets a conversion in progress finish before interrupting it. */
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(60);

    private final LocalLake lake;
    private final PipelineConfig pipeline;
    private final RawObjectIngest ingest;
    private final PrintStream out;
    private final ScheduledExecutorService watcher;
    /** Key to the version last handed over (or reported as outside every dataset). */
    private final Map<String, String> handed = new HashMap<>();
    private boolean listingFailed;
    /** Set by close without the scan lock, so that a scan in progress stops after its current object. */
    private final AtomicBoolean closed = new AtomicBoolean();

    private LocalUp(LocalLake lake, PipelineConfig pipeline, PrintStream out, PrintStream logs) {
        this.lake = lake;
        this.pipeline = pipeline;
        this.ingest = new RawObjectIngest(lake, pipeline, logs);
        this.out = out;
        this.watcher = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "tarn-up-watcher");
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * Starts the lake under {@code dir} with its S3 endpoint on {@code port} (0 picks a free one),
     * prints the endpoint, credentials and examples to {@code out}, and starts watching the raw
     * bucket. One line per handed object goes to {@code out}; the handler's logs to {@code logs}.
     *
     * @throws IllegalStateException when the port is in use
     */
    public static LocalUp start(Path dir, int port, PipelineConfig pipeline, PrintStream out, PrintStream logs)
            throws IOException {
        requireNonNull(dir, "dir is null");
        requireNonNull(pipeline, "pipeline is null");
        requireNonNull(out, "out is null");
        requireNonNull(logs, "logs is null");
        LocalLake lake;
        try {
            lake = LocalLake.open(dir, port);
        } catch (IllegalStateException e) {
            if (causedByBind(e)) {
                throw new IllegalStateException("port " + port + " is in use; choose another with --port", e);
            }
            throw e;
        }
        LocalUp up = new LocalUp(lake, pipeline, out, logs);
        up.printBanner();
        up.watcher.scheduleWithFixedDelay(up::scan, 0, SCAN_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
        return up;
    }

    /** The URI S3 clients should use as their endpoint. */
    public URI endpoint() {
        return lake.s3Server().endpoint();
    }

    /** The lake being served, for reading it back in tests. */
    LocalLake lake() {
        return lake;
    }

    /**
     * Blocks until the JVM shuts down (Ctrl-C), then closes the watcher and the server and prints
     * {@code tarn up: stopped}.
     */
    void runUntilShutdown() throws InterruptedException {
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                close();
                out.println("tarn up: stopped");
            } finally {
                stopped.countDown();
            }
        }, "tarn-up-stop"));
        stopped.await();
    }

    /**
     * Lists the raw bucket once and hands over every object version not handed yet. Runs on the
     * watcher thread; synchronized so that a test may also call it and know the scan is complete.
     */
    synchronized void scan() {
        if (closed.get()) {
            return;
        }
        Map<String, String> listed = new HashMap<>();
        try {
            for (S3Object object : lake.s3().listObjectsV2Paginator(b -> b.bucket(LocalLake.RAW_BUCKET)).contents()) {
                // The filesystem store lists its folders as keys ending in '/': not objects anyone put.
                if (!object.key().endsWith("/")) {
                    listed.put(object.key(), version(object));
                }
            }
            listingFailed = false;
        } catch (RuntimeException e) {
            // Reported once, not every half second; the next scan that lists again goes on.
            if (!listingFailed) {
                out.println("tarn up: cannot list s3://" + LocalLake.RAW_BUCKET + "/: " + describe(e));
                listingFailed = true;
            }
            return;
        }
        handed.keySet().retainAll(listed.keySet());
        for (Map.Entry<String, String> object : listed.entrySet().stream().sorted(Map.Entry.comparingByKey()).toList()) {
            if (closed.get()) {
                return;
            }
            if (!object.getValue().equals(handed.put(object.getKey(), object.getValue()))) {
                out.println(hand(object.getKey()));
            }
        }
    }

    /**
     * What tells one put of an object from the next. S3Proxy lists last-modified times to the
     * second, so a put of the same bytes within that second would look unchanged; the file behind
     * the object (a new file, with its own modification time, on every put) tells them apart.
     */
    private String version(S3Object object) {
        try {
            BasicFileAttributes file = Files.readAttributes(
                    lake.s3Server().fileOf(LocalLake.RAW_BUCKET, object.key()), BasicFileAttributes.class);
            return object.eTag() + " " + file.lastModifiedTime().toInstant() + " " + file.fileKey();
        } catch (IOException e) {
            // Deleted since the listing: the next scan no longer lists it.
            return object.eTag() + " " + object.lastModified();
        }
    }

    /** Hands one object over; the line to print. A failure is a line too, and does not stop the watcher. */
    private String hand(String key) {
        String uri = "s3://" + LocalLake.RAW_BUCKET + "/" + key;
        if (pipeline.datasetForKey(key).isEmpty()) {
            return "ignored " + uri + ": under no dataset's raw prefix (" + rawPrefixes() + ")";
        }
        try {
            ObjectNode result = ingest.ingest(key);
            String status = result.path("status").asText();
            if (result.has("reason")) {
                return status + " " + uri + ": " + result.get("reason").asText();
            }
            return status + " " + uri + " rows " + count(result, "rowsRead") + " written " + count(result, "rowsWritten")
                    + " quarantined " + count(result, "rowsQuarantined");
        } catch (IOException | RuntimeException e) {
            return "failed " + uri + ": " + describe(e) + " (put the object again to retry)";
        }
    }

    private void printBanner() {
        String endpoint = endpoint().toString();
        EmbeddedS3 server = lake.s3Server();
        out.println("tarn up: the local lake under " + lake.dir() + " is up");
        out.println("  endpoint    " + endpoint);
        out.println("  region      " + server.region());
        out.println("  access key  " + server.accessKey());
        out.println("  secret key  " + server.secretKey());
        out.println("  raw         s3://" + LocalLake.RAW_BUCKET + "/ (upload here, under a dataset's prefix: "
                + rawPrefixes() + ")");
        out.println("  staging     s3://" + LocalLake.STAGING_BUCKET + "/ (Parquet, quarantine, manifests)");
        out.println("with the AWS CLI:");
        // The CLI and SDKs now send CRC trailers in aws-chunked bodies by default; S3Proxy does not read them.
        out.println("  export AWS_ACCESS_KEY_ID=" + server.accessKey() + " AWS_SECRET_ACCESS_KEY=" + server.secretKey()
                + " AWS_REGION=" + server.region());
        out.println("  export AWS_REQUEST_CHECKSUM_CALCULATION=when_required AWS_RESPONSE_CHECKSUM_VALIDATION=when_required");
        out.println("  aws --endpoint-url " + endpoint + " s3 cp orders.csv s3://" + LocalLake.RAW_BUCKET
                + "/dms/shop/orders/");
        out.println("  aws --endpoint-url " + endpoint + " s3 ls --recursive s3://" + LocalLake.STAGING_BUCKET + "/");
        out.println("  or export AWS_ENDPOINT_URL=" + endpoint + " and leave out --endpoint-url (SDKs read it too;"
                + " use path-style addressing)");
        out.println("tarn up: watching s3://" + LocalLake.RAW_BUCKET + "/ for new objects; Ctrl-C stops");
    }

    private String rawPrefixes() {
        return pipeline.datasets().stream().map(Dataset::rawPrefix).collect(Collectors.joining(", "));
    }

    private static long count(JsonNode result, String field) {
        return result.path(field).asLong();
    }

    private static String describe(Exception e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().lines().findFirst().orElse("");
    }

    private static boolean causedByBind(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof BindException) {
                return true;
            }
        }
        return false;
    }

    /** Stops the watcher, letting a conversion in progress finish, then the S3 server. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        watcher.shutdown();
        try {
            if (!watcher.awaitTermination(CLOSE_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                watcher.shutdownNow();
            }
        } catch (InterruptedException e) {
            watcher.shutdownNow();
            Thread.currentThread().interrupt();
        } finally {
            lake.close();
        }
    }
}
