package io.tarn.local.lake;

import static java.util.Objects.requireNonNull;

import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tarn.embedded.EmbeddedS3;
import io.tarn.embedded.LambdaContext;
import io.tarn.etl.trigger.EtlTriggerConfig;
import io.tarn.etl.trigger.EtlTriggerService;
import io.tarn.functions.etltrigger.EtlTriggerHandler;
import io.tarn.local.adapters.LocalExecutions;
import io.tarn.local.sfn.LocalStateMachine;
import io.tarn.local.sfn.StateMachineDefinition;
import io.tarn.pipeline.Dataset;
import io.tarn.pipeline.PipelineConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.net.BindException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * {@code tarn up}: the local lake's S3 endpoint kept open on 127.0.0.1, and every new object of
 * the raw bucket handed to the RawObject handler as its S3 notification would be, so that any S3
 * client can upload raw files and read staging; and, as in AWS, new staging data (RawObject's
 * manifests) handed to the EtlTrigger handler, which starts the ETL state machine once per window,
 * so an upload reaches the ETL tables without another command.
 *
 * <p>S3Proxy sends no notifications, so a watcher lists the raw bucket every
 * {@link #SCAN_INTERVAL}. Each object version (key, ETag, last-modified time: a put of the same
 * bytes again is a new version, as S3 notifies every put) is handed over once; the state table's
 * ledger then answers "already processed" for content it has converted before, as in AWS. The
 * manifests are listed likewise and each is announced once, as EventBridge's "Object Created"
 * event in an SQS batch; an announcement the handler reports failed is made again on the next
 * scan, as SQS delivers a failed message again. The executions run one at a time beside the
 * watcher, each waiting for its window's end as the state machine says, then for the watcher to
 * have handed everything over ({@link WatcherActivity}: here the job shares the CPU with them).
 */
public final class LocalUp implements AutoCloseable {

    public static final int DEFAULT_PORT = 8765;
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The trigger's window here: short, since the local job takes seconds (60 in the template). */
    public static final Duration DEFAULT_ETL_WINDOW = Duration.ofSeconds(5);
    /** Staging notices and the local executions share one clock: no settling needed but a second of slack. */
    static final Duration ETL_SETTLE = Duration.ofSeconds(2);
    static final Duration SCAN_INTERVAL = Duration.ofMillis(500);
    /** How long {@link #close()} lets a conversion in progress finish before interrupting it. */
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(60);
    /**
     * Conversions go on while an ETL run refreshes: a change index entry younger than this may
     * still have an earlier-timed one being written, so the run leaves it to the next. Shorter
     * than the trigger's settle, so a window's run takes every change of its window.
     */
    private static final Duration REFRESH_SETTLE = Duration.ofSeconds(1);
    /**
     * How long a triggered run's job waits, after its window, for the watcher to hand nothing over
     * (locally the job and the conversions share the CPU): a bound, so a steady stream still runs.
     */
    static final Duration ETL_MAX_DEFER = Duration.ofSeconds(30);

    private final LocalLake lake;
    private final PipelineConfig pipeline;
    private final RawObjectIngest ingest;
    private final PrintStream out;
    private final ScheduledExecutorService watcher;
    /** Runs the ETL executions the trigger starts, one at a time, as the Glue job's queue does. */
    private final ExecutorService etlRuns;
    private final LocalEtl.LocalSpark spark;
    /** Empty with {@code --etl-window off}: staging only, no ETL. */
    private final Optional<EtlTriggerHandler> trigger;
    /** Manifests announced to the trigger (and not reported failed). */
    private final Set<String> announced = new HashSet<>();
    /** Key to the version last handed over (or reported as outside every dataset). */
    private final Map<String, String> handed = new HashMap<>();
    private boolean listingFailed;
    /** Set by close without the scan lock, so that a scan in progress stops after its current object. */
    private final AtomicBoolean closed = new AtomicBoolean();
    private final WatcherActivity activity = new WatcherActivity();

