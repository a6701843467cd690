package io.tarn.bench;

import io.tarn.aws.AwsSettings;
import io.tarn.aws.s3.S3Clients;
import io.tarn.aws.s3.S3ObjectStore;
import io.tarn.embedded.EmbeddedS3;
import io.tarn.embedded.sqlserver.H2SqlServerConnection;
import io.tarn.embedded.sqlserver.H2SqlServerEmulation;
import io.tarn.local.adapters.LocalAzureSql;
import io.tarn.local.adapters.LocalWatermarks;
import io.tarn.local.lake.LocalLake;
import io.tarn.log.JsonLogger;
import io.tarn.pipeline.PipelineConfig;
import io.tarn.pipeline.PipelineLoader;
import io.tarn.pipeline.PollSpec;
import io.tarn.poll.ConnectionFactory;
import io.tarn.poll.Deadline;
import io.tarn.poll.PollReport;
import io.tarn.poll.PollRequest;
import io.tarn.poll.PollerSettings;
import io.tarn.poll.SqlPollerService;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.math.BigDecimal;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Date;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Times {@link SqlPollerService} reading a whole table from an empty watermark into the raw bucket
 * of the embedded S3 server, and measures the heap it needed.
 *
 * <p>The source is an H2 file database in MS SQL Server mode with the shapes of pipeline.yaml's
 * {@code invoices} (timestamp strategy on {@code updated_at}) and {@code accounts} (rowversion,
 * emulated by {@link H2SqlServerEmulation}), generated once under {@code bench/target/data}. The
 * database and the S3 server each run in a JVM of their own, as Azure SQL and S3 are remote to the
 * Lambda: the heap measured here is the poller's (and its JDBC and S3 clients').
 *
 * <p>Usage: {@code PollerBench [--rows N] [--page-size N] [--tables invoices,accounts] [--runs N]
 * [--repo DIR] [--label TEXT]}.
 */
public final class PollerBench {

    private static final long BYTES_PER_MB = 1_000_000L;
    private static final int INSERT_BATCH = 10_000;
    private static final LocalDateTime FIRST_DAY = LocalDateTime.of(2025, 5, 1, 0, 0);
    private static final int DAYS = 30;
    private static final int ACCOUNTS_OF_INVOICES = 2_000;
    private static final String[] CURRENCIES = {"EUR", "USD", "GBP", "CHF"};
    private static final String[] PLANS = {"starter", "growth", "enterprise"};
    private static final String[] REGIONS = {"eu-west-1", "eu-west-2", "us-east-1", "us-west-2"};

    private final Options options;
    private final List<Result> results = new ArrayList<>();

    private PollerBench(Options options) {
        this.options = options;
    }

    public static void main(String[] args) throws Exception {
        new PollerBench(Options.parse(args)).run();
    }

    private void run() throws Exception {
        printEnvironment();
        PipelineConfig pipeline = withPageSize(options.repo.resolve("pipeline.yaml"), options.pageSize);
        Path database = generate(options.repo.resolve("bench/target/data"), options.rows);
        Path work = options.repo.resolve("bench/target/work-poller");
        try (ChildJvm h2 = ChildJvm.h2Server(database.getParent())) {
            String url = "jdbc:h2:" + h2.endpoint() + "/" + database.getFileName() + ";MODE=MSSQLServer;DATABASE_TO_LOWER=TRUE";
            System.out.println("source: " + url);
            ConnectionFactory connections = () -> H2SqlServerConnection.open(url, "sa", "");
            for (int run = 1; run <= options.runs; run++) {
                for (String table : options.tables) {
                    Result result = runOne(pipeline, connections, table, work, run);
                    results.add(result);
                    System.out.println(result.line());
                }
            }
        }
        ConversionBench.deleteTree(work);
        printTable();
    }

