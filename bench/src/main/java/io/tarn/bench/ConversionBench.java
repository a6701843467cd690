package io.tarn.bench;

import io.tarn.aws.AwsSettings;
import io.tarn.aws.s3.S3Clients;
import io.tarn.aws.s3.S3ObjectStore;
import io.tarn.embedded.EmbeddedS3;
import io.tarn.ingest.IngestOutcome;
import io.tarn.ingest.IngestSettings;
import io.tarn.ingest.Manifest;
import io.tarn.ingest.RawObjectRef;
import io.tarn.ingest.RawObjectService;
import io.tarn.local.adapters.LocalCatalog;
import io.tarn.local.adapters.LocalLedger;
import io.tarn.local.lake.LocalLake;
import io.tarn.log.JsonLogger;
import io.tarn.parquet.ParquetSettings;
import io.tarn.pipeline.PipelineConfig;
import io.tarn.pipeline.PipelineLoader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Times the raw-to-staging conversion ({@link RawObjectService#process}) on a generated DMS
 * orders file against DuckDB doing the same CSV to partitioned ZSTD Parquet in one thread, in the
 * same JVM, and measures the heap the conversion needed.
 *
 * <p>Usage: {@code ConversionBench [--rows N] [--warmup-rows N] [--accounts 200,2000]
 * [--variants dt,nodt] [--engines ours,duckdb] [--repo DIR] [--label TEXT]}. Data files are
 * generated under {@code bench/target/data} once and reused.
 */
public final class ConversionBench {

    static final String RAW_KEY = "dms/shop/orders/LOAD00000001.csv";
    private static final long BYTES_PER_MB = 1_000_000L;
    private static final String[] STATUSES = {"pending", "paid", "shipped", "delivered", "cancelled", "refunded"};
    private static final String[] CURRENCIES = {"EUR", "USD", "GBP", "CHF"};
    private static final LocalDateTime FIRST_DAY = LocalDateTime.of(2025, 5, 1, 0, 0);
    private static final int DAYS = 30;

    private final Path repo;
    private final Path work;
    private final List<Result> results = new ArrayList<>();

    private final ParquetSettings parquet;

    private ConversionBench(Path repo, ParquetSettings parquet) {
        this.repo = repo;
        this.parquet = parquet;
        this.work = repo.resolve("bench/target/work");
    }

    public static void main(String[] args) throws Exception {
        Options options = Options.parse(args);
        ConversionBench bench = new ConversionBench(options.repo, options.parquet);
        bench.run(options);
    }

    private void run(Options options) throws Exception {
        printEnvironment(options);
        PipelineConfig withDt = PipelineLoader.load(repo.resolve("pipeline.yaml"));
        PipelineConfig withoutDt = withoutPartitionDate(repo.resolve("pipeline.yaml"));
        Path data = repo.resolve("bench/target/data");

        if (options.warmupRows > 0) {
            Path warm = generate(data, options.warmupRows, 200);
            // Account partitions only: the warm-up is there to compile the hot path, which a run
            // that fails for memory would not do in reasonable time.
            System.out.printf("warm-up: %s, account partitions only (not reported)%n", warm.getFileName());
            for (String engine : options.engines) {
                runOne(engine, "warmup", warm, 200, false, withDt, withoutDt);
            }
            results.clear();
        }
        for (int accounts : options.accounts) {
            Path csv = generate(data, options.rows, accounts);
            for (String variant : options.variants) {
                // Run 1 follows only the small warm-up, as the first large object of a fresh Lambda
                // container; later runs show the same container warm.
                for (int run = 1; run <= options.runs; run++) {
                    for (String engine : options.engines) {
                        runOne(engine, options.runs == 1 ? variant : variant + " #" + run, csv, accounts,
                                variant.equals("dt"), withDt, withoutDt);
                    }
                }
            }
        }
        printTable(options.label);
    }

    private void runOne(String engine, String variant, Path csv, int accounts, boolean dt,
            PipelineConfig withDt, PipelineConfig withoutDt) throws Exception {
        deleteTree(work);
        Files.createDirectories(work);
        Result result = switch (engine) {
            case "ours" -> ours(csv, dt ? withDt : withoutDt, false);
            case "ours-files" -> ours(csv, dt ? withDt : withoutDt, true);
            case "duckdb" -> duckdb(csv, dt);
            default -> throw new IllegalArgumentException("unknown engine " + engine + " (ours, ours-files or duckdb)");
        };
        result = result.with(engine, variant, accounts, Files.size(csv));
        System.out.printf("  process peak RSS during the run: %d MB%n", HeapProbe.peakRssKb() >> 10);
        results.add(result);
        System.out.println(result.line());
        deleteTree(work);
    }

    // ---- our conversion ------------------------------------------------------------------------

    /**
     * Our conversion, with the objects in the embedded S3 server or, for {@code files}, in plain
     * folders (the same conversion without the S3 server's share of this machine's two cores).
     */
    private Result ours(Path csv, PipelineConfig pipeline, boolean files) throws IOException {
        // S3 runs in a process of its own, as it runs beside a Lambda: its heap and threads are not
        // the conversion's. (It still shares this machine's two cores.)
        Path lakeDir = Files.createDirectories(work.resolve("lake"));
        try (SeparateS3 s3Server = files ? null : SeparateS3.start(lakeDir.resolve("s3"));
                S3Client s3 = files ? null : S3Clients.create(s3Server.settings())) {
            io.tarn.storage.ObjectStore store;
            if (files) {
                store = new FolderObjectStore(lakeDir.resolve("s3"));
            } else {
                s3.createBucket(b -> b.bucket(LocalLake.RAW_BUCKET));
                s3.createBucket(b -> b.bucket(LocalLake.STAGING_BUCKET));
                store = new S3ObjectStore(s3);
            }
            store.put(LocalLake.RAW_BUCKET, RAW_KEY, csv, "text/csv");
            RawObjectService service = new RawObjectService(
                    pipeline,
                    store,
                    new LocalCatalog(lakeDir.resolve("catalog")),
                    new LocalLedger(lakeDir.resolve("state")),
                    new IngestSettings(LocalLake.STAGING_BUCKET, lakeDir.resolve("tmp"), parquet),
                    Clock.systemUTC(),
                    JsonLogger.silent());

            HeapProbe heap = HeapProbe.start();
            long start = System.nanoTime();
            IngestOutcome outcome;
            try {
                outcome = service.process(RawObjectRef.of(LocalLake.RAW_BUCKET, RAW_KEY));
            } catch (OutOfMemoryError e) {
                double seconds = (System.nanoTime() - start) / 1e9;
                return Result.failed(seconds, heap.finish(), "OutOfMemoryError: " + e.getMessage());
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            HeapProbe.Figures heapFigures = heap.finish();
            if (!(outcome instanceof IngestOutcome.Processed processed)) {
                return Result.failed(seconds, heapFigures, "not processed: " + outcome);
            }
            Manifest manifest = processed.manifest();
            if (manifest.rowsQuarantined() > 0) {
                return Result.failed(seconds, heapFigures, manifest.rowsQuarantined() + " rows quarantined");
            }
            Tree out = Tree.of(lakeDir.resolve("s3").resolve(LocalLake.STAGING_BUCKET).resolve("orders_changes"), ".parquet");
            return new Result("", "", 0, 0, seconds, manifest.rowsWritten(), out.bytes, out.files,
                    manifest.partitions().size(), heapFigures, null);
        }
    }

    /** The embedded S3 server in a child JVM (see {@code EmbeddedS3Main}). */
    record SeparateS3(Process process, java.net.URI endpoint) implements AutoCloseable {

        static SeparateS3 start(Path root) throws IOException {
            Files.createDirectories(root);
            String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Process process = new ProcessBuilder(javaBin, "-Xmx512m", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                    "io.tarn.embedded.EmbeddedS3Main", root.toString())
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            java.io.BufferedReader out = new java.io.BufferedReader(
                    new java.io.InputStreamReader(process.getInputStream(), java.nio.charset.StandardCharsets.UTF_8));
            String line = out.readLine();
            if (line == null || !line.startsWith("endpoint ")) {
                process.destroyForcibly();
                throw new IOException("The embedded S3 server did not start (said: " + line + ")");
            }
            return new SeparateS3(process, java.net.URI.create(line.substring("endpoint ".length())));
        }

        AwsSettings settings() {
            return AwsSettings.local(endpoint, EmbeddedS3.REGION, EmbeddedS3.ACCESS_KEY, EmbeddedS3.SECRET_KEY);
        }

        @Override
        public void close() {
            try {
                process.getOutputStream().close();
                if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (IOException | InterruptedException e) {
                process.destroyForcibly();
            }
        }
    }

    // ---- DuckDB anchor -------------------------------------------------------------------------

    private Result duckdb(Path csv, boolean dt) throws SQLException, IOException {
        Path out = work.resolve("duckdb");
        String read = "read_csv('%s', header=false, delim=',', quote='\"', nullstr='\\N', "
                + "timestampformat='%%Y-%%m-%%d %%H:%%M:%%S.%%f', columns={"
                + "'op': 'VARCHAR', 'commit_ts': 'TIMESTAMP', 'order_id': 'BIGINT', 'account_id': 'VARCHAR', "
                + "'customer_id': 'BIGINT', 'status': 'VARCHAR', 'total': 'DECIMAL(12,2)', 'currency': 'VARCHAR', "
                + "'created_at': 'TIMESTAMP', 'updated_at': 'TIMESTAMP'})";
        String select = dt
                ? "SELECT *, CAST(created_at AS DATE) AS dt FROM " + read
                : "SELECT * FROM " + read;
        String sql = ("COPY (" + select + ") TO '%s' (FORMAT PARQUET, COMPRESSION ZSTD, PARTITION_BY ("
                + (dt ? "account_id, dt" : "account_id") + "))").formatted(csv.toAbsolutePath(), out.toAbsolutePath());
        long rows;
        double seconds;
        try (Connection connection = DriverManager.getConnection("jdbc:duckdb:");
                Statement statement = connection.createStatement()) {
            statement.execute("SET threads=1");
            HeapProbe.resetPeakRss();
            long start = System.nanoTime();
            statement.execute(sql);
            seconds = (System.nanoTime() - start) / 1e9;
            rows = statement.getUpdateCount();
        }
        Tree tree = Tree.of(out, ".parquet");
        return new Result("", "", 0, 0, seconds, rows, tree.bytes, tree.files, tree.dirs, null, null);
    }

    // ---- input ---------------------------------------------------------------------------------

    /**
     * A DMS full-load orders file: {@code I}, commit timestamp, then the pipeline's columns. Rows
     * come in order_id order with created_at rising over {@value #DAYS} days (a full load reads by
     * primary key), accounts drawn uniformly at random, a fifth of updated_at NULL.
     */
    static Path generate(Path dir, int rows, int accounts) throws IOException {
        Path file = dir.resolve("orders-%d-rows-%d-accounts.csv".formatted(rows, accounts));
        if (Files.exists(file)) {
            return file;
        }
        Files.createDirectories(dir);
        Path partial = dir.resolve(file.getFileName() + ".partial");
        SplittableRandom random = new SplittableRandom(20250501L + accounts);
        long firstMicros = FIRST_DAY.toEpochSecond(ZoneOffset.UTC) * 1_000_000L;
        long spanMicros = DAYS * 86_400L * 1_000_000L;
        StringBuilder line = new StringBuilder(160);
        try (BufferedWriter out = Files.newBufferedWriter(partial, StandardCharsets.UTF_8)) {
            for (int i = 0; i < rows; i++) {
                long created = firstMicros + spanMicros * i / rows + random.nextLong(1_000_000L);
                long committed = created + random.nextLong(2_000_000L);
                line.setLength(0);
                line.append("I,");
                timestamp(line, committed).append(',');
                line.append(1_000_000L + i).append(',');
                line.append("acct-").append(String.format(Locale.ROOT, "%04d", random.nextInt(accounts))).append(',');
                line.append(random.nextInt(1, 500_000)).append(',');
                line.append(STATUSES[random.nextInt(STATUSES.length)]).append(',');
                long cents = random.nextLong(100L, 2_000_000L);
                line.append(cents / 100).append('.');
                long fraction = cents % 100;
                line.append(fraction < 10 ? "0" : "").append(fraction).append(',');
                line.append(CURRENCIES[random.nextInt(CURRENCIES.length)]).append(',');
                timestamp(line, created).append(',');
                if (random.nextInt(5) == 0) {
                    line.append("\\N");
                } else {
                    timestamp(line, created + random.nextLong(3L * 86_400L * 1_000_000L));
                }
                line.append('\n');
                out.append(line);
            }
        }
        Files.move(partial, file);
        return file;
    }

    private static StringBuilder timestamp(StringBuilder out, long micros) {
        LocalDateTime time = LocalDateTime.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), 0, ZoneOffset.UTC);
        return out.append(String.format(Locale.ROOT, "%04d-%02d-%02d %02d:%02d:%02d.%06d",
                time.getYear(), time.getMonthValue(), time.getDayOfMonth(),
                time.getHour(), time.getMinute(), time.getSecond(), Math.floorMod(micros, 1_000_000L)));
    }

    /** The pipeline as written, except that orders has no dt partition: account partitions only. */
    private static PipelineConfig withoutPartitionDate(Path pipelineFile) throws IOException {
        String yaml = Files.readString(pipelineFile);
        String stripped = yaml.replace("    partition_date: created_at\n", "");
        if (stripped.equals(yaml)) {
            throw new IllegalStateException("pipeline.yaml has no 'partition_date: created_at' line for orders");
        }
        return PipelineLoader.parse(stripped, pipelineFile + " without partition_date");
    }

    // ---- reporting -----------------------------------------------------------------------------

    record Result(String engine, String variant, int accounts, long inputBytes, double seconds, long rows,
            long outputBytes, long files, long partitions, HeapProbe.Figures heap, String failure) {

        static Result failed(double seconds, HeapProbe.Figures heap, String failure) {
            return new Result("", "", 0, 0, seconds, 0, 0, 0, 0, heap, failure);
        }

        Result with(String newEngine, String newVariant, int newAccounts, long newInputBytes) {
            return new Result(newEngine, newVariant, newAccounts, newInputBytes, seconds, rows, outputBytes, files,
                    partitions, heap, failure);
        }

        double mbPerSecond() {
            return inputBytes / (double) BYTES_PER_MB / seconds;
        }

        String line() {
            String heapText = heap == null ? "-" : "%d MB peak (sum of pools), %d MB old gen peak, %d MB max after GC, GC %d ms in %d".formatted(
                    heap.sumOfPoolPeaks() >> 20, heap.oldGenPeak() >> 20, heap.maxAfterGc() >> 20, heap.gcMillis(), heap.gcCount());
            if (failure != null) {
                return "%-6s %-4s %5d accounts: FAILED after %.1f s: %s; heap %s".formatted(
                        engine, variant, accounts, seconds, failure, heapText);
            }
            return "%-6s %-4s %5d accounts: %.2f s, %.1f MB/s, %.0f rows/s, %d rows, %d partitions, %d files, %.1f MB out; heap %s"
                    .formatted(engine, variant, accounts, seconds, mbPerSecond(), rows / seconds, rows, partitions, files,
                            outputBytes / (double) BYTES_PER_MB, heapText);
        }
    }

    private void printTable(String label) {
        System.out.println();
        System.out.println("## " + label);
        System.out.println();
        System.out.println("| case | engine | seconds | MB/s | rows/s | partitions | files | output MB | heap: peak (sum of pools) / old gen / max after GC, MB | GC ms | ours/DuckDB |");
        System.out.println("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: |");
        for (Result r : results) {
            String ratio = "";
            if (r.engine.startsWith("ours") && r.failure == null) {
                ratio = results.stream()
                        .filter(d -> d.engine.equals("duckdb") && d.failure == null && d.accounts == r.accounts
                                && d.variant.equals(r.variant))
                        .findFirst()
                        .map(d -> "%.2f".formatted(r.mbPerSecond() / d.mbPerSecond()))
                        .orElse("");
            }
            String heap = r.heap == null ? "native (not on the Java heap)"
                    : "%d / %d / %d".formatted(r.heap.sumOfPoolPeaks() >> 20, r.heap.oldGenPeak() >> 20, r.heap.maxAfterGc() >> 20);
            String gc = r.heap == null ? "" : Long.toString(r.heap.gcMillis());
            int run = r.variant.indexOf(" #");
            String caseName = "%d accounts, %s%s".formatted(r.accounts,
                    r.variant.startsWith("dt") ? "account_id x dt" : "account_id only",
                    run < 0 ? "" : ", run " + r.variant.substring(run + 2));
            if (r.failure != null) {
                System.out.printf("| %s | %s | FAILED after %.1f s: %s | | | | | | %s | %s | |%n",
                        caseName, r.engine, r.seconds, r.failure, heap, gc);
            } else {
                System.out.printf("| %s | %s | %.2f | %.1f | %,.0f | %,d | %,d | %.1f | %s | %s | %s |%n",
                        caseName, r.engine, r.seconds, r.mbPerSecond(), r.rows / r.seconds, r.partitions, r.files,
                        r.outputBytes / (double) BYTES_PER_MB, heap, gc, ratio);
            }
        }
    }

    private void printEnvironment(Options options) throws IOException {
        var runtime = ManagementFactory.getRuntimeMXBean();
        System.out.printf("java %s (%s), max heap %d MB, GC %s%n", System.getProperty("java.version"),
                runtime.getVmName(), Runtime.getRuntime().maxMemory() >> 20,
                ManagementFactory.getGarbageCollectorMXBeans().stream().map(GarbageCollectorMXBean::getName).toList());
        System.out.println("JVM flags: " + String.join(" ", runtime.getInputArguments()));
        System.out.printf("rows %d, accounts %s, variants %s, engines %s%n",
                options.rows, options.accounts, options.variants, options.engines);
        Path lambdaJar = repo.resolve("functions/raw-object/target/tarn-raw-object-0.1.0-SNAPSHOT-lambda.jar");
        if (Files.exists(lambdaJar)) {
            try (JarFile jar = new JarFile(lambdaJar.toFile())) {
                long hadoop = jar.stream().filter(e -> e.getName().startsWith("org/apache/hadoop/")).count();
                System.out.printf("raw-object Lambda jar: %s, %.1f MB (%d bytes), %d entries, %d under org/apache/hadoop/%n",
                        lambdaJar.getFileName(), Files.size(lambdaJar) / (double) BYTES_PER_MB, Files.size(lambdaJar),
                        jar.size(), hadoop);
            }
        } else {
            System.out.println("raw-object Lambda jar: not built (" + lambdaJar + ")");
        }
    }

    // ---- files ---------------------------------------------------------------------------------

    private record Tree(long bytes, long files, long dirs) {
        static Tree of(Path root, String suffix) throws IOException {
            if (!Files.exists(root)) {
                return new Tree(0, 0, 0);
            }
            try (Stream<Path> paths = Files.walk(root)) {
                long[] totals = new long[2];
                List<Path> parents = new ArrayList<>();
                paths.filter(p -> p.getFileName().toString().endsWith(suffix) && Files.isRegularFile(p)).forEach(p -> {
                    try {
                        totals[0] += Files.size(p);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                    totals[1]++;
                    parents.add(p.getParent());
                });
                return new Tree(totals[0], totals[1], parents.stream().distinct().count());
            }
        }
    }

    /** Deletes a folder and everything under it; a missing folder is fine. */
    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    // ---- arguments -----------------------------------------------------------------------------

    private record Options(Path repo, int rows, int warmupRows, List<Integer> accounts, List<String> variants,
            List<String> engines, String label, ParquetSettings parquet, int runs) {

        static Options parse(String[] args) {
            Path repo = Path.of(".");
            int rows = 2_000_000;
            int warmupRows = 200_000;
            List<Integer> accounts = List.of(200, 2000);
            List<String> variants = List.of("dt", "nodt");
            List<String> engines = List.of("ours", "duckdb");
            String label = "results";
            ParquetSettings parquet = ParquetSettings.defaults();
            int runs = 1;
            for (int i = 0; i < args.length; i++) {
                String value = i + 1 < args.length ? args[i + 1] : null;
                if (value == null) {
                    throw new IllegalArgumentException("option " + args[i] + " needs a value");
                }
                switch (args[i]) {
                    case "--repo" -> repo = Path.of(value);
                    case "--rows" -> rows = Integer.parseInt(value);
                    case "--warmup-rows" -> warmupRows = Integer.parseInt(value);
                    case "--accounts" -> accounts = Stream.of(value.split(",")).map(Integer::valueOf).toList();
                    case "--variants" -> variants = List.of(value.split(","));
                    case "--engines" -> engines = List.of(value.split(","));
                    case "--label" -> label = value;
                    case "--memory-budget-mb" -> parquet = parquet.withMemoryBudget(Long.parseLong(value) << 20);
                    case "--encode-in-background" -> parquet = parquet.withEncodeInBackground(Boolean.parseBoolean(value));
                    case "--runs" -> runs = Integer.parseInt(value);
                    default -> throw new IllegalArgumentException("unknown option " + args[i]);
                }
                i++;
            }
            return new Options(repo.toAbsolutePath().normalize(), rows, warmupRows, accounts, variants, engines, label,
                    parquet, runs);
        }
    }
}
