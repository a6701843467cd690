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
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Measures the raw-to-staging conversion ({@link RawObjectService#process}) on a generated DMS
 * orders file against DuckDB doing the same CSV to partitioned ZSTD Parquet in one thread, in the
 * same JVM, in CPU seconds of this process (and wall seconds), and the heap the conversion needed.
 * Run under {@code taskset -c 0} both engines share one core, and CPU time is then the cost per
 * core; the header says whether the JVM was pinned.
 *
 * <p>Usage: {@code ConversionBench [--rows N] [--warmup-rows N] [--accounts 200,2000]
 * [--variants dt,nodt] [--engines ours,ours-files,duckdb] [--runs N] [--repo DIR] [--label TEXT]
 * [--generate-only]}. Data files are generated under {@code bench/target/data} once and reused;
 * {@code --generate-only} generates them, prints their paths and exits.
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
        if (options.generateOnly) {
            for (int accounts : options.accounts) {
                System.out.println(generate(options.repo.resolve("bench/target/data"), options.rows, accounts));
            }
            return;
        }
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
            long serverCpuStart = files ? 0 : CpuClock.nanosOf(s3Server.process().toHandle());
            long cpuStart = CpuClock.processNanos();
            long start = System.nanoTime();
            IngestOutcome outcome;
            try {
                outcome = service.process(RawObjectRef.of(LocalLake.RAW_BUCKET, RAW_KEY));
            } catch (OutOfMemoryError e) {
                Times times = Times.since(start, cpuStart, s3Server, serverCpuStart);
                return Result.failed(times, heap.finish(), "OutOfMemoryError: " + e.getMessage());
            }
            Times times = Times.since(start, cpuStart, s3Server, serverCpuStart);
            HeapProbe.Figures heapFigures = heap.finish();
            if (!(outcome instanceof IngestOutcome.Processed processed)) {
                return Result.failed(times, heapFigures, "not processed: " + outcome);
            }
            Manifest manifest = processed.manifest();
            if (manifest.rowsQuarantined() > 0) {
                return Result.failed(times, heapFigures, manifest.rowsQuarantined() + " rows quarantined");
            }
            Tree out = Tree.of(lakeDir.resolve("s3").resolve(LocalLake.STAGING_BUCKET).resolve("orders_changes"), ".parquet");
            String sample = manifest.partitions().isEmpty() ? "-" : String.join("/", manifest.partitions().get(0).values());
            return new Result("", "", 0, 0, times, manifest.rowsWritten(), out.bytes, out.files,
                    manifest.partitions().size(), sample, heapFigures, null);
        }
    }

    /**
     * Wall and CPU seconds of one timed call: this JVM's CPU, and the S3 server's (its own process)
     * apart, NaN when there was none.
     */
    record Times(double wallSeconds, double cpuSeconds, double serverCpuSeconds) {

        static Times since(long wallStart, long cpuStart, SeparateS3 server, long serverCpuStart) {
            double wall = (System.nanoTime() - wallStart) / 1e9;
            double cpu = (CpuClock.processNanos() - cpuStart) / 1e9;
            double serverCpu = server == null ? Double.NaN
                    : (CpuClock.nanosOf(server.process().toHandle()) - serverCpuStart) / 1e9;
            return new Times(wall, cpu, serverCpu);
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
        String sql = duckDbCopy(csv, out, dt ? Optional.of(LocalDate.now(ZoneOffset.UTC)) : Optional.empty());
        long rows;
        Times times;
        try (Connection connection = DriverManager.getConnection("jdbc:duckdb:");
                Statement statement = connection.createStatement()) {
            statement.execute("SET threads=1");
            HeapProbe.resetPeakRss();
            long cpuStart = CpuClock.processNanos();
            long start = System.nanoTime();
            statement.execute(sql);
            times = Times.since(start, cpuStart, null, 0);
            rows = statement.getUpdateCount();
        }
        Tree tree = Tree.of(out, ".parquet");
        String sample;
        try (Stream<Path> dirs = Files.walk(out)) {
            sample = dirs.filter(p -> p.getFileName().toString().endsWith(".parquet")).findFirst()
                    .map(p -> out.relativize(p.getParent()).toString()).orElse("-");
        }
        return new Result("", "", 0, 0, times, rows, tree.bytes, tree.files, tree.dirs, sample, null, null);
    }

    /**
     * DuckDB's COPY of a generated file to ZSTD Parquet under {@code out}, partitioned as ours is.
     * Our change log's partitions are account x the day the object landed (every row of an object
     * lands in one day, whatever its created_at), so with {@code landingDay} the copy adds that day
     * as a constant {@code dt} column and partitions by {@code (account_id, dt)}, which writes the
     * same partitions as ours with pipeline.yaml as written; without, by {@code account_id} only
     * (the {@code nodt} case: the pipeline without partition_date).
     */
    static String duckDbCopy(Path csv, Path out, Optional<LocalDate> landingDay) {
        String read = "read_csv('%s', header=false, delim=',', quote='\"', nullstr='\\N', "
                + "timestampformat='%%Y-%%m-%%d %%H:%%M:%%S.%%f', columns={"
                + "'op': 'VARCHAR', 'commit_ts': 'TIMESTAMP', 'order_id': 'BIGINT', 'account_id': 'VARCHAR', "
                + "'customer_id': 'BIGINT', 'status': 'VARCHAR', 'total': 'DECIMAL(12,2)', 'currency': 'VARCHAR', "
                + "'created_at': 'TIMESTAMP', 'updated_at': 'TIMESTAMP'})";
        String select = landingDay
                .map(day -> "SELECT *, DATE '" + day + "' AS dt FROM " + read)
                .orElse("SELECT * FROM " + read);
        return ("COPY (" + select + ") TO '%s' (FORMAT PARQUET, COMPRESSION ZSTD, PARTITION_BY ("
                + (landingDay.isPresent() ? "account_id, dt" : "account_id") + "))")
                .formatted(csv.toAbsolutePath(), out.toAbsolutePath());
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
        write(partial, rows, accounts, 1_000_000L, 20250501L + accounts);
        Files.move(partial, file);
        return file;
    }

    /**
     * Writes such a file of {@code rows} rows to {@code file}, order ids from {@code firstOrderId},
     * drawn from {@code seed}: objects with other ids and seeds are other content, which the ledger
     * does not answer as already processed.
     */
    static void write(Path file, int rows, int accounts, long firstOrderId, long seed) throws IOException {
        SplittableRandom random = new SplittableRandom(seed);
        long firstMicros = FIRST_DAY.toEpochSecond(ZoneOffset.UTC) * 1_000_000L;
        long spanMicros = DAYS * 86_400L * 1_000_000L;
        StringBuilder line = new StringBuilder(160);
        try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (int i = 0; i < rows; i++) {
                long created = firstMicros + spanMicros * i / rows + random.nextLong(1_000_000L);
                long committed = created + random.nextLong(2_000_000L);
                line.setLength(0);
                line.append("I,");
                timestamp(line, committed).append(',');
                line.append(firstOrderId + i).append(',');
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

    record Result(String engine, String variant, int accounts, long inputBytes, Times times, long rows,
            long outputBytes, long files, long partitions, String samplePartition, HeapProbe.Figures heap,
            String failure) {

        static Result failed(Times times, HeapProbe.Figures heap, String failure) {
            return new Result("", "", 0, 0, times, 0, 0, 0, 0, "-", heap, failure);
        }

        Result with(String newEngine, String newVariant, int newAccounts, long newInputBytes) {
            return new Result(newEngine, newVariant, newAccounts, newInputBytes, times, rows, outputBytes, files,
                    partitions, samplePartition, heap, failure);
        }

        double cpuMicrosPerRow() {
            return times.cpuSeconds() * 1e6 / rows;
        }

        /** 1 for run 1 (the first large object in this JVM: cold), 2 and on warm. */
        int run() {
            int mark = variant.indexOf(" #");
            return mark < 0 ? 1 : Integer.parseInt(variant.substring(mark + 2));
        }

        String serverCpuText() {
            return Double.isNaN(times.serverCpuSeconds()) ? "-" : "%.2f".formatted(times.serverCpuSeconds());
        }

        String line() {
            String heapText = heap == null ? "-" : "%d MB peak (sum of pools), %d MB old gen peak, %d MB max after GC, GC %d ms in %d".formatted(
                    heap.sumOfPoolPeaks() >> 20, heap.oldGenPeak() >> 20, heap.maxAfterGc() >> 20, heap.gcMillis(), heap.gcCount());
            if (failure != null) {
                return "%-10s %-5s %5d accounts: FAILED after %.1f s wall, %.1f s CPU: %s; heap %s".formatted(
                        engine, variant, accounts, times.wallSeconds(), times.cpuSeconds(), failure, heapText);
            }
            return ("%-10s %-5s %5d accounts: CPU %.2f s (%.2f us/row), wall %.2f s, S3 server CPU %s s; %d rows, "
                    + "%d partitions (e.g. %s), %d files, %.1f MB out; heap %s")
                    .formatted(engine, variant, accounts, times.cpuSeconds(), cpuMicrosPerRow(), times.wallSeconds(),
                            serverCpuText(), rows, partitions, samplePartition, files, outputBytes / (double) BYTES_PER_MB,
                            heapText);
        }
    }

    private void printTable(String label) {
        System.out.println();
        System.out.println("## " + label);
        System.out.println();
        System.out.println("CPU time (user+sys of this JVM's threads around the timed call), " + CpuClock.pinning()
                + "; both engines in this one JVM. Ratio = DuckDB CPU / ours CPU (1 or more: ours uses less CPU"
                + " per row); for ours with the S3 server (its own process), the ratio counting its CPU too is in"
                + " brackets. Run 1 = cold (first large object after the small warm-up), runs 2+ = warm. Ours writes"
                + " account x landing-day partitions with or without partition_date (one day per object); DuckDB's"
                + " copy adds that day as a constant dt column when the pipeline has partition_date.");
        System.out.println();
        System.out.println("| case | run | engine | CPU s | CPU us/row | wall s | S3 server CPU s | partitions | files | output MB "
                + "| heap: peak (sum of pools) / old gen / max after GC, MB | GC ms | DuckDB CPU / ours CPU |");
        System.out.println("| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: |");
        for (Result r : results) {
            String ratio = "";
            if (r.engine.startsWith("ours") && r.failure == null) {
                ratio = results.stream()
                        .filter(d -> d.engine.equals("duckdb") && d.failure == null && d.accounts == r.accounts
                                && d.variant.equals(r.variant))
                        .findFirst()
                        .map(d -> {
                            String own = "%.2f".formatted(d.times.cpuSeconds() / r.times.cpuSeconds());
                            return Double.isNaN(r.times.serverCpuSeconds()) ? own : own + " (%.2f)".formatted(
                                    d.times.cpuSeconds() / (r.times.cpuSeconds() + r.times.serverCpuSeconds()));
                        })
                        .orElse("");
            }
            String heap = r.heap == null ? "native (not on the Java heap)"
                    : "%d / %d / %d".formatted(r.heap.sumOfPoolPeaks() >> 20, r.heap.oldGenPeak() >> 20, r.heap.maxAfterGc() >> 20);
            String gc = r.heap == null ? "" : Long.toString(r.heap.gcMillis());
            String caseName = "%d accounts, %s".formatted(r.accounts,
                    r.variant.startsWith("dt") ? "with partition_date (DuckDB: account_id x dt)"
                            : "without partition_date (DuckDB: account_id)");
            String run = r.run() == 1 ? "1 (cold)" : r.run() + " (warm)";
            if (r.failure != null) {
                System.out.printf("| %s | %s | %s | FAILED after %.1f s CPU: %s | | %.2f | | | | | %s | %s | |%n",
                        caseName, run, r.engine, r.times.cpuSeconds(), r.failure, r.times.wallSeconds(), heap, gc);
            } else {
                System.out.printf("| %s | %s | %s | %.2f | %.2f | %.2f | %s | %,d | %,d | %.1f | %s | %s | %s |%n",
                        caseName, run, r.engine, r.times.cpuSeconds(), r.cpuMicrosPerRow(), r.times.wallSeconds(),
                        r.serverCpuText(), r.partitions, r.files, r.outputBytes / (double) BYTES_PER_MB, heap, gc, ratio);
            }
        }
    }
    private void printEnvironment(Options options) throws IOException {
        var runtime = ManagementFactory.getRuntimeMXBean();
        System.out.printf("java %s (%s), max heap %d MB, GC %s%n", System.getProperty("java.version"),
                runtime.getVmName(), Runtime.getRuntime().maxMemory() >> 20,
                ManagementFactory.getGarbageCollectorMXBeans().stream().map(GarbageCollectorMXBean::getName).toList());
        System.out.println("JVM flags: " + String.join(" ", runtime.getInputArguments()));
        System.out.printf("%s, %d CPU(s) available to the JVM%n", CpuClock.pinning(), Runtime.getRuntime().availableProcessors());
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
            List<String> engines, String label, ParquetSettings parquet, int runs, boolean generateOnly) {

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
            boolean generateOnly = false;
            for (int i = 0; i < args.length; i++) {
                if (args[i].equals("--generate-only")) {
                    generateOnly = true;
                    continue;
                }
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
                    parquet, runs, generateOnly);
        }
    }
}
