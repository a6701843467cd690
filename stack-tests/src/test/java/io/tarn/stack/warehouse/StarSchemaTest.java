package io.tarn.stack.warehouse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tarn.local.adapters.LocalCatalog;
import io.tarn.local.adapters.LocalQuery;
import io.tarn.local.cli.Tarn;
import io.tarn.local.lake.LocalLake;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The star schema of {@code warehouse/} on DuckDB, over staging written by the real data plane:
 * raw DMS and header CSV ingested through the RawObject path of the local lake (the {@code tarn
 * ingest} command), refreshed into current tables by the ETL ({@code tarn etl}), read through the
 * tables and partitions they registered. The Redshift-only
 * syntax is translated by {@link RedshiftOnDuckDb}, nothing else.
 */
class StarSchemaTest {

    private static final Path WAREHOUSE = Path.of("../warehouse");
    private static final String PIPELINE = "../pipeline.yaml";
    private static final List<String> STAR_TABLES = List.of("dim_date", "dim_account", "dim_customer", "fact_orders");

    @TempDir
    static Path temp;
    static Path lake;

    /**
     * Staging as DMS and SqlPoller leave it: the orders full load (two rows of it quarantined),
     * the sample CDC file (1002 updated, 1004 deleted, 1010 inserted), and a later CDC file whose
     * name sorts last but that also carries a stale update, two changes of one commit instant and
     * a change tied on commit time with the earlier file; the accounts page and a later page
     * updating globex.
     */
    @BeforeAll
    static void ingestSamplesAndChanges() throws IOException {
        lake = temp.resolve("lake");
        ingest("orders", Path.of("../samples/dms/shop/orders/LOAD00000001.csv"));
        ingest("orders", Path.of("../samples/dms/shop/orders/20240601-1200000000.csv"));
        ingest("orders", write("20240601-1300000000.csv",
                // before the sample's update of 1002 in DMS's change sequence: loses despite arriving later
                "U,2024-06-01 12:00:00.000000,1002,acme,502,stale,75.00,EUR,2024-05-30 11:02:13,2024-06-01 12:00:00,"
                        + "20240601120000000000000000000000050",
                // one commit instant, two changes of 1003: the later in the sequence wins
                "U,2024-06-01 13:00:00.000000,1003,globex,601,refunded,1999.99,USD,2024-05-31 08:45:00,2024-06-01 13:00:00,"
                        + "20240601130000000000000000000000201",
                "U,2024-06-01 13:00:00.000000,1003,globex,601,chargeback,1999.99,USD,2024-05-31 08:45:00,2024-06-01 13:00:00,"
                        + "20240601130000000000000000000000202",
                // same commit time as the sample's insert of 1010, later in the sequence: wins
                "U,2024-06-01 12:00:03.000000,1010,initech,703,shipped,310.40,GBP,2024-06-01 12:00:03,2024-06-01 12:00:03,"
                        + "20240601120003000000000000000000104",
                "D,2024-06-01 13:05:00.000000,1005,initech,701,paid,42.00,GBP,2024-05-31 13:30:00,\\N,"
                        + "20240601130500000000000000000000203",
                // an account that has no accounts row yet
                "I,2024-06-01 13:10:00.000000,1011,umbrella,901,paid,99.00,USD,2024-06-02 00:30:00,\\N,"
                        + "20240601131000000000000000000000204",
                // a second order of customer 501
                "I,2024-06-01 13:20:00.000000,1012,acme,501,paid,30.00,EUR,2024-06-01 09:00:00,\\N,"
                        + "20240601132000000000000000000000205"));
        ingest("accounts", Path.of("../samples/azuresql/dbo/accounts/sample-accounts.csv"));
        // Header pages carry no commit time: their keys order them, as SqlPoller's page keys do.
        ingest("accounts", write("sample-accounts.update-1.csv",
                "account_id,name,plan,region,created_at,updated_at",
                "globex,Globex,enterprise,us-east-1,2023-03-15 12:30:00,2024-06-01 10:00:00"));
        // The ETL's refresh makes the current tables the warehouse loads from.
        tarn("etl", "--dir", lake.toString(), "--pipeline", PIPELINE);
    }

