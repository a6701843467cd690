package io.tarn.local;

import io.tarn.etl.RunManifest;
import io.tarn.local.sfn.LocalStateMachine;
import io.tarn.local.sfn.StateMachineDefinition;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tarn.pipeline.Dataset;
import io.tarn.pipeline.PipelineConfig;
import io.tarn.pipeline.PipelineConfigException;
import io.tarn.pipeline.PipelineLoader;
import io.tarn.pipeline.SourceKind;
import io.tarn.poll.ConnectionFactory;
import io.tarn.poll.Deadline;
import io.tarn.poll.PollReport;
import io.tarn.poll.PollRequest;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import software.amazon.awssdk.core.sync.RequestBody;

/**
 * The {@code tarn} command: the pipeline on this machine, on embedded parts.
 *
 * <pre>
 * tarn ingest --dataset NAME --file PATH [--dir DIR] [--pipeline FILE]
 * tarn query [--dir DIR] [--account ID] SQL
 * tarn poll [--dir DIR] [--jdbc-url URL [--user U] [--password P]] [--tables a,b] [--snapshot-keys] [--pipeline FILE]
 * tarn sql [--dir DIR] STATEMENT
 * tarn demo [--dir DIR]
 * tarn etl [--dir DIR] [--mode join|backfill] [--datasets a,b] [--run-id ID] [--pipeline FILE]
 * tarn invoke FUNCTION --event FILE [--dir DIR] [--template FILE] [--pipeline FILE]
 * tarn up [--dir DIR] [--port P] [--etl-window SECONDS|off] [--pipeline FILE]
 * </pre>
 */
public final class Tarn {

    static final String USAGE = """
            usage: tarn <command> [options]
              ingest --dataset NAME --file PATH [--dir DIR] [--pipeline FILE]
                     put a CSV file into the local raw bucket and run the RawObject function on it
              query  [--dir DIR] [--account ID] SQL
                     run SQL on the staging tables (registered partitions only; with --account, only that account's)
              poll   [--dir DIR] [--jdbc-url URL [--user U] [--password P]] [--tables a,b] [--snapshot-keys] [--pipeline FILE]
                     pull changed rows of the azuresql datasets into the local raw bucket and ingest each new object;
                     without --jdbc-url, from the local H2 database under DIR/azuresql (seeded on first use);
                     --snapshot-keys also lands a key snapshot now (the next etl deletes rows whose keys are gone)
              sql    [--dir DIR] STATEMENT
                     run a statement on the local H2 database under DIR/azuresql (CSV, or the update count)
              demo   [--dir DIR]
                     the whole lake from an empty DIR: seeds the sources, polls, converts every raw object,
                     runs the ETL state machine, prints what each dataset became and answers two queries;
                     run again, it does only what is new
              etl    [--dir DIR] [--mode join|backfill] [--datasets a,b] [--run-id ID] [--pipeline FILE]
                     run the ETL state machine: the Glue job on Spark local (join by default), the crawler
                     refresh and the registration of the partitions the job wrote in the local catalog
              invoke FUNCTION --event FILE [--dir DIR] [--template FILE] [--pipeline FILE]
                     run a function of template.yaml (its logical id) with an event file on the local lake, as
                     sam local invoke does: the response on stdout, the function's logs on stderr
              up     [--dir DIR] [--port P] [--etl-window SECONDS|off] [--pipeline FILE]
                     keep the local S3 endpoint open on 127.0.0.1:P (default 8765) and run the RawObject function
                     on every new object of the raw bucket, until Ctrl-C; prints the endpoint and credentials; new
                     staging data starts the ETL state machine through EtlTrigger, once per window (default 5 s; off:
                     staging only)
            DIR defaults to .tarn, FILE to ./pipeline.yaml (--template: ./template.yaml)""";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter RUN_ID_TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    private final PrintStream out;
    private final PrintStream err;

