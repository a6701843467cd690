package io.tarn.jobs.etl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tarn.catalog.Catalog;
import io.tarn.catalog.Partition;
import io.tarn.ingest.Manifest;
import io.tarn.parquet.StagingSchema;
import io.tarn.pipeline.Dataset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Compaction of closed change-log days, checked against the change files themselves: through the
 * catalog's partitions of {@code orders_changes}, a reader sees every change of every landing file
 * exactly once, before compaction, after it, after a replayed object and after a late one.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ChangeLogCompactionTest {

    private static final String STAGING = "tarn-compaction";
    /** Past the default lateness (2 days): every day that has files now is closed. */
    private static final Clock LATER = Clock.offset(Clock.systemUTC(), Duration.ofDays(4));

    @RegisterExtension
    static final SharedLake lake = new SharedLake(STAGING);

    @Test
    @Order(1)
    void anOpenDayIsLeftAsItLandedAndAClosedOneBecomesOneFilePerPartition() throws Exception {
        for (int object = 1; object <= 3; object++) {
            StringBuilder csv = new StringBuilder();
            for (int order = 0; order < 4; order++) {
                long id = object * 100L + order;
                csv.append("I,2024-06-0").append(object).append(" 09:00:00.000000,").append(id).append(',')
                        .append(order % 2 == 0 ? "acme" : "globex").append(",1,paid,10.00,EUR,2024-06-01 08:00:00,\\N,\n");
            }
            ingest(lake.put("dms/shop/orders/2024060" + object + "-0000000000.csv", csv.toString()));
        }
        List<List<String>> landed = landingChanges();
        assertThat(landed).hasSize(12);

        lake.run("c1", Clock.systemUTC());
        assertThat(lake.partitions("orders_changes")).isNotEmpty()
                .allSatisfy(p -> assertThat(p.location()).doesNotContain("/v="));
        assertThat(registeredChanges()).containsExactlyInAnyOrderElementsOf(landed);

        lake.run("c2", LATER);
        assertThat(lake.partitions("orders_changes")).hasSize(2).allSatisfy(p -> {
            assertThat(p.location()).contains("/v=c");
            assertThat(parquetFiles(p)).hasSize(1);
        });
        assertThat(registeredChanges()).containsExactlyInAnyOrderElementsOf(landed);
    }

    @Test
    @Order(2)
    void aReplayedObjectAddsNoRowToTheCompactedDay() throws Exception {
        List<Partition> before = lake.partitions("orders_changes");
        ingest("dms/shop/orders/20240602-0000000000.csv");

        lake.run("c3", LATER);

        assertThat(lake.partitions("orders_changes")).containsExactlyInAnyOrderElementsOf(before);
        assertThat(registeredChanges()).containsExactlyInAnyOrderElementsOf(landingChanges()).hasSize(12);
    }

    @Test
    @Order(3)
    void aLateObjectIsCompactedAgainAndACrashBeforeTheMoveChangesNothing() throws Exception {
        List<Partition> before = lake.partitions("orders_changes");
        ingest(lake.put("dms/shop/orders/20240604-0000000000.csv",
                "I,2024-06-04 09:00:00.000000,900,acme,1,late,10.00,EUR,2024-06-01 08:00:00,\\N,\n"));

        Catalog crashing = new CrashingCatalog(lake.catalog(), "movePartitions", "orders_changes");
        assertThatThrownBy(() -> lake.run("c4", crashing, LATER))
                .hasMessageContaining("crash in movePartitions of orders_changes");
        assertThat(lake.partitions("orders_changes")).containsExactlyInAnyOrderElementsOf(before);

        lake.run("c4", LATER);

        List<List<String>> landed = landingChanges();
        assertThat(landed).hasSize(13);
        assertThat(registeredChanges()).containsExactlyInAnyOrderElementsOf(landed);
        Partition acme = lake.partitions("orders_changes").stream().filter(p -> p.values().get(0).equals("acme"))
                .findFirst().orElseThrow();
        assertThat(acme.location()).isNotIn(before.stream().map(Partition::location).toList());
        assertThat(parquetFiles(acme)).hasSize(1);
        // The version it replaced goes once the retention has passed.
        Partition old = before.stream().filter(p -> p.values().get(0).equals("acme")).findFirst().orElseThrow();
        assertThat(lake.folder(old)).exists();
        lake.runKeepingNoOldVersions("c5", LATER);
        assertThat(parquetFiles(old)).isEmpty();
        assertThat(registeredChanges()).containsExactlyInAnyOrderElementsOf(landed);
    }

    // ------------------------------------------------------------------------------------------

    /** The RawObject function's path, registering the change log's partitions as it does. */
    private static void ingest(String key) {
        Manifest manifest = lake.ingest(key);
        Dataset orders = lake.lake().pipeline.dataset("orders").orElseThrow();
        Catalog catalog = lake.catalog();
        catalog.ensureTable(new StagingSchema(orders).changesTableDefinition("s3://" + STAGING + "/orders_changes/"));
        catalog.registerPartitions("orders_changes", manifest.partitions().stream()
                .map(p -> new Partition(p.values(), p.location())).toList());
    }

    /** Every change of every landing file: order id, op, source key, line. */
    private static List<List<String>> landingChanges() throws Exception {
        try (Connection duckdb = TestLake.duckdb()) {
            return TestLake.rows(duckdb, "SELECT CAST(order_id AS VARCHAR), _op, _source_key, CAST(_source_line AS VARCHAR)"
                    + " FROM read_parquet('" + lake.stagingDir() + "/orders_changes/account_id=*/dt=*/*.parquet')");
        }
    }

    /** Every change a reader of the registered table sees: each partition's files, at its location. */
    private static List<List<String>> registeredChanges() throws Exception {
        List<List<String>> rows = new ArrayList<>();
        try (Connection duckdb = TestLake.duckdb()) {
            for (Partition partition : lake.partitions("orders_changes")) {
                rows.addAll(TestLake.rows(duckdb, "SELECT CAST(order_id AS VARCHAR), _op, _source_key,"
                        + " CAST(_source_line AS VARCHAR) FROM read_parquet('" + lake.folder(partition) + "/*.parquet')"));
            }
        }
        return rows;
    }

    private static List<Path> parquetFiles(Partition partition) throws Exception {
        if (!Files.exists(lake.folder(partition))) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(lake.folder(partition))) {
            return files.filter(f -> f.getFileName().toString().endsWith(".parquet")).toList();
        }
    }
}