    @Test
    void factOrdersHoldExactlyTheCurrentOrders() throws Exception {
        try (Connection duck = loadedWarehouse()) {
            assertThat(rows(duck, """
                    SELECT order_id, account_id, customer_id, order_date_key, status, total, currency,
                           strftime(committed_at, '%H:%M:%S')
                    FROM star.fact_orders ORDER BY order_id""")).containsExactly(
                    "1001|acme|501|20240530|paid|120.50|EUR|09:00:00",
                    "1002|acme|502|20240530|delivered|75.00|EUR|12:00:01",
                    "1003|globex|601|20240531|chargeback|1999.99|USD|13:00:00",
                    "1006|acme|503|20240531|gift \"express\"|10.00|EUR|09:00:00",
                    "1009|globex|603|20240601|refunded|-20.00|USD|09:00:00",
                    "1010|initech|703|20240601|shipped|310.40|GBP|12:00:03",
                    "1011|umbrella|901|20240602|paid|99.00|USD|13:10:00",
                    "1012|acme|501|20240601|paid|30.00|EUR|13:20:00");
        }
    }

    @Test
    void everyFactJoinsItsAccountCustomerAndDate() throws Exception {
        try (Connection duck = loadedWarehouse()) {
            assertThat(rows(duck, """
                    SELECT count(*) FILTER (WHERE a.account_id IS NULL),
                           count(*) FILTER (WHERE c.customer_id IS NULL),
                           count(*) FILTER (WHERE d.date_key IS NULL),
                           count(*)
                    FROM star.fact_orders f
                    LEFT JOIN star.dim_account a ON a.account_id = f.account_id
                    LEFT JOIN star.dim_customer c ON c.account_id = f.account_id AND c.customer_id = f.customer_id
                    LEFT JOIN star.dim_date d ON d.date_key = f.order_date_key""")).containsExactly("0|0|0|8");
            assertThat(rows(duck, """
                    SELECT account_id, account_name, plan, is_inferred FROM star.dim_account ORDER BY account_id"""))
                    .containsExactly(
                            "acme|Acme Corp|enterprise|false",
                            "globex|Globex|enterprise|false",
                            "initech|Initech|starter|false",
                            "umbrella|null|null|true");
            // Customers 602 and 701 had only the deleted orders 1004 and 1005: they are gone.
            assertThat(rows(duck, """
                    SELECT account_id, customer_id, first_order_date, last_order_date, order_count
                    FROM star.dim_customer ORDER BY account_id, customer_id""")).containsExactly(
                    "acme|501|2024-05-30|2024-06-01|2",
                    "acme|502|2024-05-30|2024-05-30|1",
                    "acme|503|2024-05-31|2024-05-31|1",
                    "globex|601|2024-05-31|2024-05-31|1",
                    "globex|603|2024-06-01|2024-06-01|1",
                    "initech|703|2024-06-01|2024-06-01|1",
                    "umbrella|901|2024-06-02|2024-06-02|1");
        }
    }

    @Test
    void dimDateHasEveryDayFromTheFirstOrderDayToTheLast() throws Exception {
        try (Connection duck = loadedWarehouse()) {
            assertThat(rows(duck, """
                    SELECT date_key, full_date, calendar_year, calendar_quarter, calendar_month, day_of_month,
                           day_of_week, is_weekend
                    FROM star.dim_date ORDER BY date_key""")).containsExactly(
                    "20240530|2024-05-30|2024|2|5|30|4|false",
                    "20240531|2024-05-31|2024|2|5|31|5|false",
                    "20240601|2024-06-01|2024|2|6|1|6|true",
                    "20240602|2024-06-02|2024|2|6|2|0|true");
        }
    }

    @Test
    void loadingAgainOverTheSameStagingLeavesTheSameRows() throws Exception {
        try (Connection duck = loadedWarehouse()) {
            Map<String, List<String>> first = star(duck);

            run(duck, "02_star_schema.sql");
            run(duck, "03_load.sql");

            assertThat(first.get("fact_orders")).hasSize(8);
            assertThat(star(duck)).isEqualTo(first);
        }
    }

    @Test
    void theSpectrumSchemaNamesTheGlueDatabasePlaceholderAndTheDefaultRole() throws IOException {
        List<String> statements = RedshiftOnDuckDb.statements(Files.readString(WAREHOUSE.resolve("01_spectrum_schema.sql")));

        assertThat(statements).singleElement().asString().isEqualTo("""
                CREATE EXTERNAL SCHEMA IF NOT EXISTS staging
                FROM DATA CATALOG
                DATABASE '{{glue_database}}'
                IAM_ROLE default""");
        assertThat(new RedshiftOnDuckDb(List.of("orders", "accounts")).translate(statements.get(0))).containsExactly(
                "CREATE SCHEMA IF NOT EXISTS staging",
                "CREATE OR REPLACE VIEW staging.\"orders\" AS SELECT * FROM temp.main.\"orders\"",
                "CREATE OR REPLACE VIEW staging.\"accounts\" AS SELECT * FROM temp.main.\"accounts\"");
    }