    public Tarn(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    public static void main(String[] args) {
        System.exit(new Tarn(System.out, System.err).run(args));
    }

    /** Runs a command; returns the process exit code. Errors are one line on stderr. */
    public int run(String... args) {
        try {
            Deque<String> rest = new ArrayDeque<>(List.of(args));
            if (rest.isEmpty() || rest.peek().equals("--help") || rest.peek().equals("help")) {
                out.println(USAGE);
                return rest.isEmpty() ? 2 : 0;
            }
            String command = rest.pop();
            Options options = Options.parse(rest);
            return switch (command) {
                case "ingest" -> ingest(options);
                case "query" -> query(options);
                case "poll" -> poll(options);
                case "sql" -> sql(options);
                case "etl" -> etl(options);
                case "demo" -> demo(options);
                case "invoke" -> invoke(options);
                case "up" -> up(options);
                default -> throw new UsageException("unknown command '" + command + "'");
            };
        } catch (UsageException e) {
            err.println("tarn: " + e.getMessage());
            err.println(USAGE);
            return 2;
        } catch (PipelineConfigException | IllegalArgumentException | IllegalStateException e) {
            err.println("tarn: " + e.getMessage());
            return 1;
        } catch (SQLException e) {
            err.println("tarn: query failed: " + e.getMessage().lines().findFirst().orElse(""));
            return 1;
        } catch (Exception e) {
            err.println("tarn: " + e);
            return 1;
        }
    }

    private int ingest(Options options) throws Exception {
        String datasetName = options.required("--dataset");
        Path file = Path.of(options.required("--file"));
        options.noPositional();
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new IllegalArgumentException("cannot read file " + file);
        }
        PipelineConfig pipeline = pipeline(options);
        Dataset dataset = pipeline.dataset(datasetName).orElseThrow(() -> new IllegalArgumentException(
                "unknown dataset '" + datasetName + "' (pipeline.yaml has: "
                        + pipeline.datasets().stream().map(Dataset::name).collect(Collectors.joining(", ")) + ")"));
        String key = dataset.rawPrefix() + file.getFileName();
        try (LocalLake lake = LocalLake.open(options.dir())) {
            lake.s3().putObject(b -> b.bucket(LocalLake.RAW_BUCKET).key(key), RequestBody.fromFile(file));
            ObjectNode summary = new RawObjectIngest(lake, pipeline, err).ingest(key);
            out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(summary));
            return summary.path("status").asText().equals("skipped") ? 1 : 0;
        }
    }

    private int poll(Options options) throws Exception {
        options.noPositional();
        String url = options.value("--jdbc-url");
        if (url == null && (options.value("--user") != null || options.value("--password") != null)) {
            throw new UsageException("--user and --password go with --jdbc-url");
        }
        PipelineConfig pipeline = pipeline(options);
        PollRequest request = new PollRequest(tables(options.value("--tables"), pipeline), options.flag("--snapshot-keys"));
        ConnectionFactory connections = url == null
                ? LocalAzureSql.open(options.dir())
                : () -> DriverManager.getConnection(url, options.value("--user"), options.value("--password"));
        try (LocalLake lake = LocalLake.open(options.dir())) {
            PollReport report = lake.sqlPollerService(pipeline, connections, err).poll(request, Deadline.none());
            RawObjectIngest ingest = new RawObjectIngest(lake, pipeline, err);
            ObjectNode summary = JSON.createObjectNode();
            ArrayNode tables = summary.putArray("tables");
            boolean skipped = false;
            for (PollReport.TableReport table : report.tables()) {
                ObjectNode node = tables.addObject();
                node.put("dataset", table.dataset());
                node.put("pages", table.pages());
                node.put("rows", table.rows());
                ArrayNode keys = node.putArray("objectKeys");
                table.objectKeys().forEach(keys::add);
                node.put("caughtUp", table.caughtUp());
                table.stoppedBecause().ifPresent(reason -> node.put("stoppedBecause", reason));
                table.keySnapshot().ifPresent(outcome -> node.put("keySnapshot", outcome));
                ArrayNode objects = node.putArray("objects");
                for (String key : table.objectKeys()) {
                    ObjectNode ingested = ingest.ingest(key);
                    ObjectNode object = objects.addObject();
                    object.put("key", key);
                    for (String field : List.of("status", "rowsRead", "rowsWritten", "rowsQuarantined", "reason")) {
                        if (ingested.has(field)) {
                            object.set(field, ingested.get(field));
                        }
                    }
                    skipped |= ingested.path("status").asText().equals("skipped");
                }
            }
            out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(summary));
            return skipped ? 1 : 0;
        }
    }

    /** The datasets named by {@code --tables}, checked against pipeline.yaml; none means all. */
    private static List<String> tables(String option, PipelineConfig pipeline) {
        if (option == null) {
            return List.of();
        }
        List<String> polled = pipeline.datasets().stream()
                .filter(d -> d.source() == SourceKind.AZURESQL).map(Dataset::name).toList();
        List<String> names = new ArrayList<>();
        for (String name : option.split(",", -1)) {
            String trimmed = name.trim();
            if (trimmed.isEmpty()) {
                throw new UsageException("--tables takes dataset names separated by commas, got '" + option + "'");
            }
            if (!polled.contains(trimmed)) {
                throw new IllegalArgumentException("unknown azuresql dataset '" + trimmed + "' (pipeline.yaml has: "
                        + String.join(", ", polled) + ")");
            }
            if (!names.contains(trimmed)) {
                names.add(trimmed);
            }
        }
        return names;
    }

    private int sql(Options options) throws Exception {
        List<String> statement = options.positional();
        if (statement.size() != 1) {
            throw new UsageException("sql takes one statement (quote it), got " + statement.size() + " arguments");
        }
        try (Connection connection = LocalAzureSql.open(options.dir()).open();
                Statement sql = connection.createStatement()) {
            if (sql.execute(statement.get(0))) {
                try (ResultSet rows = sql.getResultSet()) {
                    LocalQuery.printCsv(rows, out);
                }
            } else {
                int count = sql.getUpdateCount();
                out.println(count + (count == 1 ? " row" : " rows") + " affected");
            }
            return 0;
        } catch (SQLException e) {
            throw new IllegalStateException("statement failed: " + e.getMessage().lines().findFirst().orElse(""), e);
        }
    }

    private int query(Options options) throws Exception {
        List<String> sql = options.positional();
        if (sql.size() != 1) {
            throw new UsageException("query takes one SQL statement (quote it), got " + sql.size() + " arguments");
        }
        Path dir = options.readDir();
        // Querying needs no S3 server: staging objects are plain files under DIR/s3/<bucket>.
        LocalQuery query = new LocalQuery(new LocalCatalog(dir.resolve("catalog")),
                dir.resolve("s3").resolve(LocalLake.STAGING_BUCKET), LocalLake.STAGING_BUCKET);
        query.run(sql.get(0), Optional.ofNullable(options.value("--account")), out);
        return 0;
    }

    private int etl(Options options) throws Exception {
        options.noPositional();
        String mode = Optional.ofNullable(options.value("--mode")).orElse("join");
        if (!mode.equals("join") && !mode.equals("backfill")) {
            throw new UsageException("--mode takes join or backfill, got '" + mode + "'");
        }
        Path dir = options.dir();
        Path pipelineFile = pipelineFile(options, dir);
        PipelineLoader.load(pipelineFile);
        String runId = Optional.ofNullable(options.value("--run-id"))
                .orElseGet(() -> "local-" + RUN_ID_TIME.format(Instant.now()));
        RunManifest.checkRunId(runId);
        ObjectNode input = JSON.createObjectNode();
        input.put("mode", mode);
        Optional.ofNullable(options.value("--datasets")).ifPresent(datasets -> input.put("datasets", datasets));

        out.println("tarn etl: run " + runId + " (" + mode + "), states:");
        try (LocalLake lake = LocalLake.open(dir); LocalEtl.LocalSpark spark = new LocalEtl.LocalSpark(dir.resolve("tmp"))) {
            LocalEtl etl = new LocalEtl(lake, pipelineFile, StateMachineDefinition.loadResource("statemachine/etl.asl.json"),
                    spark, out, err, Duration.ZERO);
            LocalStateMachine.Execution execution = etl.run(runId, input);
            if (!execution.succeeded()) {
                err.println("tarn: etl run " + runId + " failed: " + execution.error() + ": " + execution.cause());
                return 1;
            }
            JsonNode report = execution.output().path("repair").path("report");
            for (JsonNode table : report.path("tables")) {
                out.println("  " + table.path("table").asText() + ": " + table.path("partitions").asLong() + " partitions written, "
                        + table.path("registered").asLong() + " newly registered");
            }
            out.println("tarn etl: done; query with ./tarn query \"SELECT * FROM <table>\"");
            return 0;
        }
    }

    private int demo(Options options) throws Exception {
        options.noPositional();
        Path dir = options.dir();
        Path pipelineFile = pipelineFile(options, dir);
        PipelineConfig pipeline = PipelineLoader.load(pipelineFile);
        Path logFile = Files.createDirectories(dir.resolve("logs")).resolve("demo.log");
        out.println("tarn demo: the lake under " + dir.toAbsolutePath() + " (function logs: " + logFile + ")");
        try (LocalLake lake = LocalLake.open(dir);
                LocalEtl.LocalSpark spark = new LocalEtl.LocalSpark(dir.resolve("tmp"));
                PrintStream logs = new PrintStream(Files.newOutputStream(logFile,
                        java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND), true,
                        java.nio.charset.StandardCharsets.UTF_8)) {
            LocalDemo.Summary summary = new LocalDemo(lake, pipeline, pipelineFile, spark, out, logs)
                    .run("demo-" + RUN_ID_TIME.format(Instant.now()));
            return summary.etlSucceeded() ? 0 : 1;
        }
    }

    private int invoke(Options options) throws Exception {
        List<String> function = options.positional();
        if (function.size() != 1) {
            throw new UsageException("invoke takes one FUNCTION (a logical id of template.yaml), got " + function.size()
                    + " arguments");
        }
        Path event = Path.of(options.required("--event"));
        Path template = LocalInvoke.templateFile(Optional.ofNullable(options.value("--template")), options.dir());
        Path dir = options.dir();
        return new LocalInvoke(dir, () -> pipeline(options), () -> {
            try {
                return pipelineFile(options, dir);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, out, err).invoke(template, function.get(0), event);
    }

    private int up(Options options) throws Exception {
        options.noPositional();
        int port = options.port(LocalUp.DEFAULT_PORT);
        Optional<Duration> window = etlWindow(options.value("--etl-window"));
        Path dir = options.dir();
        LocalUp.start(dir, port, pipeline(options), pipelineFile(options, dir), window, out, err).runUntilShutdown();
        return 0;
    }

    /** {@code --etl-window}: seconds, or {@code off} for staging only. */
    private static Optional<Duration> etlWindow(String value) {
        if (value == null) {
            return Optional.of(LocalUp.DEFAULT_ETL_WINDOW);
        }
        if (value.equals("off")) {
            return Optional.empty();
        }
        try {
            int seconds = Integer.parseInt(value);
            if (seconds >= 1 && seconds <= 3600) {
                return Optional.of(Duration.ofSeconds(seconds));
            }
        } catch (NumberFormatException e) {
            // reported below, as for a number out of range
        }
        throw new UsageException("--etl-window takes a number of seconds from 1 to 3600 or off, got '" + value + "'");
    }

    /** pipeline.yaml as a file: --pipeline, ./pipeline.yaml, or the one in the tarn jar copied under DIR. */
    private static Path pipelineFile(Options options, Path dir) throws IOException {
        return BundledFile.resolve(Optional.ofNullable(options.value("--pipeline")), "--pipeline", "pipeline.yaml", dir);
    }

    private static PipelineConfig pipeline(Options options) {
        String path = options.value("--pipeline");
        if (path != null) {
            return PipelineLoader.load(Path.of(path));
        }
        Path local = Path.of("pipeline.yaml");
        return Files.exists(local) ? PipelineLoader.load(local) : PipelineLoader.loadResource("pipeline.yaml");
    }

    /** A mistake in how the command was called. */
    static final class UsageException extends RuntimeException {
        UsageException(String message) {
            super(message);
        }
    }

    /** {@code --name value} options and positional arguments. */
    record Options(java.util.Map<String, String> values, List<String> positional) {

        private static final List<String> KNOWN = List.of("--dataset", "--file", "--dir", "--account", "--pipeline",
                "--jdbc-url", "--user", "--password", "--tables", "--mode", "--datasets", "--run-id",
                "--event", "--template", "--port", "--etl-window");
        /** Options without a value: present or not. */
        private static final List<String> FLAGS = List.of("--snapshot-keys");

        static Options parse(Deque<String> args) {
            java.util.Map<String, String> values = new java.util.HashMap<>();
            List<String> positional = new ArrayList<>();
            while (!args.isEmpty()) {
                String arg = args.pop();
                if (FLAGS.contains(arg)) {
                    values.put(arg, "true");
                } else if (arg.startsWith("--")) {
                    if (!KNOWN.contains(arg)) {
                        throw new UsageException("unknown option " + arg);
                    }
                    if (args.isEmpty()) {
                        throw new UsageException("option " + arg + " needs a value");
                    }
                    values.put(arg, args.pop());
                } else {
                    positional.add(arg);
                }
            }
            return new Options(values, positional);
        }

        String value(String name) {
            return values.get(name);
        }

        boolean flag(String name) {
            return values.containsKey(name);
        }

        String required(String name) {
            String value = values.get(name);
            if (value == null) {
                throw new UsageException("missing " + name);
            }
            return value;
        }

        /**
         * DIR, created if missing and checked to be writable, for the commands that write under it:
         * a lake that cannot be written fails here in one line, not deep inside a server.
         */
        Path dir() {
            Path dir = readDir();
            try {
                Files.createDirectories(dir);
                Files.delete(Files.createTempFile(dir, ".tarn-write-check", ""));
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot write to DIR " + dir + ": " + reason(e), e);
            }
            return dir;
        }

        /** DIR as given, for commands that only read under it. */
        Path readDir() {
            return Path.of(values.getOrDefault("--dir", ".tarn"));
        }

        /** {@code --port}: a TCP port, 0 for any free one. */
        int port(int defaultPort) {
            String value = values.get("--port");
            if (value == null) {
                return defaultPort;
            }
            try {
                int port = Integer.parseInt(value);
                if (port >= 0 && port <= 65_535) {
                    return port;
                }
            } catch (NumberFormatException e) {
                // reported below, as for a number out of range
            }
            throw new UsageException("--port takes a port number from 0 to 65535, got '" + value + "'");
        }

        private static String reason(IOException e) {
            if (e instanceof java.nio.file.AccessDeniedException) {
                return "Permission denied";
            }
            if (e instanceof java.nio.file.FileAlreadyExistsException) {
                return "Not a directory";
            }
            if (e instanceof java.nio.file.FileSystemException f && f.getReason() != null) {
                return f.getReason();
            }
            return e.toString();
        }

        void noPositional() {
            if (!positional.isEmpty()) {
                throw new UsageException("unexpected argument '" + positional.get(0) + "'");
            }
        }
    }
}