    private LocalUp(LocalLake lake, PipelineConfig pipeline, Path pipelineFile, Optional<Duration> etlWindow,
            PrintStream out, PrintStream logs) {
        this.lake = lake;
        this.pipeline = pipeline;
        this.ingest = new RawObjectIngest(lake, pipeline, logs);
        this.out = out;
        this.watcher = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "tarn-up-watcher");
            thread.setDaemon(true);
            return thread;
        });
        this.etlRuns = Executors.newSingleThreadExecutor(runnable -> {
            Thread thread = new Thread(runnable, "tarn-up-etl");
            thread.setDaemon(true);
            return thread;
        });
        this.spark = new LocalEtl.LocalSpark(lake.dir().resolve("tmp"));
        LocalEtl etl = new LocalEtl(lake, pipelineFile, StateMachineDefinition.loadResource("statemachine/etl.asl.json"),
                spark, logs, logs, REFRESH_SETTLE);
        LocalExecutions executions = new LocalExecutions(lake.dir(), (name, input, started) -> {
            out.println("etl " + name + ": started; its job runs after " + input.path("startAfter").asText());
            etlRuns.submit(() -> run(etl, started, name, input, afterConversions()));
        }, Clock.systemUTC());
        this.trigger = etlWindow.map(window -> new EtlTriggerHandler(lake.etlTriggerService(new EtlTriggerConfig(
                lake.s3Server().region(), LocalLake.STATE_MACHINE, window, ETL_SETTLE), executions, logs)));
    }

    /**
     * The state machine's waits as {@link LocalStateMachine.Sleeper#UNTIL_TIMESTAMPS}, and after the
     * wait for the window's end, a wait for the conversions in progress (at most {@link #ETL_MAX_DEFER}).
     */
    private LocalStateMachine.Sleeper afterConversions() {
        return new LocalStateMachine.Sleeper() {
            @Override
            public void sleep(Duration duration) throws InterruptedException {
                LocalStateMachine.Sleeper.UNTIL_TIMESTAMPS.sleep(duration);
            }

            @Override
            public void waitState(Duration duration) throws InterruptedException {
                LocalStateMachine.Sleeper.UNTIL_TIMESTAMPS.waitState(duration);
            }

            @Override
            public void waitUntil(Duration left) throws InterruptedException {
                LocalStateMachine.Sleeper.UNTIL_TIMESTAMPS.waitUntil(left);
                activity.awaitQuiet(ETL_MAX_DEFER);
            }
        };
    }

    private void run(LocalEtl etl, LocalExecutions executions, String name, JsonNode input,
            LocalStateMachine.Sleeper sleeper) {
        try {
            LocalStateMachine.Execution execution = etl.run(name, input, sleeper);
            executions.finished(execution);
            if (execution.succeeded()) {
                List<String> tables = new ArrayList<>();
                execution.output().path("repair").path("report").path("tables").forEach(table -> tables.add(
                        table.path("table").asText() + " " + table.path("partitions").asLong() + " partitions"));
                out.println("etl " + name + ": succeeded" + (tables.isEmpty() ? "" : ", " + String.join(", ", tables)));
            } else {
                out.println("etl " + name + ": failed: " + execution.error() + ": " + execution.cause());
            }
        } catch (RuntimeException e) {
            out.println("etl " + name + ": failed: " + describe(e));
        }
    }

    /**
     * Starts the lake under {@code dir} with its S3 endpoint on {@code port} (0 picks a free one),
     * prints the endpoint, credentials and examples to {@code out}, and starts watching the raw
     * bucket. One line per handed object goes to {@code out}; the handler's logs to {@code logs}.
     *
     * @param etlWindow the EtlTrigger window of the ETL runs new staging data starts; empty for none
     *
     * @throws IllegalStateException when the port is in use
     */
    public static LocalUp start(Path dir, int port, PipelineConfig pipeline, Path pipelineFile,
            Optional<Duration> etlWindow, PrintStream out, PrintStream logs) throws IOException {
        requireNonNull(dir, "dir is null");
        requireNonNull(pipeline, "pipeline is null");
        requireNonNull(pipelineFile, "pipelineFile is null");
        requireNonNull(etlWindow, "etlWindow is null");
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
        LocalUp up = new LocalUp(lake, pipeline, pipelineFile, etlWindow, out, logs);
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
    public void runUntilShutdown() throws InterruptedException {
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
            activity.scanned(false);
            return;
        }
        handed.keySet().retainAll(listed.keySet());
        boolean handedAny = false;
        for (Map.Entry<String, String> object : listed.entrySet().stream().sorted(Map.Entry.comparingByKey()).toList()) {
            if (closed.get()) {
                return;
            }
            if (!object.getValue().equals(handed.put(object.getKey(), object.getValue()))) {
                out.println(hand(object.getKey()));
                handedAny = true;
            }
        }
        activity.scanned(handedAny);
        announceStagingChanges();
    }

    /**
     * Hands every manifest of the staging bucket not announced yet to the EtlTrigger handler, as
     * EventBridge's "Object Created" events in one SQS batch. Manifests already there when {@code up}
     * starts are announced too: their windows' executions run unless this lake ran them before.
     */
    private void announceStagingChanges() {
        if (trigger.isEmpty()) {
            return;
        }
        List<S3Object> fresh = new ArrayList<>();
        try {
            for (S3Object object : lake.s3().listObjectsV2Paginator(b -> b.bucket(LocalLake.STAGING_BUCKET)
                    .prefix(EtlTriggerService.NOTICE_PREFIX)).contents()) {
                if (!object.key().endsWith("/") && !announced.contains(object.key())) {
                    fresh.add(object);
                }
            }
        } catch (RuntimeException e) {
            return; // the raw bucket's listing reports a lake that cannot be listed; the next scan tries again
        }
        if (fresh.isEmpty()) {
            return;
        }
        SQSEvent batch = new SQSEvent();
        List<SQSEvent.SQSMessage> messages = new ArrayList<>();
        for (S3Object object : fresh) {
            SQSEvent.SQSMessage message = new SQSEvent.SQSMessage();
            message.setMessageId(object.key());
            message.setEventSource("aws:sqs");
            message.setBody(objectCreated(object));
            messages.add(message);
        }
        batch.setRecords(messages);
        Set<String> failed = new HashSet<>();
        try {
            trigger.get().handleRequest(batch, LambdaContext.withTimeout("EtlTriggerFunction", 512, 60_000))
                    .getBatchItemFailures().forEach(failure -> failed.add(failure.getItemIdentifier()));
        } catch (RuntimeException e) {
            out.println("etl: the trigger failed: " + describe(e) + " (tried again on the next scan)");
            return;
        }
        fresh.stream().map(S3Object::key).filter(key -> !failed.contains(key)).forEach(announced::add);
    }

    /** S3's EventBridge event for the creation of {@code object} in the staging bucket. */
    private static String objectCreated(S3Object object) {
        ObjectNode event = JSON.createObjectNode()
                .put("version", "0").put("id", UUID.nameUUIDFromBytes(object.key().getBytes(StandardCharsets.UTF_8)).toString())
                .put("detail-type", "Object Created").put("source", "aws.s3").put("account", "000000000000")
                .put("time", object.lastModified().toString()).put("region", "us-east-1");
        event.putArray("resources").add("arn:aws:s3:::" + LocalLake.STAGING_BUCKET);
        ObjectNode detail = event.putObject("detail").put("version", "0");
        detail.putObject("bucket").put("name", LocalLake.STAGING_BUCKET);
        detail.putObject("object").put("key", object.key()).put("size", object.size()).put("etag", object.eTag());
        detail.put("reason", "PutObject");
        return event.toString();
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
        out.println("tarn up: watching s3://" + LocalLake.RAW_BUCKET + "/ for new objects; "
                + (trigger.isPresent() ? "new staging data runs the ETL once per window; " : "") + "Ctrl-C stops");
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
        etlRuns.shutdown();
        activity.close();
        try {
            if (!watcher.awaitTermination(CLOSE_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                watcher.shutdownNow();
            }
            // An ETL run in progress (or waiting for its window) finishes, so its window is not lost.
            if (!etlRuns.awaitTermination(CLOSE_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                etlRuns.shutdownNow();
            }
        } catch (InterruptedException e) {
            watcher.shutdownNow();
            etlRuns.shutdownNow();
            Thread.currentThread().interrupt();
        } finally {
            spark.close();
            lake.close();
        }
    }
}
