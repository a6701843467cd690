package io.tarn.bench;

import io.tarn.aws.AwsClients;
import io.tarn.aws.AwsSettings;
import io.tarn.aws.dynamodb.StateTable;
import io.tarn.aws.s3.S3Clients;
import io.tarn.catalog.CatalogColumn;
import io.tarn.embedded.MotoServer;
import io.tarn.etl.RunManifest;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.glue.GlueClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.sfn.SfnClient;

/**
 * Cold init of each function jar: a fresh JVM whose class path is the shaded Lambda jar and a
 * probe, from its start to the first answered call against moto, median of the runs. The probe
 * (bench/cold-init, compiled here against each jar) builds the handler with its production wiring
 * pointed at moto, as Lambda's init does, and invokes it once with the function's first real call:
 * RawObject converts a small raw object (S3, Glue, DynamoDB), CrawlerRefresh answers {@code status}
 * (S3, Glue GetCrawler), PartitionRepair registers a run's partitions in Glue, EtlTrigger starts an
 * execution, SqlPoller reads its secret and tries its database (none runs here, so its answer is
 * the connection error: its figure is init plus Secrets Manager).
 *
 * <p>Usage: {@code ColdInitBench --jars LABEL=DIR [--jars LABEL=DIR ...] --repo DIR [--runs 5]
 * [--jvm "FLAGS"]}: one column per folder of {@code tarn-<function>-*-lambda.jar} files; the probes'
 * JVMs get FLAGS (e.g. {@code -XX:TieredStopAtLevel=1}, Lambda's default for Java, which the
 * template's {@code JAVA_TOOL_OPTIONS} lifts).
 */
public final class ColdInitBench {

    private static final String REGION = "us-east-1";
    private static final List<String> FUNCTIONS = List.of("raw-object", "sql-poller", "crawler-refresh",
            "partition-repair", "etl-trigger");
    private static final Map<String, String> PROBES = Map.of("raw-object", "RawObjectProbe", "sql-poller", "SqlPollerProbe",
            "crawler-refresh", "CrawlerRefreshProbe", "partition-repair", "PartitionRepairProbe",
            "etl-trigger", "EtlTriggerProbe");

    private final Path repo;
    private final Path work;
    private final int runs;
    private final List<String> jvm;
    private final MotoServer moto;
    private final AwsClients clients;
    private final String raw = "bench-raw-" + suffix();
    private final String staging = "bench-staging-" + suffix();
    private final String stateTable = "bench-state-" + suffix();
    private final String database = "bench_" + suffix().replace('-', '_');
    private final String crawler = "bench-crawler-" + suffix();
    private String secretArn;
    private int objects;

    private ColdInitBench(Path repo, int runs, List<String> jvm) throws IOException {
        this.repo = repo;
        this.runs = runs;
        this.jvm = List.copyOf(jvm);
        this.work = Files.createDirectories(repo.resolve("bench/target/cold-init"));
        this.moto = MotoServer.start(repo.resolve("bench/target/moto-venv"));
        this.clients = new AwsClients(AwsSettings.local(moto.endpoint(), REGION, "test", "test"));
    }

