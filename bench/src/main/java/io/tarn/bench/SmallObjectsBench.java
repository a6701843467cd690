package io.tarn.bench;

import io.tarn.aws.AwsSettings;
import io.tarn.aws.s3.S3Clients;
import io.tarn.aws.s3.S3ObjectStore;
import io.tarn.functions.rawobject.RawObjectHandler;
import io.tarn.functions.rawobject.RawObjectWiring;
import io.tarn.ingest.RawObjectConfig;
import io.tarn.local.adapters.LocalCatalog;
import io.tarn.local.adapters.LocalLedger;
import io.tarn.local.lake.LocalLake;
import io.tarn.parquet.ParquetSettings;
import io.tarn.pipeline.PipelineConfig;
import io.tarn.pipeline.PipelineLoader;
import io.tarn.storage.ObjectInfo;
import io.tarn.storage.ObjectStore;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Many small raw objects, one after another: 1,000 DMS orders rows over 50 accounts each (the
 * poller's page of a quiet table, a DMS CDC file of a minute). Two places:
 *
 * <ul>
 *   <li>{@code --mode function}: the RawObject Lambda handler, wired as the function is over the
 *       local catalog and ledger and, for the objects, plain folders ({@code --store files}, the
 *       default: in AWS, S3 uses none of the function's CPU) or the embedded S3 server in a child
 *       process ({@code --store s3}, its CPU reported apart). After {@code --warmup} objects,
 *       {@code --rounds} times {@code --objects} objects are handed over one at a time, each as its
 *       S3 notification; reported per object and round: wall and CPU milliseconds of this process
 *       (mean, p50, p95, max). The last round is the warm figure.
 *   <li>{@code --mode up}: {@code ./tarn up} on a fresh folder as a child process (under the
 *       command given by {@code --up-prefix}, e.g. {@code taskset -c 0}), objects uploaded through
 *       the S3 SDK from this process; the time from an upload to the line {@code up} prints for it.
 *       First {@code --warmup} objects and {@code --sequential} more one at a time (upload, wait
 *       for its line: the latency of one object, the watcher's scan interval included), then
 *       {@code --rounds} times {@code --objects} uploaded at once and the time until the last is
 *       processed (the throughput with a backlog), with {@code up}'s CPU over each phase; the last
 *       round is the warm figure (C2 still compiles through the first).
 * </ul>
 *
 * <p>Usage: {@code SmallObjectsBench --mode function|up [--repo DIR] [--objects 100] [--warmup 10]
 * [--sequential 20] [--rows 1000] [--accounts 50] [--store files|s3] [--etl-window off|SECONDS]
 * [--up-prefix "taskset -c 0"] [--rounds 3]}.
 */
public final class SmallObjectsBench {

    private static final String PREFIX = "dms/shop/orders/";
    private static final Duration UP_TIMEOUT = Duration.ofMinutes(10);

    private final Options options;
    private final Path work;
    private final PipelineConfig pipeline;

    private SmallObjectsBench(Options options) throws IOException {
        this.options = options;
        this.work = options.repo.resolve("bench/target/work-small");
        this.pipeline = PipelineLoader.load(options.repo.resolve("pipeline.yaml"));
    }

    public static void main(String[] args) throws Exception {
        Options options = Options.parse(args);
        SmallObjectsBench bench = new SmallObjectsBench(options);
        System.out.printf("small objects: %d rows over %d accounts each; mode %s; this JVM %s%n", options.rows,
                options.accounts, options.mode, CpuClock.pinning());
        ConversionBench.deleteTree(bench.work);
        List<Path> files = bench.objects(options.warmup + (options.mode.equals("up") ? options.sequential : 0)
                + options.objects * options.rounds);
        if (options.mode.equals("function")) {
            bench.inFunction(files);
        } else {
            bench.inUp(files);
        }
    }

    /** Distinct objects (other order ids, other draws), so the ledger converts every one. */
    private List<Path> objects(int count) throws IOException {
        Path dir = Files.createDirectories(work.resolve("objects"));
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Path file = dir.resolve("small-%04d.csv".formatted(i));
            ConversionBench.write(file, options.rows, options.accounts, 10_000_000L + (long) i * options.rows, 7_000L + i);
            files.add(file);
        }
        return files;
    }

    // ---- in the function -----------------------------------------------------------------------

    private void inFunction(List<Path> files) throws IOException {
        Path lake = Files.createDirectories(work.resolve("lake"));
        boolean s3 = options.store.equals("s3");
        try (ConversionBench.SeparateS3 server = s3 ? ConversionBench.SeparateS3.start(lake.resolve("s3")) : null;
                S3Client client = s3 ? S3Clients.create(server.settings()) : null) {
            ObjectStore store;
            if (s3) {
                client.createBucket(b -> b.bucket(LocalLake.RAW_BUCKET));
                client.createBucket(b -> b.bucket(LocalLake.STAGING_BUCKET));
                store = new S3ObjectStore(client);
            } else {
                store = new FolderObjectStore(lake.resolve("s3"));
            }
            RawObjectConfig config = new RawObjectConfig("us-east-1", LocalLake.STAGING_BUCKET, LocalLake.STATE_TABLE,
                    LocalLake.GLUE_DATABASE, Optional.empty(), Optional.empty(), lake.resolve("tmp"), ParquetSettings.defaults());
            // The function's JSON log lines are formatted as in Lambda, and dropped.
            RawObjectHandler handler = new RawObjectHandler(RawObjectWiring.processor(config, pipeline,
                    new RawObjectWiring.Ports(store, new LocalCatalog(lake.resolve("catalog")), new LocalLedger(lake.resolve("state"))),
                    Clock.systemUTC(), new PrintStream(OutputStream.nullOutputStream())));
            // Uploads are not the function's work: every object is in the raw bucket before the first call.
            for (Path file : files) {
                store.put(LocalLake.RAW_BUCKET, PREFIX + file.getFileName(), file, "text/csv");
            }
            List<Sample> warm = new ArrayList<>();
            List<Sample> measured = new ArrayList<>();
            for (int i = 0; i < files.size(); i++) {
                String key = PREFIX + files.get(i).getFileName();
                byte[] event = s3Event(store.head(LocalLake.RAW_BUCKET, key).orElseThrow());
                long serverCpu = s3 ? CpuClock.nanosOf(server.process().toHandle()) : 0;
                long cpu = CpuClock.processNanos();
                long start = System.nanoTime();
                ByteArrayOutputStream response = new ByteArrayOutputStream();
                handler.handleRequest(new ByteArrayInputStream(event), response, null);
                Sample sample = new Sample((System.nanoTime() - start) / 1e6, (CpuClock.processNanos() - cpu) / 1e6,
                        s3 ? (CpuClock.nanosOf(server.process().toHandle()) - serverCpu) / 1e6 : Double.NaN);
                String body = response.toString(StandardCharsets.UTF_8);
                if (!body.contains("\"processed\"")) {
                    throw new IllegalStateException("object " + key + " was not processed: " + body);
                }
                (i < options.warmup ? warm : measured).add(sample);
            }
            System.out.printf("in the function (RawObjectHandler, objects in %s), one object at a time:%n",
                    s3 ? "the embedded S3 server, a child process" : "plain folders, no S3 server");
            System.out.printf("  first object of the JVM (cold): wall %.0f ms, CPU %.0f ms%n", warm.isEmpty()
                    ? measured.get(0).wallMs : warm.get(0).wallMs, warm.isEmpty() ? measured.get(0).cpuMs : warm.get(0).cpuMs);
            // In rounds of --objects, since the JIT still compiles through the first hundreds of
            // objects: the last round is the warm figure.
            System.out.printf("  %d warm-up objects, then %d rounds of %d:%n", warm.size(), options.rounds, options.objects);
            for (int round = 0; round < options.rounds; round++) {
                List<Sample> samples = measured.subList(round * options.objects, (round + 1) * options.objects);
                System.out.printf("  round %d of %d:%n", round + 1, options.rounds);
                print("wall ms", samples.stream().mapToDouble(Sample::wallMs).toArray());
                print("CPU ms (this JVM)", samples.stream().mapToDouble(Sample::cpuMs).toArray());
                if (s3) {
                    print("CPU ms (S3 server)", samples.stream().mapToDouble(Sample::serverCpuMs).toArray());
                }
            }
        }
    }

    private record Sample(double wallMs, double cpuMs, double serverCpuMs) {}

    /** The S3 notification Lambda receives for a put. */
    private static byte[] s3Event(ObjectInfo object) {
        return ("""
                {"Records":[{"eventVersion":"2.1","eventSource":"aws:s3","awsRegion":"us-east-1",\
                "eventTime":"%s","eventName":"ObjectCreated:Put","s3":{"s3SchemaVersion":"1.0",\
                "bucket":{"name":"%s","arn":"arn:aws:s3:::%s"},"object":{"key":"%s","size":%d,"eTag":"%s"}}}]}\
                """).formatted(object.lastModified(), object.bucket(), object.bucket(), object.key(), object.size(),
                        object.eTag().replace("\"", ""))
                .getBytes(StandardCharsets.UTF_8);
    }

    // ---- in ./tarn up --------------------------------------------------------------------------

    private void inUp(List<Path> files) throws Exception {
        Path lake = work.resolve("up");
        List<String> command = new ArrayList<>(Arrays.asList(options.upPrefix.isBlank() ? new String[0] : options.upPrefix.trim().split("\\s+")));
        command.addAll(List.of(options.repo.resolve("tarn").toString(), "up", "--dir", lake.toString(), "--port", "0",
                "--etl-window", options.etlWindow));
        System.out.println("starting: " + String.join(" ", command));
        Process up = new ProcessBuilder(command)
                .directory(options.repo.toFile())
                .redirectError(work.resolve("up-stderr.log").toFile())
                .start();
        BlockingQueue<Line> lines = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(up.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = out.readLine(); line != null; line = out.readLine()) {
                    lines.add(new Line(System.nanoTime(), line));
                }
            } catch (IOException e) {
                lines.add(new Line(System.nanoTime(), "reader failed: " + e));
            }
        }, "tarn-up-stdout");
        reader.setDaemon(true);
        reader.start();
        try {
            Banner banner = Banner.read(lines);
            System.out.println("tarn up: endpoint " + banner.endpoint + ", etl window " + options.etlWindow
                    + ", may run on CPUs " + CpuClock.allowedCpus(Long.toString(up.pid())));
            try (S3Client s3 = S3Clients.create(AwsSettings.local(banner.endpoint, banner.region, banner.accessKey, banner.secretKey))) {
                ProcessHandle upProcess = up.toHandle();
                Map<String, Line> seen = new HashMap<>();
                int next = 0;
                List<Double> sequential = new ArrayList<>();
                long cpuStart = 0;
                for (int i = 0; i < options.warmup + options.sequential; i++, next++) {
                    if (i == options.warmup) {
                        cpuStart = CpuClock.nanosOf(upProcess);
                    }
                    long start = System.nanoTime();
                    upload(s3, files.get(next));
                    Line done = awaitProcessed(lines, seen, files.get(next));
                    if (i >= options.warmup) {
                        sequential.add((done.nanos - start) / 1e6);
                    }
                }
                double sequentialCpuMs = (CpuClock.nanosOf(upProcess) - cpuStart) / 1e6;
                System.out.printf("in ./tarn up: %d warm-up objects one at a time, then %d more one at a time"
                        + " (upload, wait for up's line):%n", options.warmup, options.sequential);
                print("upload to processed, ms", sequential.stream().mapToDouble(Double::doubleValue).toArray());
                System.out.printf("  up's CPU: %.0f ms per object (%d objects; the scans between them included)%n",
                        sequentialCpuMs / Math.max(1, options.sequential), options.sequential);

                // Rounds of objects uploaded at once, each after the last: the JIT is still compiling
                // through the first (C2 on the one core it shares with the conversion), so each
                // round is reported, and the last is the warm figure.
                for (int round = 1; round <= options.rounds; round++, next += options.objects) {
                    long batchCpu = CpuClock.nanosOf(upProcess);
                    long batchStart = System.nanoTime();
                    for (int i = 0; i < options.objects; i++) {
                        upload(s3, files.get(next + i));
                    }
                    double uploadSeconds = (System.nanoTime() - batchStart) / 1e9;
                    List<Long> doneAt = new ArrayList<>();
                    for (int i = 0; i < options.objects; i++) {
                        doneAt.add(awaitProcessed(lines, seen, files.get(next + i)).nanos);
                    }
                    double batchCpuMs = (CpuClock.nanosOf(upProcess) - batchCpu) / 1e6;
                    double total = (doneAt.get(doneAt.size() - 1) - batchStart) / 1e9;
                    double[] gaps = new double[doneAt.size() - 1];
                    for (int i = 1; i < doneAt.size(); i++) {
                        gaps[i - 1] = (doneAt.get(i) - doneAt.get(i - 1)) / 1e6;
                    }
                    System.out.printf("in ./tarn up, round %d of %d: %d objects uploaded at once (%.2f s to upload them all):"
                            + " %.2f s from the first upload to the last processed, %.3f s per object;"
                            + " up's CPU %.0f ms per object%n", round, options.rounds, options.objects, uploadSeconds, total,
                            total / options.objects, batchCpuMs / options.objects);
                    print("between consecutive processed lines, ms", gaps);
                }
            }
        } finally {
            up.destroy(); // SIGTERM: up's shutdown hook closes the watcher and the server
            if (!up.waitFor(60, TimeUnit.SECONDS)) {
                up.destroyForcibly();
            }
        }
    }

    private record Line(long nanos, String text) {}

    private static void upload(S3Client s3, Path file) {
        s3.putObject(b -> b.bucket(LocalLake.RAW_BUCKET).key(PREFIX + file.getFileName()).contentType("text/csv"),
                RequestBody.fromFile(file));
    }

    /**
     * Waits for up's line about {@code file}; fails on any status but processed. Lines about other
     * objects are kept in {@code seen} (by object URI) for their own turn.
     */
    private static Line awaitProcessed(BlockingQueue<Line> lines, Map<String, Line> seen, Path file)
            throws InterruptedException {
        String uri = "s3://" + LocalLake.RAW_BUCKET + "/" + PREFIX + file.getFileName();
        long deadline = System.nanoTime() + UP_TIMEOUT.toNanos();
        while (!seen.containsKey(uri)) {
            Line line = lines.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (line == null) {
                throw new IllegalStateException("tarn up said nothing about " + file.getFileName() + " in " + UP_TIMEOUT);
            }
            String[] words = line.text.split(" ", 3);
            if (words.length >= 2 && words[1].startsWith("s3://" + LocalLake.RAW_BUCKET + "/")) {
                seen.put(words[1].endsWith(":") ? words[1].substring(0, words[1].length() - 1) : words[1], line);
            }
        }
        Line line = seen.get(uri);
        if (!line.text.startsWith("processed ")) {
            throw new IllegalStateException("tarn up: " + line.text);
        }
        return line;
    }

    /** What {@code tarn up} prints first: the endpoint and the credentials. */
    private record Banner(URI endpoint, String region, String accessKey, String secretKey) {

        static Banner read(BlockingQueue<Line> lines) throws InterruptedException {
            URI endpoint = null;
            String region = null;
            String accessKey = null;
            String secretKey = null;
            while (endpoint == null || region == null || accessKey == null || secretKey == null) {
                Line line = lines.poll(UP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
                if (line == null) {
                    throw new IllegalStateException("tarn up printed no endpoint in " + UP_TIMEOUT);
                }
                String text = line.text.trim();
                if (text.startsWith("endpoint ")) {
                    endpoint = URI.create(value(text));
                } else if (text.startsWith("region ")) {
                    region = value(text);
                } else if (text.startsWith("access key ")) {
                    accessKey = value(text);
                } else if (text.startsWith("secret key ")) {
                    secretKey = value(text);
                }
            }
            return new Banner(endpoint, region, accessKey, secretKey);
        }

        private static String value(String line) {
            return line.substring(line.lastIndexOf(' ') + 1);
        }
    }

    // ---- reporting -----------------------------------------------------------------------------

    private static void print(String what, double[] values) {
        if (values.length == 0) {
            return;
        }
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        System.out.printf(Locale.ROOT, "  %-40s mean %8.1f  p50 %8.1f  p95 %8.1f  max %8.1f  (n=%d)%n", what,
                Arrays.stream(values).average().orElse(0), percentile(sorted, 50), percentile(sorted, 95),
                sorted[sorted.length - 1], values.length);
    }

    private static double percentile(double[] sorted, int p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
    }

    // ---- arguments -----------------------------------------------------------------------------

    private record Options(String mode, Path repo, int objects, int warmup, int sequential, int rows, int accounts,
            String store, String etlWindow, String upPrefix, int rounds) {

        static Options parse(String[] args) {
            String mode = null;
            Path repo = Path.of(".");
            int objects = 100;
            int warmup = 10;
            int sequential = 20;
            int rows = 1000;
            int accounts = 50;
            String store = "files";
            String etlWindow = "off";
            String upPrefix = "";
            int rounds = 3;
            for (int i = 0; i < args.length; i += 2) {
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException("option " + args[i] + " needs a value");
                }
                String value = args[i + 1];
                switch (args[i]) {
                    case "--mode" -> mode = value;
                    case "--repo" -> repo = Path.of(value);
                    case "--objects" -> objects = Integer.parseInt(value);
                    case "--warmup" -> warmup = Integer.parseInt(value);
                    case "--sequential" -> sequential = Integer.parseInt(value);
                    case "--rows" -> rows = Integer.parseInt(value);
                    case "--accounts" -> accounts = Integer.parseInt(value);
                    case "--store" -> store = value;
                    case "--etl-window" -> etlWindow = value;
                    case "--up-prefix" -> upPrefix = value;
                    case "--rounds" -> rounds = Integer.parseInt(value);
                    default -> throw new IllegalArgumentException("unknown option " + args[i]);
                }
            }
            if (mode == null || !(mode.equals("function") || mode.equals("up"))) {
                throw new IllegalArgumentException("--mode function or --mode up is required");
            }
            if (!(store.equals("files") || store.equals("s3"))) {
                throw new IllegalArgumentException("--store takes files or s3, got " + store);
            }
            if (rounds < 1) {
                throw new IllegalArgumentException("--rounds must be 1 or more");
            }
            if (objects < 2) {
                throw new IllegalArgumentException("--objects must be 2 or more");
            }
            return new Options(mode, repo.toAbsolutePath().normalize(), objects, warmup, sequential, rows, accounts, store,
                    etlWindow, upPrefix, rounds);
        }
    }
}
