package io.tarn.jobs.etl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tarn.catalog.Catalog;
import io.tarn.catalog.Partition;
import io.tarn.current.KeySnapshot;
import java.sql.Connection;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Azure SQL hard deletes through key snapshots, against an independent computation: a key is gone
 * from the current table exactly when the latest complete snapshot lacks it and its latest change
 * (worked out here over the change files, by landing time) landed before the snapshot began. The
 * snapshot's pages and pointer are laid out as the poller lays them out ({@link KeySnapshot}); the
 * poller's side is SqlPollerServiceTest's.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KeySnapshotDeletesTest {

    private static final String STAGING = "tarn-keysnap";
    private static final String PAGES = "azuresql/dbo/accounts/rowversion/";
    private static final String HEADER = "_op,account_id,name,plan,region,created_at,updated_at\r\n";

    @RegisterExtension
    static final SharedLake lake = new SharedLake(STAGING);
    static Instant snapshotStart;

    @Test
    @Order(1)
    void anIncompleteSnapshotDeletesNothing() throws Exception {
        ingest("0000000000000000__0000000000000004.csv", """
                U,a1,Acme,pro,eu,2024-01-01T00:00:00,2024-06-01T00:00:00\r
                U,a2,Globex,free,us,2024-01-01T00:00:00,2024-06-01T00:00:00\r
                U,a3,Initech,pro,us,2024-01-01T00:00:00,2024-06-01T00:00:00\r
                U,a4,Umbrella,free,eu,2024-01-01T00:00:00,2024-06-01T00:00:00\r
                """);
        lake.refresh("k1");
        assertThat(currentAccounts()).containsOnlyKeys("a1", "a2", "a3", "a4");

        // The poller began a snapshot and ran out of time: pages, but no pointer.
        snapshotStart = beginSnapshot("a1");
        lake.refresh("k2");

        assertThat(currentAccounts()).containsOnlyKeys("a1", "a2", "a3", "a4");
    }

    @Test
    @Order(2)
    void keysAbsentFromACompleteSnapshotAndUnchangedSinceItBeganAreDeleted() throws Exception {
        // After the snapshot began: a2 is updated and a5 inserted, both after their keys' pages were read.
        Thread.sleep(1_100);
        ingest("0000000000000004__0000000000000006.csv", """
                U,a2,Globex Corp,pro,us,2024-01-01T00:00:00,2024-06-02T00:00:00\r
                U,a5,Hooli,free,us,2024-01-01T00:00:00,2024-06-02T00:00:00\r
                """);
        // The snapshot completes: a3 (and a2, a5, read too early or too late) are not in it.
        putPage(snapshotStart, 2, "a4");
        announce(snapshotStart, 2);

        Map<String, String> expected = expectedAccounts(snapshotStart, Set.of("a1", "a4"));
        lake.refresh("k3");

        assertThat(currentAccounts()).isEqualTo(expected).containsOnlyKeys("a1", "a2", "a4", "a5")
                .containsEntry("a2", "Globex Corp");
        // The delete is in the change log, named after the snapshot.
        assertThat(deletesInLog()).containsExactly(List.of("a3", KeySnapshot.folder("accounts", snapshotStart)));
        assertThat(lake.partitions("accounts_changes")).extracting(Partition::values).contains(
                List.of("a3", java.time.LocalDate.ofInstant(snapshotStart, java.time.ZoneOffset.UTC).toString()));
    }

    @Test
    @Order(3)
    void anAppliedSnapshotIsNotAppliedAgainAndAKeyReinsertedAfterItStays() throws Exception {
        ingest("0000000000000006__0000000000000007.csv", """
                U,a3,Initech,pro,us,2024-01-01T00:00:00,2024-06-03T00:00:00\r
                """);
        lake.refresh("k4");
        lake.refresh("k4");

        assertThat(currentAccounts()).containsOnlyKeys("a1", "a2", "a3", "a4", "a5");
        assertThat(deletesInLog()).hasSize(1);
    }

    @Test
    @Order(4)
    void aCrashBeforeThePartitionsMoveAppliesTheSnapshotOnceOnTheRerun() throws Exception {
        Instant second = beginSnapshot("a1", "a2", "a3");
        announce(second, 1);
        Catalog crashing = new CrashingCatalog(lake.catalog(), "movePartitions", "accounts");

        assertThatThrownBy(() -> lake.run("k5", crashing, Clock.systemUTC()))
                .hasMessageContaining("crash in movePartitions of accounts");
        assertThat(currentAccounts()).containsOnlyKeys("a1", "a2", "a3", "a4", "a5");

        Map<String, String> expected = expectedAccounts(second, Set.of("a1", "a2", "a3"));
        lake.refresh("k5");
        assertThat(currentAccounts()).isEqualTo(expected).containsOnlyKeys("a1", "a2", "a3");
        // a4 and a5, once each: the crashed attempt's files were replaced, not added to.
        assertThat(deletesInLog()).extracting(row -> row.get(0)).containsExactlyInAnyOrder("a3", "a4", "a5");
    }

    @Test
    @Order(5)
    void aRerunAfterTheJoinsFailedStillRebuildsTheAccountsTheSnapshotDeletedFrom() throws Exception {
        Instant third = beginSnapshot("a1", "a3");
        announce(third, 1);

        // The refresh moves the current table past a2's delete, then the joins fail.
        Catalog joinsFail = new CrashingCatalog(lake.catalog(), "table", "account_daily");
        assertThatThrownBy(() -> lake.run("k6", joinsFail, Clock.systemUTC()))
                .hasMessageContaining("crash in table of account_daily");
        assertThat(currentAccounts()).containsOnlyKeys("a1", "a3");

        lake.refresh("k6");

        // The retry applied, and handed the joins, the same account, though a2 is no longer there to find.
        assertThat(lake.lastRefresh("accounts").path("accountsRewritten").asLong(-1)).isEqualTo(1);
        assertThat(deletesInLog()).extracting(row -> row.get(0)).containsExactlyInAnyOrder("a2", "a3", "a4", "a5");
    }

    @Test
    @Order(6)
    void aSnapshotWithAPageGoneIsNeverApplied() throws Exception {
        // Page 2 (with a3) expired, or was never there: a3 must not read as deleted.
        Instant fourth = beginSnapshot("a1");
        announce(fourth, 2);

        lake.refresh("k7");

        assertThat(currentAccounts()).containsOnlyKeys("a1", "a3");
    }

    // ------------------------------------------------------------------------------------------

    private static void ingest(String page, String rows) {
        lake.ingest(PAGES + page, HEADER + rows);
    }

    /**
     * The first page of a snapshot the poller begins now, over a second after the last change
     * landed: S3 last-modified times are whole seconds here, and a change landing in the second the
     * snapshot began could not be told to have landed before it.
     */
    private static Instant beginSnapshot(String... keys) throws InterruptedException {
        Thread.sleep(1_100);
        Instant startedAt = Instant.now();
        putPage(startedAt, 1, keys);
        return startedAt;
    }

    private static void putPage(Instant startedAt, int page, String... keys) {
        lake.put(KeySnapshot.pageKey("accounts", startedAt, page),
                "account_id\r\n" + String.join("\r\n", keys) + "\r\n");
    }

    private static void announce(Instant startedAt, int pages) {
        List<String> keys = new ArrayList<>();
        for (int i = 1; i <= pages; i++) {
            keys.add(KeySnapshot.pageKey("accounts", startedAt, i));
        }
        lake.lake().store.put(TestLake.RAW, KeySnapshot.latestKey("accounts"),
                new KeySnapshot("accounts", startedAt, keys).toJson(), "application/json");
    }

    /**
     * Worked out here: the latest change per key by landing time then object name then line, over
     * every change file except the snapshot's own deletes; then a key the snapshot lacks whose
     * latest change landed before it began is deleted. Values: account to name.
     */
    private static Map<String, String> expectedAccounts(Instant startedAt, Set<String> inSnapshot) throws Exception {
        Map<String, List<String>> latest = new TreeMap<>();
        try (Connection duckdb = TestLake.duckdb()) {
            for (List<String> row : TestLake.rows(duckdb, "SELECT account_id, _op, name, epoch_us(_ingested_at),"
                    + " _source_key, _source_line FROM read_parquet('" + lake.stagingDir()
                    + "/accounts_changes/**/*.parquet', hive_partitioning = true, hive_types = {'account_id': VARCHAR})"
                    + " WHERE _source_key NOT LIKE 'key-snapshots/%'"
                    + " ORDER BY epoch_us(_ingested_at), _source_key, _source_line")) {
                latest.put(row.get(0), row);
            }
        }
        long start = startedAt.toEpochMilli() * 1000;
        Map<String, String> expected = new TreeMap<>();
        latest.forEach((key, row) -> {
            boolean deleted = row.get(1).equals("D")
                    || (!inSnapshot.contains(key) && Long.parseLong(row.get(3)) < start);
            if (!deleted) {
                expected.put(key, row.get(2));
            }
        });
        return expected;
    }

    /** Current accounts as the catalog's partitions point at them: account to name. */
    private static Map<String, String> currentAccounts() throws Exception {
        Map<String, String> current = new TreeMap<>();
        try (Connection duckdb = TestLake.duckdb()) {
            for (Partition partition : lake.partitions("accounts")) {
                for (List<String> row : TestLake.rows(duckdb, "SELECT name FROM read_parquet('" + lake.folder(partition)
                        + "/*.parquet', hive_partitioning = false)")) {
                    assertThat(current.put(partition.values().get(0), row.get(0))).isNull();
                }
            }
        }
        return current;
    }

    /** The change log's delete rows: account and source key. */
    private static List<List<String>> deletesInLog() throws Exception {
        try (Connection duckdb = TestLake.duckdb()) {
            return TestLake.rows(duckdb, "SELECT account_id, _source_key FROM read_parquet('" + lake.stagingDir()
                    + "/accounts_changes/**/*.parquet', hive_partitioning = true, hive_types = {'account_id': VARCHAR})"
                    + " WHERE _op = 'D' ORDER BY 1");
        }
    }
}
