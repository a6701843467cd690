package io.tarn.jobs.etl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tarn.catalog.Catalog;
import io.tarn.etl.RunManifest;
import io.tarn.etl.RunManifest.PartitionOutput;
import io.tarn.etl.RunManifest.TableOutput;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/** Join mode over staging written by the real RawObject conversion, checked against DuckDB. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class JoinModeTest {

    private static final String STAGING = "tarn-staging";

    /** DMS orders: several accounts, hostile ids, updates, a delete, a same-instant pair and a late stale update. */
    static final String ORDERS_LOAD = """
            I,2024-06-01 09:00:00.000000,2001,a/b,1,paid,10.00,EUR,2024-06-01 08:00:00,\\N
            I,2024-06-01 09:00:00.000000,2002,../x,2,paid,20.00,EUR,2024-06-01 08:30:00,\\N
            I,2024-06-01 09:00:00.000000,2003,a/b,3,paid,5.00,EUR,2024-06-02 23:59:59,\\N
            I,2024-06-01 09:00:00.000000,2004,../x,4,paid,1.25,EUR,2024-05-31 23:00:00,\\N
            """;
    static final String ORDERS_CDC = """
            U,2024-06-02 10:00:00.000000,2001,a/b,1,refunded,7.50,EUR,2024-06-01 08:00:00,2024-06-02 10:00:00
            D,2024-06-02 10:00:01.000000,2002,../x,2,paid,20.00,EUR,2024-06-01 08:30:00,\\N
            U,2024-06-02 10:00:02.000000,2003,a/b,3,paid,6.00,EUR,2024-06-02 23:59:59,2024-06-02 10:00:02
            U,2024-06-02 10:00:02.000000,2003,a/b,3,paid,6.50,EUR,2024-06-02 23:59:59,2024-06-02 10:00:02
            """;
    /** Named later but committed earlier than the update above: it must lose. */
    static final String ORDERS_STALE = """
            U,2024-06-01 10:00:00.000000,2001,a/b,1,stale,1.00,EUR,2024-06-01 08:00:00,2024-06-01 10:00:00
            """;
    static final String INVOICES_PAGE = """
            _op,invoice_id,account_id,amount,currency,issued_on,paid,updated_at
            I,9101,../x,10.00,EUR,2024-06-01,false,2024-06-01 10:00:00
            I,9102,a/b,3.00,EUR,2024-06-03,true,2024-06-03 10:00:00
            """;

    @TempDir
    static Path dir;
    static TestLake lake;
    static SparkSession spark;
    static RunManifest first;
    static Catalog catalog;

    @BeforeAll
    static void ingestAndJoin() throws IOException {
        lake = new TestLake(dir, STAGING);
        spark = TestLake.spark();
        List<String> keys = new java.util.ArrayList<>(lake.putSamples());
        keys.add(lake.put("dms/shop/orders/LOAD00000002.csv", ORDERS_LOAD));
        keys.add(lake.put("dms/shop/orders/20240602-1000000000.csv", ORDERS_CDC));
        keys.add(lake.put("dms/shop/orders/20240603-0000000000.csv", ORDERS_STALE));
        keys.add(lake.put("azuresql/dbo/invoices/timestamp/20240601T000000-000000000.1__20240603T100000-000000000.9102.csv",
                INVOICES_PAGE));
        keys.forEach(key -> lake.ingest(STAGING, key));
        catalog = TestLake.catalog();
        first = EtlJob.run(spark, lake.settings(EtlSettings.Mode.JOIN, "join-1", STAGING, List.of()), catalog, Clock.systemUTC());
    }

    @AfterAll
    static void stop() {
        lake.close();
    }

    @Test
    @Order(1)
    void joinedRowsEqualTheSameJoinComputedByDuckDbOverStaging() throws Exception {
        try (Connection duckdb = TestLake.duckdb()) {
            List<List<String>> actual = TestLake.rows(duckdb, normalised(
                    "read_parquet('" + output() + "/**/*.parquet', hive_partitioning = true, hive_types = {'account_id': VARCHAR})"));
            createCurrentStateViews(duckdb);
            List<List<String>> expected = TestLake.rows(duckdb, normalised("""
                    (WITH facts AS (
                       SELECT account_id, CAST(created_at AS DATE) AS day, 1 AS orders, total AS revenue,
                              0 AS invoiced, 0 AS events FROM orders
                       UNION ALL SELECT account_id, issued_on, 0, 0, amount, 0 FROM invoices
                       UNION ALL SELECT account_id, CAST(occurred_at AS DATE), 0, 0, 0, 1 FROM events
                                 WHERE occurred_at IS NOT NULL)
                     SELECT f.account_id, f.day, sum(orders) AS orders, sum(revenue) AS revenue,
                            sum(invoiced) AS invoiced, sum(events) AS events, a.plan, a.region
                     FROM facts f LEFT JOIN accounts a ON a.account_id = f.account_id
                     GROUP BY f.account_id, f.day, a.plan, a.region)"""));

            assertThat(actual).isNotEmpty().containsExactlyElementsOf(expected);
            // The updates, the delete, the same-instant pair and the stale late file, as intended.
            assertThat(actual).contains(
                    List.of("a/b", "2024-06-01", "1", "7.50", "0.00", "0", "null", "null"),
                    List.of("a/b", "2024-06-02", "1", "6.50", "0.00", "0", "null", "null"),
                    List.of("a/b", "2024-06-03", "0", "0.00", "3.00", "0", "null", "null"),
                    List.of("../x", "2024-06-01", "0", "0.00", "10.00", "0", "null", "null"),
                    List.of("../x", "2024-05-31", "1", "1.25", "0.00", "0", "null", "null"));
        }
    }

    @Test
    @Order(2)
    void runManifestListsTheAccountFoldersWrittenLast() throws IOException {
        TableOutput table = first.tables().get(0);

        assertThat(first.mode()).isEqualTo("join");
        assertThat(table.table()).isEqualTo("account_daily");
        assertThat(table.location()).isEqualTo("s3://tarn-staging/account_daily/");
        assertThat(table.schemaFingerprint()).matches("[0-9a-f]{16}");
        assertThat(table.partitionKeys()).extracting(c -> c.name() + ":" + c.type()).containsExactly("account_id:string");
        assertThat(table.columns()).extracting(c -> c.name() + ":" + c.type()).containsExactly(
                "day:date", "orders:bigint", "revenue:decimal(22,2)", "invoiced:decimal(24,2)", "events:bigint",
                "plan:string", "region:string");
        assertThat(table.partitions()).extracting(p -> p.values().get(0))
                .containsExactlyInAnyOrder("../x", "a/b", "acme", "globex", "initech");
        assertThat(table.partitions()).extracting(PartitionOutput::location)
                .contains("s3://tarn-staging/account_daily/account_id=a%2Fb/",
                        "s3://tarn-staging/account_daily/account_id=..%2Fx/");
        assertThat(table.partitions()).extracting(PartitionOutput::location)
                .containsExactlyInAnyOrderElementsOf(accountFolders().keySet().stream()
                        .map(folder -> "s3://tarn-staging/account_daily/" + folder + "/").toList());
        assertThat(table.partitions()).filteredOn(p -> p.values().get(0).equals("a/b"))
                .extracting(PartitionOutput::rows).containsExactly(3L);
        RunManifest stored = RunManifest.fromJson(
                Files.readAllBytes(lake.bucketDir(STAGING).resolve(RunManifest.key("join-1"))), "join-1");
        assertThat(stored).isEqualTo(first);
    }

    @Test
    @Order(3)
    void secondRunRewritesOnlyTheChangedAccount() throws Exception {
        Map<String, List<String>> before = accountFolders();
        lake.ingest(STAGING, lake.put("dms/shop/orders/20240604-0000000000.csv",
                "I,2024-06-04 00:00:00.000000,2100,globex,9,paid,100.00,USD,2024-06-03 12:00:00,\\N\n"));

        RunManifest second = EtlJob.run(spark, lake.settings(EtlSettings.Mode.JOIN, "join-2", STAGING, List.of()),
                catalog, Clock.systemUTC());

        assertThat(second.tables().get(0).partitions()).extracting(p -> p.values().get(0)).containsExactly("globex");
        Map<String, List<String>> after = accountFolders();
        assertThat(after.keySet()).isEqualTo(before.keySet());
        before.forEach((folder, files) -> {
            if (folder.equals("account_id=globex")) {
                assertThat(after.get(folder)).doesNotContainAnyElementsOf(files);
            } else {
                assertThat(after.get(folder)).as(folder).isEqualTo(files);
            }
        });
        try (Connection duckdb = TestLake.duckdb()) {
            assertThat(TestLake.rows(duckdb, "SELECT orders, revenue FROM read_parquet('" + output()
                    + "/account_id=globex/*.parquet') WHERE day = DATE '2024-06-03'"))
                    .containsExactly(List.of("1", "100.00"));
        }
    }

    @Test
    @Order(4)
    void aJoinWithoutAnAccountColumnIsNamed() throws IOException {
        Path pipeline = dir.resolve("bad-pipeline.yaml");
        Files.writeString(pipeline, Files.readString(TestLake.PIPELINE)
                .replace("SELECT d.account_id, d.day,", "SELECT d.account_id AS account, d.day,"));
        EtlSettings base = lake.settings(EtlSettings.Mode.JOIN, "join-bad", STAGING, List.of());
        EtlSettings settings = new EtlSettings(base.mode(), base.runId(), pipeline.toString(), base.staging(),
                base.stagingDir(), base.raw(), base.rawDir(), base.datasets(), base.glueDatabase(), base.settle(),
                base.versionRetention(), base.aws());

        assertThatThrownBy(() -> EtlJob.run(spark, settings, catalog, Clock.systemUTC()))
                .isInstanceOf(EtlException.class)
                .hasMessageStartingWith("join 'account_daily': its sql returns no account_id column (it returns [account, day,");
    }

    @Test
    @Order(5)
    void sourcesWithoutDataYetAreEmptyViews() throws IOException {
        Path empty = dir.resolve("empty-staging");
        Files.createDirectories(empty);
        EtlSettings settings = new EtlSettings(EtlSettings.Mode.JOIN, "join-empty", TestLake.PIPELINE.toString(),
                empty.toUri(), Optional.empty(), Optional.empty(), Optional.empty(), List.of(), Optional.empty(), Duration.ZERO, Duration.ZERO,
                lake.aws);

        RunManifest manifest = EtlJob.run(spark, settings, TestLake.catalog(), Clock.systemUTC());

        assertThat(manifest.tables()).singleElement().satisfies(table -> {
            assertThat(table.partitions()).isEmpty();
            assertThat(table.schemaFingerprint()).isEqualTo(first.tables().get(0).schemaFingerprint());
            assertThat(table.location()).isEqualTo(URI.create(empty.toUri() + "account_daily/").toString());
        });
        assertThat(empty.resolve("etl-runs/join-empty.json")).exists();
    }

    private static String output() {
        return lake.bucketDir(STAGING).resolve("account_daily").toString();
    }

    /** Account folder name to its Parquet files. */
    private static Map<String, List<String>> accountFolders() throws IOException {
        Map<String, List<String>> folders = new TreeMap<>();
        try (Stream<Path> paths = Files.list(lake.bucketDir(STAGING).resolve("account_daily"))) {
            for (Path folder : paths.filter(Files::isDirectory).toList()) {
                try (Stream<Path> files = Files.list(folder)) {
                    folders.put(folder.getFileName().toString(), files.map(f -> f.getFileName().toString())
                            .filter(name -> name.endsWith(".parquet")).sorted().toList());
                }
            }
        }
        return folders;
    }

    private static String normalised(String from) {
        return "SELECT account_id, CAST(day AS VARCHAR), CAST(orders AS BIGINT), CAST(CAST(revenue AS DECIMAL(20,2)) AS VARCHAR),"
                + " CAST(CAST(invoiced AS DECIMAL(20,2)) AS VARCHAR), CAST(events AS BIGINT), plan, region FROM "
                + from + " t ORDER BY 1, 2";
    }

    /** Current state, written independently of the job: window functions over the staging files. */
    private static void createCurrentStateViews(Connection duckdb) throws Exception {
        Map<String, String> keys = Map.of("orders", "order_id", "events", "_id", "accounts", "account_id",
                "invoices", "invoice_id");
        try (var statement = duckdb.createStatement()) {
            for (var entry : keys.entrySet()) {
                String table = entry.getKey();
                String order = table.equals("accounts") || table.equals("invoices")
                        ? "_commit_ts DESC NULLS LAST, _ingested_at DESC, _source_key DESC, _source_line DESC"
                        : "_commit_ts DESC NULLS LAST, _source_key DESC, _source_line DESC";
                statement.execute("CREATE VIEW " + table + " AS SELECT * EXCLUDE (_rn) FROM (SELECT *, row_number() OVER ("
                        + "PARTITION BY " + entry.getValue() + " ORDER BY " + order + ") AS _rn FROM read_parquet('"
                        + lake.bucketDir(STAGING).resolve(table + "_changes") + "/**/*.parquet', hive_partitioning = true,"
                        + " hive_types = {'account_id': VARCHAR})) WHERE _rn = 1 AND _op <> 'D'");
            }
        }
    }
}