    private Result runOne(PipelineConfig pipeline, ConnectionFactory connections, String table, Path work, int run)
            throws IOException {
        ConversionBench.deleteTree(work);
        Path s3Root = Files.createDirectories(work.resolve("s3"));
        PollSpec poll = pipeline.dataset(table).orElseThrow().poll().orElseThrow();
        try (ChildJvm s3Server = ChildJvm.s3Server(s3Root);
                S3Client s3 = S3Clients.create(AwsSettings.local(URI.create(s3Server.endpoint()), EmbeddedS3.REGION,
                        EmbeddedS3.ACCESS_KEY, EmbeddedS3.SECRET_KEY))) {
            s3.createBucket(b -> b.bucket(LocalLake.RAW_BUCKET));
            SqlPollerService service = new SqlPollerService(
                    pipeline,
                    connections,
                    new S3ObjectStore(s3),
                    new LocalWatermarks(work.resolve("state")),
                    new PollerSettings(LocalLake.RAW_BUCKET, work.resolve("tmp"), Duration.ZERO, PollerSettings.DEFAULT_LEASE),
                    SqlPollerService.randomLeaseOwners("poller-bench"),
                    Clock.systemUTC(),
                    JsonLogger.silent());

            HeapProbe heap = HeapProbe.start();
            long start = System.nanoTime();
            PollReport report;
            try {
                report = service.poll(new PollRequest(List.of(table)), Deadline.none());
            } catch (OutOfMemoryError e) {
                double seconds = (System.nanoTime() - start) / 1e9;
                return Result.failed(table, run, poll, seconds, heap.finish(), "OutOfMemoryError: " + e.getMessage());
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            HeapProbe.Figures figures = heap.finish();
            PollReport.TableReport tableReport = report.tables().get(0);
            Tree raw = Tree.of(s3Root.resolve(LocalLake.RAW_BUCKET), ".csv");
            String failure = null;
            if (!tableReport.caughtUp() || tableReport.rows() != options.rows || raw.files != tableReport.pages()) {
                failure = "incomplete: %d rows in %d pages, %d objects, caught up %s, stopped %s".formatted(
                        tableReport.rows(), tableReport.pages(), raw.files, tableReport.caughtUp(),
                        tableReport.stoppedBecause().orElse("-"));
            }
            return new Result(table, tableReport.strategy(), run, poll.pageSize(), poll.fetchSize(), seconds,
                    tableReport.rows(), raw.files, raw.bytes, figures, failure);
        }
    }

    // ---- source database -------------------------------------------------------------------------

    /**
     * The H2 database with {@code rows} rows in each of {@code dbo.invoices} and {@code dbo.accounts},
     * built under a {@code .partial} folder and renamed when complete, so an interrupted generation
     * is never reused. Returns the database's path without the {@code .mv.db} suffix.
     */
    static Path generate(Path dataDir, int rows) throws IOException, SQLException {
        Path folder = dataDir.resolve("poller-h2-" + rows);
        Path database = folder.resolve("source");
        if (Files.exists(folder)) {
            // H2 keeps a function by its class's name, and the emulation's class has moved since
            // some databases were generated: point them at it again.
            try (Connection connection = DriverManager.getConnection(fileUrl(database), "sa", "")) {
                H2SqlServerEmulation.install(connection);
            }
            return database;
        }
        Path partial = dataDir.resolve(folder.getFileName() + ".partial");
        ConversionBench.deleteTree(partial);
        Files.createDirectories(partial);
        long start = System.nanoTime();
        try (Connection connection = DriverManager.getConnection(fileUrl(partial.resolve("source")), "sa", "")) {
            // The tables of pipeline.yaml, as the local command creates them.
            LocalAzureSql.createTables(connection);
            connection.setAutoCommit(false);
            insertInvoices(connection, rows);
            insertAccounts(connection, rows);
            connection.setAutoCommit(true);
            try (Statement sql = connection.createStatement()) {
                // The index a keyset poll needs on its cursor in SQL Server too: without it every
                // page scans and sorts the table. Built after the rows, which loads faster.
                sql.execute("CREATE INDEX ix_invoices_updated_at ON dbo.invoices (updated_at, invoice_id)");
                sql.execute("CREATE UNIQUE INDEX ix_accounts_rv ON dbo.accounts (rv)");
                sql.execute("SHUTDOWN COMPACT");
            }
        }
        Files.move(partial, folder);
        System.out.printf("generated %s: %,d invoices and %,d accounts in %.1f s, %.1f MB%n", folder, rows, rows,
                (System.nanoTime() - start) / 1e9, Files.size(folder.resolve("source.mv.db")) / (double) BYTES_PER_MB);
        return database;
    }

    private static String fileUrl(Path database) {
        return "jdbc:h2:file:" + database.toAbsolutePath() + ";MODE=MSSQLServer;DATABASE_TO_LOWER=TRUE";
    }

    /**
     * Invoices in invoice_id order, updated_at drawn uniformly over {@value #DAYS} days at whole
     * seconds, so that about one row in six ties with another on the cursor and pages are ordered
     * differently from the primary key.
     */
    private static void insertInvoices(Connection connection, int rows) throws SQLException {
        SplittableRandom random = new SplittableRandom(20250501L);
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO dbo.invoices"
                + " (invoice_id, account_id, amount, currency, issued_on, paid, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
            for (int i = 0; i < rows; i++) {
                LocalDateTime updated = FIRST_DAY.plusSeconds(random.nextLong(DAYS * 86_400L));
                insert.setLong(1, 1_000_000L + i);
                insert.setString(2, "acct-" + String.format(Locale.ROOT, "%04d", random.nextInt(ACCOUNTS_OF_INVOICES)));
                insert.setBigDecimal(3, BigDecimal.valueOf(random.nextLong(100L, 2_000_000L), 2));
                insert.setString(4, CURRENCIES[random.nextInt(CURRENCIES.length)]);
                insert.setDate(5, Date.valueOf(updated.toLocalDate().minusDays(random.nextInt(10))));
                insert.setBoolean(6, random.nextBoolean());
                insert.setTimestamp(7, Timestamp.valueOf(updated));
                insert.addBatch();
                if ((i + 1) % INSERT_BATCH == 0 || i + 1 == rows) {
                    insert.executeBatch();
                    connection.commit();
                }
            }
        }
    }

