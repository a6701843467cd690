package io.tarn.bench;

import io.tarn.aws.s3.S3Clients;
import io.tarn.aws.s3.S3ObjectStore;
import io.tarn.catalog.Partition;
import io.tarn.ingest.IngestSettings;
import io.tarn.ingest.RawObjectRef;
import io.tarn.ingest.RawObjectService;
import io.tarn.jobs.etl.EtlJob;
import io.tarn.jobs.etl.EtlSettings;
import io.tarn.local.adapters.LocalCatalog;
import io.tarn.local.adapters.LocalLedger;
import io.tarn.log.JsonLogger;
import io.tarn.parquet.ParquetSettings;
import io.tarn.pipeline.PipelineLoader;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The change log and the current tables, measured on Spark local:
 *
 * <ol>
 *   <li><b>burst</b>: 100 small CDC-like objects (1,000 rows each, 50 accounts, 28 order days)
 *       through the RawObject conversion, then one refresh: files and bytes of {@code
 *       orders_changes} and of the partitions of {@code orders} the catalog points at;
 *   <li><b>incremental</b>: 2,000,000 orders over 200 accounts converted and refreshed, then one
 *       CDC object changing 1% of the keys of 5 accounts: that refresh against a full rebuild of
 *       the current table from every change (a fresh catalog and refresh state): seconds,
 *       partitions rewritten, bytes read and written.
 * </ol>
 *
 * <pre>
 * java [Spark's --add-opens flags] -cp ... io.tarn.bench.RefreshBench --repo DIR [--rows N] [--cores N]
 * </pre>
 */
public final class RefreshBench {

    private static final String RAW = "tarn-raw";
    private static final DateTimeFormatter TS = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS");
    private static final LocalDateTime FIRST_DAY = LocalDateTime.of(2025, 5, 1, 0, 0);

    private final Path repo;
    private final Path work;
    private final S3Client s3;
    private final S3ObjectStore store;
    private final SparkSession spark;
    private final ConversionBench.SeparateS3 server;

    private RefreshBench(Path repo, Path work, ConversionBench.SeparateS3 server, S3Client s3, SparkSession spark) {
        this.repo = repo;
        this.work = work;
        this.server = server;
        this.s3 = s3;
        this.store = new S3ObjectStore(s3);
        this.spark = spark;
    }

    public static void main(String[] args) throws Exception {
        Path repo = Path.of(".");
        int rows = 2_000_000;
        int cores = 2;
        for (int i = 0; i < args.length; i += 2) {
            switch (args[i]) {
                case "--repo" -> repo = Path.of(args[i + 1]);
                case "--rows" -> rows = Integer.parseInt(args[i + 1]);
                case "--cores" -> cores = Integer.parseInt(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i] + " (--repo, --rows, --cores)");
            }
        }
        Path work = repo.resolve("bench/target/refresh-work").toAbsolutePath();
        ConversionBench.deleteTree(work);
        System.out.printf("machine: %d cores, Java %s, max heap %d MB, Spark local[%d]%n",
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"),
                Runtime.getRuntime().maxMemory() >> 20, cores);
        try (ConversionBench.SeparateS3 server = ConversionBench.SeparateS3.start(work.resolve("s3"));
                S3Client s3 = S3Clients.create(server.settings())) {
            s3.createBucket(b -> b.bucket(RAW));
            SparkSession spark = SparkSession.builder()
                    .master("local[" + cores + "]")
                    .appName("tarn-refresh-bench")
                    .config("spark.ui.enabled", "false")
                    .config("spark.driver.host", "127.0.0.1")
                    .config("spark.sql.shuffle.partitions", String.valueOf(cores * 2))
                    .config("spark.local.dir", work.resolve("spark").toString())
                    .getOrCreate();
            RefreshBench bench = new RefreshBench(repo, work, server, s3, spark);
            bench.burst();
            bench.incremental(rows);
            spark.stop();
        }
    }

    /** 100 objects of 1,000 rows over 50 accounts and 28 days, then one refresh. */
    private void burst() throws Exception {
        String bucket = "staging-burst";
        s3.createBucket(b -> b.bucket(bucket));
        Lake lake = lake(bucket);
        Random random = new Random(42);
        long csvBytes = 0;
        long start = System.nanoTime();
        for (int object = 0; object < 100; object++) {
            StringBuilder csv = new StringBuilder();
            for (int row = 0; row < 1_000; row++) {
                int key = random.nextInt(50_000);
                csv.append(line(object == 0 || random.nextInt(4) == 0 ? 'I' : 'U', object * 1_000L + row, key,
                        "acct-" + (key % 50), key % 28));
            }
            byte[] bytes = csv.toString().getBytes(StandardCharsets.UTF_8);
            csvBytes += bytes.length;
            String key = String.format("dms/shop/orders/2025/05/01/%08d.csv", object);
            store.put(RAW, key, bytes, "text/csv");
            lake.service().process(RawObjectRef.of(RAW, key));
        }
        double convert = (System.nanoTime() - start) / 1e9;
        Tree changes = Tree.of(bucketDir(bucket).resolve("orders_changes"));
        start = System.nanoTime();
        EtlJob.run(spark, settings(bucket, "burst-1"), lake.catalog(), Clock.systemUTC());
        double refresh = (System.nanoTime() - start) / 1e9;
        Tree current = current(bucket, lake.catalog());
        System.out.printf("burst: 100 objects, %.1f MB CSV, converted in %.1f s, refreshed in %.1f s%n",
                csvBytes / 1e6, convert, refresh);
        System.out.printf("| burst (100 x 1,000 rows, 50 accounts, 28 days) | orders_changes: %d files, %.2f MB, %.1f KB per file"
                        + " | orders (current, %d partitions): %d files, %.2f MB, %.1f KB per file |%n",
                changes.files(), changes.bytes() / 1e6, changes.bytes() / 1e3 / changes.files(),
                current.partitions(), current.files(), current.bytes() / 1e6, current.bytes() / 1e3 / current.files());

        // Four days on, the objects' landing day has closed: the next run compacts it.
        start = System.nanoTime();
        EtlJob.run(spark, settings(bucket, "burst-2"), lake.catalog(), Clock.offset(Clock.systemUTC(), Duration.ofDays(4)));
        double compact = (System.nanoTime() - start) / 1e9;
        Tree compacted = registered(bucket, lake.catalog(), "orders_changes");
        System.out.printf("| burst, after its day closed (next run, compaction %.1f s) | orders_changes (registered, %d partitions):"
                        + " %d files, %.2f MB, %.1f KB per file | orders unchanged |%n",
                compact, compacted.partitions(), compacted.files(), compacted.bytes() / 1e6,
                compacted.bytes() / 1e3 / compacted.files());
    }

    /** 2,000,000 orders over 200 accounts current, then 1% of the keys of 5 accounts changed. */
    private void incremental(int rows) throws Exception {
        String bucket = "staging-incremental";
        s3.createBucket(b -> b.bucket(bucket));
        Lake lake = lake(bucket);
        Path csv = ConversionBench.generate(repo.resolve("bench/target/data"), rows, 200);
        store.put(RAW, "dms/shop/orders/LOAD00000001.csv", csv, "text/csv");
        long start = System.nanoTime();
        lake.service().process(RawObjectRef.of(RAW, "dms/shop/orders/LOAD00000001.csv"));
        System.out.printf("incremental: %d rows (%.1f MB) converted in %.1f s%n", rows, Files.size(csv) / 1e6,
                (System.nanoTime() - start) / 1e9);
        start = System.nanoTime();
        EtlJob.run(spark, settings(bucket, "load-1"), lake.catalog(), Clock.systemUTC());
        System.out.printf("incremental: first refresh (every account) %.1f s%n", (System.nanoTime() - start) / 1e9);

        // 1% of the keys of 5 accounts: every 100th order of acct-0000 to acct-0004, updated later.
        StringBuilder cdc = new StringBuilder();
        int changed = 0;
        int seen = 0;
        String commit = "2026-01-01 00:00:00.000000";
        for (String order : Files.readAllLines(csv, StandardCharsets.UTF_8)) {
            String[] fields = order.split(",", -1);
            if (fields[3].compareTo("acct-0005") < 0 && seen++ % 100 == 0) {
                fields[0] = "U";
                fields[1] = commit;
                fields[5] = "changed";
                cdc.append(String.join(",", fields)).append('\n');
                changed++;
            }
        }
        store.put(RAW, "dms/shop/orders/2025/06/01/00000001.csv", cdc.toString().getBytes(StandardCharsets.UTF_8), "text/csv");
        lake.service().process(RawObjectRef.of(RAW, "dms/shop/orders/2025/06/01/00000001.csv"));

        Tree before = Tree.of(bucketDir(bucket).resolve("orders"));
        start = System.nanoTime();
        EtlJob.run(spark, settings(bucket, "cdc-1"), lake.catalog(), Clock.systemUTC());
        double incremental = (System.nanoTime() - start) / 1e9;
        Tree after = Tree.of(bucketDir(bucket).resolve("orders"));
        long written = after.bytes() - before.bytes();
        long partitionsRewritten = lake.catalog().partitions("orders").stream().filter(p -> p.location().contains("/v=cdc-1/")).count();
        long partitions = lake.catalog().partitions("orders").size();
        // Read by the incremental run: the new change file, the touched accounts' current partitions,
        // and the key and account columns of the whole current table (the key lookup), at most its size.
        long readChanges = Tree.of(bucketDir(bucket).resolve("orders_changes")).bytes();

        // A full rebuild: every change again, into a fresh catalog and refresh state.
        Lake rebuild = new Lake(lake.service(), new LocalCatalog(work.resolve("catalog-rebuild")));
        ConversionBench.deleteTree(bucketDir(bucket).resolve("refresh"));
        start = System.nanoTime();
        EtlJob.run(spark, settings(bucket, "rebuild-1"), rebuild.catalog(), Clock.systemUTC());
        double full = (System.nanoTime() - start) / 1e9;
        Tree rebuilt = current(bucket, rebuild.catalog());
        System.out.printf("| incremental: %d changed keys of 5 accounts | %.1f s, %d of %d partitions rewritten, %.1f MB written,"
                        + " change log %.1f MB (the new file is read, the log's index names it) |%n",
                changed, incremental, partitionsRewritten, partitions, written / 1e6, readChanges / 1e6);
        System.out.printf("| full rebuild from every change | %.1f s, %d partitions written, %.1f MB written, %.1f MB of changes read |"
                        + " incremental / full = %.2f |%n",
                full, rebuilt.partitions(), rebuilt.bytes() / 1e6, readChanges / 1e6, incremental / full);
    }

    private static String line(char op, long sequence, int key, String account, int day) {
        LocalDateTime commit = FIRST_DAY.plusSeconds(sequence);
        LocalDateTime created = FIRST_DAY.plusDays(day).plusMinutes(key % 1440);
        return op + "," + TS.format(commit) + "," + key + "," + account + "," + (key % 997) + ",paid,"
                + (key % 1000) + ".25,EUR," + TS.format(created) + ",\\N\n";
    }

    private record Lake(RawObjectService service, LocalCatalog catalog) {}

    private Lake lake(String bucket) throws IOException {
        LocalCatalog catalog = new LocalCatalog(work.resolve("catalog-" + bucket));
        RawObjectService service = new RawObjectService(PipelineLoader.load(repo.resolve("pipeline.yaml")), store, catalog,
                new LocalLedger(work.resolve("state-" + bucket)),
                new IngestSettings(bucket, Files.createDirectories(work.resolve("tmp")), ParquetSettings.defaults()),
                Clock.systemUTC(), JsonLogger.silent());
        return new Lake(service, catalog);
    }

    private EtlSettings settings(String bucket, String runId) {
        return new EtlSettings(EtlSettings.Mode.JOIN, runId, repo.resolve("pipeline.yaml").toAbsolutePath().toString(),
                URI.create("s3://" + bucket + "/"), Optional.of(bucketDir(bucket).toUri()), Optional.empty(), Optional.empty(), List.of(),
                Optional.empty(), Duration.ZERO, EtlSettings.DEFAULT_VERSION_RETENTION, server.settings());
    }

    private Path bucketDir(String bucket) {
        return work.resolve("s3").resolve(bucket);
    }

    /** Files and bytes of the current partitions the catalog points at. */
    private Tree current(String bucket, LocalCatalog catalog) throws IOException {
        return registered(bucket, catalog, "orders");
    }

    /** Files and bytes of a table's partitions where the catalog points (not below: a version holds no other). */
    private Tree registered(String bucket, LocalCatalog catalog, String table) throws IOException {
        long files = 0;
        long bytes = 0;
        List<Partition> partitions = catalog.partitions(table);
        for (Partition partition : partitions) {
            Tree tree = Tree.of(bucketDir(bucket).resolve(partition.location().substring(("s3://" + bucket + "/").length())));
            files += tree.files();
            bytes += tree.bytes();
        }
        return new Tree(files, bytes, partitions.size());
    }

    private record Tree(long files, long bytes, long partitions) {
        static Tree of(Path root) throws IOException {
            if (!Files.exists(root)) {
                return new Tree(0, 0, 0);
            }
            long files = 0;
            long bytes = 0;
            try (Stream<Path> walk = Files.walk(root)) {
                for (Path file : walk.filter(f -> f.toString().endsWith(".parquet")).toList()) {
                    files++;
                    bytes += Files.size(file);
                }
            }
            return new Tree(files, bytes, 0);
        }
    }
}