    @Test
    void translationDropsOnlyThePhysicalTableAttributesAndForeignKeys() {
        RedshiftOnDuckDb translation = new RedshiftOnDuckDb(List.of());

        assertThat(translation.translate("CREATE TABLE t (a INT, b INT)\nDISTSTYLE ALL\nSORTKEY (a)"))
                .containsExactly("CREATE TABLE t (a INT, b INT)");
        assertThat(translation.translate("CREATE TABLE t (a INT, b INT) DISTKEY (b) INTERLEAVED SORTKEY (a, b)"))
                .containsExactly("CREATE TABLE t (a INT, b INT)");
        assertThat(translation.translate("""
                CREATE TABLE f (a INT NOT NULL REFERENCES s.d (a), b INT,
                    PRIMARY KEY (a), FOREIGN KEY (a, b) REFERENCES s.e (a, b)
                )""")).containsExactly("""
                CREATE TABLE f (a INT NOT NULL, b INT,
                    PRIMARY KEY (a)
                )""");
        assertThat(translation.translate("SELECT a FROM t")).containsExactly("SELECT a FROM t");
        assertThatThrownBy(() -> translation.translate("CREATE EXTERNAL TABLE s.t (a INT) LOCATION 's3://b/'"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("Only CREATE EXTERNAL SCHEMA ... FROM DATA CATALOG DATABASE '{{glue_database}}'"
                        + " IAM_ROLE default has a DuckDB translation, got: CREATE EXTERNAL TABLE s.t");
    }

    /** A DuckDB connection over the lake's staging, with warehouse/ run in file order. */
    private static Connection loadedWarehouse() throws Exception {
        LocalCatalog catalog = new LocalCatalog(lake.resolve("catalog"));
        assertThat(catalog.tableNames()).contains("orders", "accounts");
        Connection duck = new LocalQuery(catalog, lake.resolve("s3").resolve(LocalLake.STAGING_BUCKET),
                LocalLake.STAGING_BUCKET).open(Optional.empty());
        try {
            try (Stream<Path> files = Files.list(WAREHOUSE)) {
                for (Path file : files.filter(f -> f.toString().endsWith(".sql")).sorted().toList()) {
                    run(duck, file.getFileName().toString());
                }
            }
            return duck;
        } catch (Exception e) {
            duck.close();
            throw e;
        }
    }

    private static void run(Connection duck, String fileName) throws IOException, SQLException {
        RedshiftOnDuckDb translation = new RedshiftOnDuckDb(new LocalCatalog(lake.resolve("catalog")).tableNames());
        for (String statement : RedshiftOnDuckDb.statements(Files.readString(WAREHOUSE.resolve(fileName)))) {
            for (String translated : translation.translate(statement)) {
                try (Statement jdbc = duck.createStatement()) {
                    jdbc.execute(translated);
                } catch (SQLException e) {
                    throw new SQLException(fileName + ": " + e.getMessage() + "\n" + translated, e);
                }
            }
        }
    }

    private static Map<String, List<String>> star(Connection duck) throws SQLException {
        Map<String, List<String>> tables = new LinkedHashMap<>();
        for (String table : STAR_TABLES) {
            tables.put(table, rows(duck, "SELECT * FROM star." + table + " ORDER BY ALL"));
        }
        return tables;
    }

    /** Each row as its values joined by '|'. */
    private static List<String> rows(Connection duck, String sql) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Statement statement = duck.createStatement(); ResultSet result = statement.executeQuery(sql)) {
            int columns = result.getMetaData().getColumnCount();
            while (result.next()) {
                StringBuilder row = new StringBuilder();
                for (int i = 1; i <= columns; i++) {
                    row.append(i > 1 ? "|" : "").append(result.getObject(i));
                }
                rows.add(row.toString());
            }
        }
        return rows;
    }

    private static Path write(String name, String... lines) throws IOException {
        Path file = temp.resolve("input").resolve(name);
        Files.createDirectories(file.getParent());
        Files.writeString(file, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
        return file;
    }

    private static void ingest(String dataset, Path file) {
        tarn("ingest", "--dir", lake.toString(), "--pipeline", PIPELINE, "--dataset", dataset, "--file", file.toString());
    }

    /** Runs a tarn command, which must succeed; what it printed (results and logs) explains a failure. */
    private static void tarn(String... args) {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        try (PrintStream both = new PrintStream(printed, true, StandardCharsets.UTF_8)) {
            assertThat(new Tarn(both, both).run(args))
                    .as("tarn %s: %s", String.join(" ", args), printed.toString(StandardCharsets.UTF_8)).isZero();
        }
    }
}