    /** Accounts; rv is given by the emulated rowversion counter on insert, in insert order. */
    private static void insertAccounts(Connection connection, int rows) throws SQLException {
        SplittableRandom random = new SplittableRandom(20250502L);
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO dbo.accounts"
                + " (account_id, name, plan, region, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)")) {
            for (int i = 0; i < rows; i++) {
                LocalDateTime created = FIRST_DAY.minusDays(365).plusSeconds(random.nextLong(365 * 86_400L));
                insert.setString(1, "acct-" + String.format(Locale.ROOT, "%07d", i));
                insert.setString(2, "Account " + i);
                insert.setString(3, PLANS[random.nextInt(PLANS.length)]);
                insert.setString(4, REGIONS[random.nextInt(REGIONS.length)]);
                insert.setTimestamp(5, Timestamp.valueOf(created));
                insert.setTimestamp(6, Timestamp.valueOf(created.plusSeconds(random.nextLong(30 * 86_400L))));
                insert.addBatch();
                if ((i + 1) % INSERT_BATCH == 0 || i + 1 == rows) {
                    insert.executeBatch();
                    connection.commit();
                }
            }
        }
    }

    /** pipeline.yaml with every {@code page_size} of a poll block set to {@code pageSize}. */
    private static PipelineConfig withPageSize(Path pipelineFile, int pageSize) throws IOException {
        String yaml = Files.readString(pipelineFile);
        String changed = yaml.replaceAll("(?m)^(\\s+)page_size: \\d+$", "$1page_size: " + pageSize);
        if (changed.equals(yaml) && !yaml.contains("page_size: " + pageSize)) {
            throw new IllegalStateException("pipeline.yaml has no page_size line to set");
        }
        return PipelineLoader.parse(changed, pipelineFile + " with page_size " + pageSize);
    }

    // ---- child processes -------------------------------------------------------------------------

    /**
     * A server in a JVM of its own on this benchmark's class path, started once it has printed
     * the line that says it listens.
     */
    private record ChildJvm(Process process, String endpoint) implements AutoCloseable {

        /** The embedded S3 server (see {@code EmbeddedS3Main}); it stops when its stdin closes. */
        static ChildJvm s3Server(Path root) throws IOException {
            Process process = start(List.of("io.tarn.embedded.EmbeddedS3Main", root.toString()));
            String line = firstLine(process, "endpoint ");
            return new ChildJvm(process, line.substring("endpoint ".length()));
        }

        /** H2's TCP server on the folder holding the database; it may open existing databases only. */
        static ChildJvm h2Server(Path baseDir) throws IOException {
            int port;
            try (ServerSocket socket = new ServerSocket(0)) {
                port = socket.getLocalPort();
            }
            Process process = start(List.of("org.h2.tools.Server", "-tcp", "-tcpPort", Integer.toString(port),
                    "-baseDir", baseDir.toAbsolutePath().toString(), "-ifExists"));
            firstLine(process, "TCP server running at ");
            return new ChildJvm(process, "tcp://localhost:" + port);
        }

        private static Process start(List<String> mainAndArgs) throws IOException {
            List<String> command = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx1g", "-cp", System.getProperty("java.class.path")));
            command.addAll(mainAndArgs);
            return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        }

        private static String firstLine(Process process, String prefix) throws IOException {
            BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            String line;
            while ((line = out.readLine()) != null) {
                if (line.startsWith(prefix)) {
                    return line;
                }
            }
            process.destroyForcibly();
            throw new IOException("a child JVM exited before printing '" + prefix + "...'");
        }

        @Override
        public void close() {
            try {
                process.getOutputStream().close();
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    // H2's server ignores stdin; SIGTERM runs its shutdown hook, which closes the database.
                    process.destroy();
                    if (!process.waitFor(10, TimeUnit.SECONDS)) {
                        process.destroyForcibly();
                    }
                }
            } catch (IOException | InterruptedException e) {
                process.destroyForcibly();
            }
        }
    }

    // ---- reporting -------------------------------------------------------------------------------

    record Result(String table, String strategy, int run, int pageSize, int fetchSize, double seconds, long rows,
            long objects, long bytes, HeapProbe.Figures heap, String failure) {

        static Result failed(String table, int run, PollSpec poll, double seconds, HeapProbe.Figures heap, String failure) {
            return new Result(table, poll.strategy().configName(), run, poll.pageSize(), poll.fetchSize(), seconds, 0, 0,
                    0, heap, failure);
        }

        String line() {
            if (failure != null) {
                return "%-8s run %d: FAILED after %.1f s: %s; %s".formatted(table, run, seconds, failure, heap.text());
            }
            return "%-8s run %d (%s, page %d, fetch %d): %.2f s, %,.0f rows/s, %,d rows, %d objects, %.1f MB; %s".formatted(
                    table, run, strategy, pageSize, fetchSize, seconds, rows / seconds, rows, objects,
                    bytes / (double) BYTES_PER_MB, heap.text());
        }
    }

    private void printTable() {
        System.out.println();
        System.out.println("## " + options.label);
        System.out.println();
        System.out.println("| table | strategy | run | page / fetch size | seconds | rows/s | rows | objects | MB written"
                + " | heap: peak (sum of pools) / old gen / max after GC, MB | GC ms (count) | peak RSS MB |");
        System.out.println("| --- | --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: |");
        for (Result r : results) {
            HeapProbe.Figures h = r.heap;
            String heap = "%d / %d / %d".formatted(h.sumOfPoolPeaks() >> 20, h.oldGenPeak() >> 20, h.maxAfterGc() >> 20);
            if (r.failure != null) {
                System.out.printf("| %s | %s | %d | %,d / %,d | FAILED after %.1f s: %s | | | | | %s | %d (%d) | %d |%n",
                        r.table, r.strategy, r.run, r.pageSize, r.fetchSize, r.seconds, r.failure, heap, h.gcMillis(),
                        h.gcCount(), h.peakRssKb() >> 10);
            } else {
                System.out.printf("| %s | %s | %d | %,d / %,d | %.2f | %,.0f | %,d | %d | %.1f | %s | %d (%d) | %d |%n",
                        r.table, r.strategy, r.run, r.pageSize, r.fetchSize, r.seconds, r.rows / r.seconds, r.rows,
                        r.objects, r.bytes / (double) BYTES_PER_MB, heap, h.gcMillis(), h.gcCount(), h.peakRssKb() >> 10);
            }
        }
    }

    private void printEnvironment() {
        var runtime = ManagementFactory.getRuntimeMXBean();
        System.out.printf("java %s (%s), max heap %d MB, GC %s%n", System.getProperty("java.version"),
                runtime.getVmName(), Runtime.getRuntime().maxMemory() >> 20,
                ManagementFactory.getGarbageCollectorMXBeans().stream().map(GarbageCollectorMXBean::getName).toList());
        System.out.println("JVM flags: " + String.join(" ", runtime.getInputArguments()));
        System.out.printf("rows %,d, page size %,d, tables %s, runs %d%n", options.rows, options.pageSize, options.tables,
                options.runs);
    }

    // ---- files -----------------------------------------------------------------------------------

    private record Tree(long bytes, long files) {
        static Tree of(Path root, String suffix) throws IOException {
            if (!Files.exists(root)) {
                return new Tree(0, 0);
            }
            long bytes = 0;
            long files = 0;
            try (Stream<Path> paths = Files.walk(root)) {
                for (Path p : paths.filter(p -> p.getFileName().toString().endsWith(suffix) && Files.isRegularFile(p))
                        .toList()) {
                    bytes += Files.size(p);
                    files++;
                }
            }
            return new Tree(bytes, files);
        }
    }


    // ---- arguments -------------------------------------------------------------------------------

    private record Options(Path repo, int rows, int pageSize, List<String> tables, int runs, String label) {

        static Options parse(String[] args) {
            Path repo = Path.of(".");
            int rows = 1_000_000;
            int pageSize = PollSpec.DEFAULT_PAGE_SIZE;
            List<String> tables = List.of("invoices", "accounts");
            int runs = 1;
            String label = "results";
            for (int i = 0; i < args.length; i += 2) {
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException("option " + args[i] + " needs a value");
                }
                String value = args[i + 1];
                switch (args[i]) {
                    case "--repo" -> repo = Path.of(value);
                    case "--rows" -> rows = Integer.parseInt(value);
                    case "--page-size" -> pageSize = Integer.parseInt(value);
                    case "--tables" -> tables = List.of(value.split(","));
                    case "--runs" -> runs = Integer.parseInt(value);
                    case "--label" -> label = value;
                    default -> throw new IllegalArgumentException("unknown option " + args[i]
                            + " (--rows, --page-size, --tables, --runs, --repo, --label)");
                }
            }
            return new Options(repo.toAbsolutePath().normalize(), rows, pageSize, tables, runs, label);
        }
    }
}