    public static void main(String[] args) throws Exception {
        Map<String, Path> jars = new LinkedHashMap<>();
        Path repo = Path.of(".");
        int runs = 5;
        List<String> jvm = List.of();
        for (int i = 0; i < args.length; i += 2) {
            switch (args[i]) {
                case "--jars" -> {
                    String[] labelled = args[i + 1].split("=", 2);
                    jars.put(labelled[0], Path.of(labelled[1]));
                }
                case "--repo" -> repo = Path.of(args[i + 1]);
                case "--runs" -> runs = Integer.parseInt(args[i + 1]);
                case "--jvm" -> jvm = List.of(args[i + 1].trim().split("\\s+"));
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        ColdInitBench bench = new ColdInitBench(repo, runs, jvm);
        try {
            bench.setUp();
            bench.report(jars);
        } finally {
            bench.moto.close();
        }
    }

    private void setUp() throws IOException {
        try (S3Client s3 = S3Clients.create(clients.settings()); DynamoDbClient dynamoDb = clients.build(DynamoDbClient.builder());
                GlueClient glue = clients.build(GlueClient.builder());
                SecretsManagerClient secrets = clients.build(SecretsManagerClient.builder())) {
            s3.createBucket(b -> b.bucket(raw));
            s3.createBucket(b -> b.bucket(staging));
            StateTable.create(dynamoDb, stateTable);
            glue.createDatabase(b -> b.databaseInput(d -> d.name(database)));
            glue.createCrawler(b -> b.name(crawler).role("arn:aws:iam::123456789012:role/bench").databaseName(database)
                    .targets(t -> t.s3Targets(target -> target.path("s3://" + staging + "/account_daily/"))));
            RunManifest manifest = new RunManifest("bench-run", "join", "2024-06-01T02:00:00Z", "2024-06-01T02:09:00Z",
                    List.of(new RunManifest.TableOutput("account_daily", "s3://" + staging + "/account_daily/", "f1",
                            List.of(new CatalogColumn("orders", "bigint")), List.of(new CatalogColumn("account_id", "string")),
                            List.of(new RunManifest.PartitionOutput(List.of("acme"),
                                            "s3://" + staging + "/account_daily/account_id=acme/", 3),
                                    new RunManifest.PartitionOutput(List.of("globex"),
                                            "s3://" + staging + "/account_daily/account_id=globex/", 2)))));
            s3.putObject(b -> b.bucket(staging).key(RunManifest.key("bench-run")), RequestBody.fromBytes(manifest.toJson()));
            // No SQL Server runs here: the poller reads this secret, then cannot connect.
            secretArn = secrets.createSecret(b -> b.name("bench/azuresql-" + suffix()).secretString(
                    "{\"host\": \"127.0.0.1\", \"port\": 9, \"database\": \"tarn\", \"username\": \"tarn\","
                            + " \"password\": \"x\"}")).arn();
        }
    }

    private void report(Map<String, Path> jars) throws Exception {
        System.out.println("# moto " + MotoServer.MOTO_REQUIREMENT + " at " + moto.endpoint() + "; " + runs
                + " fresh JVMs per jar; java " + System.getProperty("java.version") + " " + String.join(" ", jvm));
        StringBuilder header = new StringBuilder("| function |");
        StringBuilder rule = new StringBuilder("| --- |");
        for (String label : jars.keySet()) {
            header.append(" jar ").append(label).append(" | cold init ").append(label).append(" (median, min-max) |");
            rule.append(" ---: | ---: |");
        }
        List<String> rows = new ArrayList<>();
        for (String function : FUNCTIONS) {
            StringBuilder row = new StringBuilder("| " + function + " |");
            for (Map.Entry<String, Path> set : jars.entrySet()) {
                Optional<Path> jar = jar(set.getValue(), function);
                if (jar.isEmpty()) {
                    row.append(" - | - |");
                    continue;
                }
                Path probes = compile(jar.get(), function, set.getKey());
                List<Long> times = new ArrayList<>();
                String last = "";
                for (int run = 0; run < runs; run++) {
                    Answer answer = invoke(jar.get(), probes, function);
                    times.add(answer.millis());
                    last = answer.line();
                }
                System.out.println("# " + set.getKey() + " " + function + ": " + times + " ms; last answer: " + last);
                List<Long> sorted = times.stream().sorted().toList();
                row.append(String.format(" %.1f MiB | %,d ms (%,d-%,d) |", Files.size(jar.get()) / 1048576.0,
                        sorted.get(sorted.size() / 2), sorted.get(0), sorted.get(sorted.size() - 1)));
            }
            rows.add(row.toString());
        }
        System.out.println(header);
        System.out.println(rule);
        rows.forEach(System.out::println);
    }

    private record Answer(long millis, String line) {}

    /** One fresh JVM: from its start to the probe's answer line. */
    private Answer invoke(Path jar, Path probes, String function) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(jvm);
        command.addAll(List.of("-cp", jar.toAbsolutePath() + ":" + probes.toAbsolutePath(), PROBES.get(function),
                moto.endpoint().toString(), event(function).toString()));
        environment(function).forEach((name, value) -> command.add(name + "=" + value));
        long start = System.nanoTime();
        Process process = new ProcessBuilder(command).redirectError(work.resolve(function + ".stderr.log").toFile()).start();
        String answer = null;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = out.readLine()) != null; ) {
                if (line.startsWith("answered ")) {
                    answer = line;
                    break;
                }
            }
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        if (!process.waitFor(2, TimeUnit.MINUTES)) {
            process.destroyForcibly();
        }
        if (answer == null) {
            throw new IllegalStateException(function + " answered nothing (exit " + process.exitValue() + "); see "
                    + work.resolve(function + ".stderr.log"));
        }
        return new Answer(millis, answer);
    }

    /** The function's first call: what its trigger sends, for a resource of its own. */
    private Path event(String function) throws IOException {
        String json = switch (function) {
            case "raw-object" -> {
                String key = "dms/shop/orders/LOAD" + String.format("%08X", ++objects) + ".csv";
                try (S3Client s3 = S3Clients.create(clients.settings())) {
                    s3.putObject(b -> b.bucket(raw).key(key),
                            RequestBody.fromFile(repo.resolve("samples/dms/shop/orders/LOAD00000001.csv")));
                }
                yield "{\"Records\": [{\"eventVersion\": \"2.1\", \"eventSource\": \"aws:s3\", \"awsRegion\": \"us-east-1\","
                        + " \"eventTime\": \"2024-06-01T12:00:00.000Z\", \"eventName\": \"ObjectCreated:Put\","
                        + " \"s3\": {\"s3SchemaVersion\": \"1.0\", \"bucket\": {\"name\": \"" + raw + "\","
                        + " \"arn\": \"arn:aws:s3:::" + raw + "\"}, \"object\": {\"key\": \"" + key + "\", \"size\": 1024}}}]}";
            }
            case "sql-poller" -> Files.readString(repo.resolve("events/schedule.json"));
            case "crawler-refresh" -> "{\"action\": \"status\", \"runId\": \"bench-run\", \"attempt\": 0}";
            case "partition-repair" -> "{\"runId\": \"bench-run\"}";
            case "etl-trigger" -> Files.readString(repo.resolve("events/sqs-staging-changed.json"));
            default -> throw new IllegalArgumentException(function);
        };
        return Files.writeString(work.resolve(function + "-event.json"), json);
    }

    /** The function's environment as template.yaml sets it, naming the resources made in moto. */
    private Map<String, String> environment(String function) throws IOException {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("AWS_REGION", REGION);
        switch (function) {
            case "raw-object" -> {
                env.put("STAGING_BUCKET", staging);
                env.put("STATE_TABLE", stateTable);
                // A database of its own per run: every run creates its database and table, the same work.
                env.put("GLUE_DATABASE", freshDatabase());
                env.put("PARQUET_CODEC", "zstd");
                env.put("MEMORY_BUDGET_MB", "48");
                env.put("TMPDIR", Files.createDirectories(work.resolve("tmp")).toString());
            }
            case "sql-poller" -> {
                env.put("RAW_BUCKET", raw);
                env.put("STATE_TABLE", stateTable);
                env.put("DB_SECRET_ARN", secretArn);
                env.put("POLL_SAFETY_MARGIN_SECONDS", "60");
                env.put("TMPDIR", Files.createDirectories(work.resolve("tmp")).toString());
            }
            case "crawler-refresh" -> {
                env.put("STAGING_BUCKET", staging);
                env.put("STATE_TABLE", stateTable);
                env.put("CRAWLER_NAME", crawler);
                env.put("CRAWLER_TABLES", "account_daily");
            }
            case "partition-repair" -> {
                env.put("STAGING_BUCKET", staging);
                env.put("GLUE_DATABASE", freshDatabase());
                env.put("ATHENA_WORKGROUP", "primary");
                env.put("REGISTRATION", "glue");
            }
            case "etl-trigger" -> {
                // A state machine of its own per run: the sample's windows are new to each.
                try (SfnClient sfn = clients.build(SfnClient.builder())) {
                    env.put("STATE_MACHINE_ARN", sfn.createStateMachine(b -> b.name("bench-etl-" + suffix())
                            .definition("{\"StartAt\": \"Done\", \"States\": {\"Done\": {\"Type\": \"Succeed\"}}}")
                            .roleArn("arn:aws:iam::123456789012:role/bench")).stateMachineArn());
                }
            }
            default -> throw new IllegalArgumentException(function);
        }
        return env;
    }

    /** A Glue database name no run used: the function creates it, as on a fresh account. */
    private static String freshDatabase() {
        return "bench_" + suffix();
    }

    private static Optional<Path> jar(Path folder, String function) throws IOException {
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(f -> f.getFileName().toString().matches("tarn-" + function + "-.*-lambda\\.jar"))
                    .min(Comparator.naturalOrder());
        }
    }

    /** The probe of {@code function}, compiled against the jar it runs with. */
    private Path compile(Path jar, String function, String label) throws IOException {
        Path out = Files.createDirectories(work.resolve("probes-" + label + "-" + function));
        Path sources = repo.resolve("bench/cold-init");
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        int status = javac.run(null, null, System.err, "-proc:none", "-nowarn", "-cp", jar.toString(), "-d", out.toString(),
                sources.resolve("Probe.java").toString(), sources.resolve("ProbeContext.java").toString(),
                sources.resolve(PROBES.get(function) + ".java").toString());
        if (status != 0) {
            throw new IllegalStateException("the " + function + " probe does not compile against " + jar);
        }
        return out;
    }

    private static String suffix() {
        return UUID.randomUUID().toString().substring(0, 8);
    }
}
