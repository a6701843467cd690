package io.tarn.bench;

import io.tarn.embedded.EmbeddedS3;
import io.tarn.local.lake.LocalUp;
import io.tarn.pipeline.PipelineLoader;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The trigger's latency on the local lake: {@code tarn up} (in this JVM, a fresh lake) with its
 * EtlTrigger window, a DMS CDC file of orders uploaded through the SDK, and the time from the upload
 * to each line {@code up} prints: the conversion ({@code processed}), the execution's start
 * ({@code etl ...: started}) and its end ({@code etl ...: succeeded}), when {@code account_daily}
 * holds the change. Each round uploads a new file; the first round also pays Spark's start.
 *
 * <p>Usage: {@code TriggerLatencyBench --repo DIR [--rounds 4] [--window 5]}.
 */
public final class TriggerLatencyBench {

    private record Line(long nanos, String text) {}

    private final List<Line> lines = new CopyOnWriteArrayList<>();

    public static void main(String[] args) throws Exception {
        Path repo = Path.of(".");
        int rounds = 4;
        int window = 5;
        for (int i = 0; i < args.length; i += 2) {
            switch (args[i]) {
                case "--repo" -> repo = Path.of(args[i + 1]);
                case "--rounds" -> rounds = Integer.parseInt(args[i + 1]);
                case "--window" -> window = Integer.parseInt(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        new TriggerLatencyBench().run(repo, rounds, window);
    }

    private void run(Path repo, int rounds, int window) throws Exception {
        Path dir = Files.createTempDirectory(Files.createDirectories(repo.resolve("bench/target")), "trigger-lake-");
        PrintStream out = new PrintStream(new LineCollector(), true, StandardCharsets.UTF_8);
        PrintStream logs = new PrintStream(OutputStream.nullOutputStream());
        Path pipeline = repo.resolve("pipeline.yaml");
        System.out.println("# tarn up on a fresh lake, --etl-window " + window + "; times from each upload, seconds");
        System.out.println("| round | converted | execution started | its job may start (window end + 1 s) | ETL done |");
        System.out.println("| ---: | ---: | ---: | ---: | ---: |");
        try (LocalUp up = LocalUp.start(dir, 0, PipelineLoader.load(pipeline), pipeline,
                Optional.of(Duration.ofSeconds(window)), out, logs);
                S3Client s3 = client(up.endpoint())) {
            for (int round = 1; round <= rounds; round++) {
                String key = "dms/shop/orders/2024/06/0" + round + "/2024060" + round + "-1200000000.csv";
                long uploaded = System.nanoTime();
                Instant uploadedAt = Instant.now();
                s3.putObject(b -> b.bucket("tarn-raw").key(key), RequestBody.fromString(cdc(round)));
                Line converted = await(uploaded, text -> text.startsWith("processed s3://tarn-raw/" + key));
                Line started = await(uploaded, text -> text.startsWith("etl auto-") && text.contains(": started"));
                String ended = "etl " + name(started) + ": ";
                Line done = await(started.nanos(), text -> text.startsWith(ended) && !text.contains(": started"));
                Matcher after = Pattern.compile("runs after (\\S+)").matcher(started.text());
                String jobAfter = after.find()
                        ? "%.1f".formatted(Duration.between(uploadedAt, Instant.parse(after.group(1))).toMillis() / 1000.0) : "?";
                System.out.printf("| %d | %.1f | %.1f | %s | %.1f |%n", round, seconds(uploaded, converted),
                        seconds(uploaded, started), jobAfter, seconds(uploaded, done));
                if (!done.text().contains("succeeded")) {
                    throw new IllegalStateException("the ETL run failed: " + done.text());
                }
                // The next upload lands in a later window than this run's.
                Thread.sleep(Duration.ofSeconds(window + 1).toMillis());
            }
        }
    }

    /** A CDC file of two new orders of acme, on a day of their own per round. */
    private static String cdc(int round) {
        String day = "2024-06-0" + round;
        return "I," + day + " 12:00:00.000000,20" + round + "1,acme,501,paid,40.00,EUR," + day + " 11:00:00,\\N\n"
                + "I," + day + " 12:00:01.000000,20" + round + "2,acme,502,paid,2.50,EUR," + day + " 11:30:00,\\N\n";
    }

    private static String name(Line started) {
        return started.text().substring("etl ".length(), started.text().indexOf(':'));
    }

    /** The first line printed after {@code since} that {@code wanted} takes, waiting up to three minutes. */
    private Line await(long since, Predicate<String> wanted) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (System.nanoTime() < deadline) {
            for (Line line : lines) {
                if (line.nanos() >= since && wanted.test(line.text())) {
                    return line;
                }
            }
            Thread.sleep(20);
        }
        throw new IllegalStateException("not the line awaited in three minutes; printed: "
                + lines.stream().map(Line::text).toList());
    }

    private static double seconds(long from, Line line) {
        return (line.nanos() - from) / 1e9;
    }

    private static S3Client client(URI endpoint) {
        return S3Client.builder().endpointOverride(endpoint).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(EmbeddedS3.ACCESS_KEY, EmbeddedS3.SECRET_KEY)))
                .forcePathStyle(true)
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .httpClient(UrlConnectionHttpClient.create())
                .build();
    }

    /** Collects {@code up}'s lines with the time each was printed. */
    private final class LineCollector extends OutputStream {
        private final StringBuilder current = new StringBuilder();

        @Override
        public synchronized void write(int b) throws IOException {
            if (b == '\n') {
                lines.add(new Line(System.nanoTime(), current.toString()));
                current.setLength(0);
            } else {
                current.append((char) b);
            }
        }
    }

    private TriggerLatencyBench() {}
}
