package io.tarn.jobs.etl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.tarn.catalog.Catalog;
import io.tarn.catalog.Partition;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The refresh against an independent computation: after each run, the current table the catalog
 * points at must hold, per primary key, exactly the latest change of the change log as this test
 * works it out in Java (DMS's change sequence, then the commit timestamp, a missing one oldest; then
 * the raw object's key; then the line), deletes removed, each row in the account and day partition its own values name. The
 * changes are the hard cases: ties within a file and across files, files arriving in reverse
 * order, a delete then a re-insert, a key changing account and day, a MongoDB delete by _id alone,
 * a replayed object, a rerun of a run id, and a crash between writing a version and moving to it.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CurrentStateTest {

    private static final String STAGING = "tarn-current";
    /**
     * Named and committed earlier than the CDC file before it, landing last: the stale update of 1
     * loses, the tie on 2 goes to the later object name, the delete of 3 is followed by its
     * re-insert, 4 moves to globex and 5 to another day.
     */
    private static final String EARLIER_CDC = """
                U,2024-06-02 00:00:00.000000,1,acme,1,stale,1.00,EUR,2024-06-01 08:00:00,2024-06-02 00:00:00
                U,2024-06-03 00:00:00.000000,2,acme,1,named-earlier,24.00,EUR,2024-06-01 08:00:00,2024-06-03 00:00:00
                D,2024-06-03 00:00:01.000000,3,globex,2,paid,30.00,EUR,2024-06-01 08:00:00,\\N
                U,2024-06-02 00:00:00.000000,4,globex,3,moved,40.00,EUR,2024-06-02 08:00:00,2024-06-02 00:00:00
                U,2024-06-02 00:00:00.000000,5,acme,3,redated,50.00,EUR,2024-06-10 08:00:00,2024-06-02 00:00:00
                """;

    @RegisterExtension
    static final SharedLake lake = new SharedLake(STAGING);

    @Test
    @Order(1)
    void aFullLoadWithTiesInsideTheFileBecomesOneRowPerKey() throws Exception {
        lake.ingest("dms/shop/orders/LOAD00000001.csv", """
                I,2024-06-01 09:00:00.000000,1,acme,1,paid,10.00,EUR,2024-06-01 08:00:00,\\N
                I,2024-06-01 09:00:00.000000,2,acme,1,paid,20.00,EUR,2024-06-01 08:00:00,\\N
                I,2024-06-01 09:00:00.000000,3,globex,2,paid,30.00,EUR,2024-06-01 08:00:00,\\N
                I,2024-06-01 09:00:00.000000,4,acme,3,paid,40.00,EUR,2024-06-02 08:00:00,\\N
                I,2024-06-01 09:00:00.000000,5,acme,3,paid,50.00,EUR,2024-06-03 08:00:00,\\N
                U,2024-06-01 09:00:01.000000,2,acme,1,first,21.00,EUR,2024-06-01 08:00:00,\\N
                U,2024-06-01 09:00:01.000000,2,acme,1,second,22.00,EUR,2024-06-01 08:00:00,\\N
                I,2024-06-01 09:00:00.000000,6,initech,4,paid,60.00,EUR,2024-06-01 08:00:00,\\N
                """);

        lake.refresh("r1");

        assertThat(currentOrders()).isEqualTo(expectedOrders());
        assertThat(currentOrders().get("2")).isEqualTo("acme|2024-06-01|second");
        // Each partition of the current table: this run's version, one file.
        assertThat(lake.partitions("orders")).isNotEmpty().allSatisfy(p -> {
            assertThat(p.location()).contains("/v=r1/");
            assertThat(files(p)).hasSize(1);
        });
    }

    @Test
    @Order(2)
    void laterChangesWinByCommitTimeWhateverOrderTheirFilesArriveIn() throws Exception {
        // Named (and committed) later, landing first.
        lake.ingest("dms/shop/orders/20240603-0000000000.csv", """
                U,2024-06-03 00:00:00.000000,1,acme,1,latest,11.00,EUR,2024-06-01 08:00:00,2024-06-03 00:00:00
                U,2024-06-03 00:00:00.000000,2,acme,1,named-later,23.00,EUR,2024-06-01 08:00:00,2024-06-03 00:00:00
                I,2024-06-03 00:00:05.000000,3,globex,2,reinserted,31.00,EUR,2024-06-01 08:00:00,\\N
                """);
        lake.ingest("dms/shop/orders/20240602-0000000000.csv", EARLIER_CDC);

        lake.refresh("r2");

        Map<String, String> current = currentOrders();
        assertThat(current).isEqualTo(expectedOrders());
        assertThat(current).containsEntry("1", "acme|2024-06-01|latest")
                .containsEntry("2", "acme|2024-06-01|named-later")
                .containsEntry("3", "globex|2024-06-01|reinserted")
                .containsEntry("4", "globex|2024-06-02|moved")
                .containsEntry("5", "acme|2024-06-10|redated");
        // The key that moved left acme's partition, and 5 left its old day.
        assertThat(lake.partitions("orders")).extracting(Partition::values)
                .doesNotContain(List.of("acme", "2024-06-02"), List.of("acme", "2024-06-03"));
        // initech had no change: its partition still points at the first run's version.
        assertThat(lake.partitions("orders")).filteredOn(p -> p.values().get(0).equals("initech"))
                .singleElement().satisfies(p -> assertThat(p.location()).contains("/v=r1/"));
        // A tenant's twin reads the symlink manifests: the same rows, partition by partition.
        assertThat(ordersThroughSymlinks()).isEqualTo(current);
    }

    @Test
    @Order(3)
    void aReplayedObjectAndARerunOfARunIdChangeNothing() throws Exception {
        Map<String, String> before = currentOrders();
        lake.ingest("dms/shop/orders/20240602-0000000000.csv", EARLIER_CDC);

        lake.refresh("r3");
        List<Partition> afterRun = lake.partitions("orders");
        assertThat(currentOrders()).isEqualTo(before).isEqualTo(expectedOrders());

        // The same run id again, with nothing new: same partitions, same rows.
        lake.refresh("r3");
        assertThat(lake.partitions("orders")).containsExactlyInAnyOrderElementsOf(afterRun);
        assertThat(currentOrders()).isEqualTo(before);
    }

    @Test
    @Order(4)
    void aCrashBeforeThePartitionsMoveLeavesTheOldStateAndTheNextRunAppliesTheChanges() throws Exception {
        Map<String, String> before = currentOrders();
        List<Partition> partitionsBefore = lake.partitions("orders");
        lake.ingest("dms/shop/orders/20240604-0000000000.csv", """
                D,2024-06-04 00:00:00.000000,1,acme,1,latest,11.00,EUR,2024-06-01 08:00:00,\\N
                """);
        Catalog crashing = new CrashingCatalog(lake.catalog(), "movePartitions", "orders");

        assertThatThrownBy(() -> lake.run("r4", crashing, Clock.systemUTC()))
                .hasMessageContaining("crash in movePartitions of orders");
        assertThat(lake.partitions("orders")).containsExactlyInAnyOrderElementsOf(partitionsBefore);
        assertThat(currentOrders()).isEqualTo(before);

        lake.refresh("r5");
        assertThat(currentOrders()).isEqualTo(expectedOrders()).doesNotContainKey("1");
    }

    @Test
    @Order(5)
    void anAccountWhoseEveryRowIsDeletedLosesItsPartitionsAndItsJoinPartition() throws Exception {
        assertThat(lake.partitions("account_daily")).extracting(p -> p.values().get(0)).contains("initech");
        lake.ingest("dms/shop/orders/20240605-0000000000.csv", """
                D,2024-06-05 00:00:00.000000,6,initech,4,paid,60.00,EUR,2024-06-01 08:00:00,\\N
                """);

        lake.refresh("r6");

        assertThat(currentOrders()).isEqualTo(expectedOrders()).doesNotContainKey("6");
        assertThat(lake.partitions("orders")).extracting(p -> p.values().get(0)).doesNotContain("initech");
        assertThat(lake.partitions("account_daily")).extracting(p -> p.values().get(0)).doesNotContain("initech");
        assertThat(lake.stagingDir().resolve("account_daily/account_id=initech")).doesNotExist();
        try (Stream<Path> left = Files.walk(lake.stagingDir().resolve("_symlink/orders/account_id=initech"))) {
            assertThat(left.filter(Files::isRegularFile)).as("initech's manifests").isEmpty();
        }
        assertThat(ordersThroughSymlinks()).isEqualTo(currentOrders());
    }

    @Test
    @Order(6)
    void aMongoDbDeleteByIdAloneRemovesTheKeyFromTheAccountHoldingIt() throws Exception {
        lake.ingest("dms/app/events/LOAD00000001.csv", """
                I,2024-06-01 09:00:00.000000,e1,"{""account_id"": ""acme"", ""type"": ""login""}"
                I,2024-06-01 09:00:00.000000,e2,"{""account_id"": ""globex"", ""type"": ""login""}"
                """);
        lake.refresh("r7");
        assertThat(currentEvents()).containsOnlyKeys("e1", "e2");

        // A delete of a key no account holds (e9) is no error.
        lake.ingest("dms/app/events/20240602-0000000000.csv", """
                D,2024-06-02 09:00:00.000000,e1,\\N
                D,2024-06-02 09:00:00.000000,e9,\\N
                """);
        lake.refresh("r8");

        assertThat(currentEvents()).containsOnlyKeys("e2").containsEntry("e2", "globex");
        assertThat(lake.partitions("events")).extracting(p -> p.values().get(0)).containsExactly("globex");
        // The delete of e9 found nothing to delete: counted in what the run did.
        JsonNode lastRun = lake.lastRefresh("events");
        assertThat(lastRun.path("deletesOfUnheldKeys").asLong(-1)).isEqualTo(1);
        assertThat(lastRun.path("changeObjects").asLong(-1)).isEqualTo(1);
    }

    @Test
    @Order(7)
    void supersededVersionsAreDeletedAfterTheRetentionAndTheCurrentOnesNever() throws Exception {
        Path orders = lake.stagingDir().resolve("orders");
        List<Path> before = versionFolders(orders);
        assertThat(before).extracting(p -> p.getFileName().toString()).contains("v=r1", "v=r2");
        lake.ingest("dms/shop/orders/20240606-0000000000.csv", """
                U,2024-06-06 00:00:00.000000,2,acme,1,retained,25.00,EUR,2024-06-01 08:00:00,2024-06-06 00:00:00
                """);
        lake.refresh("r9");
        assertThat(versionFolders(orders)).containsAll(before);

        // With no retention, the next run deletes every version the catalog no longer points at.
        lake.runKeepingNoOldVersions("r10", Clock.systemUTC());

        List<String> current = lake.partitions("orders").stream().map(p -> lake.folder(p).toString()).toList();
        assertThat(versionFolders(orders)).allSatisfy(version -> assertThat(current)
                .as("%s is a version the catalog points into", version).anyMatch(c -> c.startsWith(version.toString())));
        assertThat(currentOrders()).isEqualTo(expectedOrders()).containsEntry("2", "acme|2024-06-01|retained");
    }

    @Test
    @Order(8)
    void aRunThatFailsAfterTheRefreshIsRetriedAndItsJoinsStillGetTheRefreshedAccounts() throws Exception {
        lake.ingest("dms/shop/orders/20240607-0000000000.csv", """
                I,2024-06-07 00:00:00.000000,7,globex,5,paid,70.00,EUR,2024-06-20 08:00:00,\\N
                """);
        // The joins fail before they write anything.
        Catalog joinsFail = new CrashingCatalog(lake.catalog(), "table", "account_daily");

        assertThatThrownBy(() -> lake.run("r11", joinsFail, Clock.systemUTC()))
                .hasMessageContaining("crash in table of account_daily");
        // The refresh had moved orders already; the retry (Glue's, same run id) rebuilds globex's join.
        assertThat(currentOrders()).containsEntry("7", "globex|2024-06-20|paid");
        lake.refresh("r11");

        try (Connection duckdb = TestLake.duckdb()) {
            assertThat(TestLake.rows(duckdb, "SELECT orders FROM read_parquet('" + lake.stagingDir()
                    + "/account_daily/account_id=globex/*.parquet') WHERE day = DATE '2024-06-20'"))
                    .containsExactly(List.of("1"));
        }
    }

    @Test
    @Order(9)
    void theChangeSequenceDecidesBeforeTheCommitTimestamp() throws Exception {
        // Commit timestamps that disagree with DMS's sequence (two sources' clocks, or one
        // microsecond): the sequence wins, within a file and across files.
        lake.ingest("dms/shop/orders/20240608-0000000000.csv", """
                U,2024-06-08 00:00:01.000000,7,globex,5,seq-first,70.00,EUR,2024-06-20 08:00:00,\\N,20240608000000000000000000000000100
                U,2024-06-08 00:00:00.000000,7,globex,5,seq-second,70.00,EUR,2024-06-20 08:00:00,\\N,20240608000000000000000000000000200
                """);
        lake.ingest("dms/shop/orders/20240607-9999999999.csv", """
                U,2024-06-05 00:00:00.000000,2,acme,1,seq-latest,26.00,EUR,2024-06-01 08:00:00,\\N,20240608000000000000000000000000300
                """);

        lake.refresh("r12");

        assertThat(currentOrders()).isEqualTo(expectedOrders())
                .containsEntry("7", "globex|2024-06-20|seq-second")
                .containsEntry("2", "acme|2024-06-01|seq-latest");
    }

    @Test
    @Order(10)
    void partitionsWithoutManifestsGetThemOnceEvenWithNothingNew() throws Exception {
        // A stack upgraded to the symlink twins: its current partitions have no manifests yet.
        try (Stream<Path> paths = Files.walk(lake.stagingDir().resolve("_symlink/orders"))) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }

        lake.refresh("r13");

        assertThat(ordersThroughSymlinks()).isEqualTo(currentOrders()).isEqualTo(expectedOrders());
    }

    @Test
    @Order(11)
    void aReloadedTableIsNewerThanTheChangesCapturedBeforeIt() throws Exception {
        // A DMS full load again (no sequence), committed after order 7's sequenced changes.
        lake.ingest("dms/shop/orders/LOAD00000002.csv", """
                I,2024-06-09 00:00:00.000000,7,globex,5,reloaded,70.00,EUR,2024-06-20 08:00:00,\\N,
                """);

        lake.refresh("r14");

        assertThat(currentOrders()).isEqualTo(expectedOrders()).containsEntry("7", "globex|2024-06-20|reloaded");
    }

    /**
     * Every {@code account_id=<a>/v=<run>} folder of the current table that still holds a file
     * (S3 has no folders: an emptied one is gone there).
     */
    private static List<Path> versionFolders(Path table) throws java.io.IOException {
        try (Stream<Path> paths = Files.walk(table, 2)) {
            return paths.filter(p -> p.getFileName().toString().startsWith("v=")).filter(CurrentStateTest::holdsFiles)
                    .sorted().toList();
        }
    }

    private static boolean holdsFiles(Path folder) {
        try (Stream<Path> files = Files.walk(folder)) {
            return files.anyMatch(f -> f.toString().endsWith(".parquet"));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    // ------------------------------------------------------------------------------------------

    /**
     * The latest change per order id over every change file, worked out here: change sequence (or
     * the commit time in its form), then commit timestamp (each null oldest), then the raw
     * object's key, then its line; a delete wins by being latest and
     * leaves nothing. Values: {@code account|day of created_at|status}.
     */
    private static Map<String, String> expectedOrders() throws Exception {
        record Change(String orderId, String op, String changeSeq, String commitTs, String sourceKey, long line,
                String account, String day, String status) {}
        List<Change> changes = new ArrayList<>();
        try (Connection duckdb = TestLake.duckdb()) {
            for (List<String> row : TestLake.rows(duckdb, "SELECT CAST(order_id AS VARCHAR), _op, _change_seq,"
                    + " strftime(_commit_ts, '%Y-%m-%d %H:%M:%S.%f'), _source_key, _source_line, account_id,"
                    + " strftime(created_at, '%Y-%m-%d'), status FROM read_parquet('" + lake.stagingDir()
                    + "/orders_changes/**/*.parquet', hive_partitioning = true, hive_types = {'account_id': VARCHAR},"
                    + " union_by_name = true)")) {
                changes.add(new Change(row.get(0), row.get(1), row.get(2), row.get(3), row.get(4), Long.parseLong(row.get(5)),
                        row.get(6), row.get(7), row.get(8)));
            }
        }
        // A row without a sequence (a full load) ranks by its commit time in the sequence's form:
        // the timestamp's digits to the hundredth of a second, then a zero counter.
        Comparator<Change> latestLast = Comparator
                .comparing((Change c) -> !c.changeSeq().equals("null") ? c.changeSeq()
                        : c.commitTs().equals("null") ? "" : c.commitTs().replaceAll("[^0-9]", "").substring(0, 16) + "0".repeat(19))
                .thenComparing((Change c) -> c.commitTs().equals("null") ? "" : c.commitTs())
                .thenComparing(Change::sourceKey)
                .thenComparingLong(Change::line);
        Map<String, Change> latest = new TreeMap<>();
        for (Change change : changes) {
            latest.merge(change.orderId(), change, (a, b) -> latestLast.compare(a, b) >= 0 ? a : b);
        }
        Map<String, String> expected = new TreeMap<>();
        latest.forEach((id, change) -> {
            if (!change.op().equals("D")) {
                expected.put(id, change.account() + "|" + change.day() + "|" + change.status());
            }
        });
        return expected;
    }

    /** The current orders as the catalog's partitions point at them: {@code account|dt|status}, dt as partitioned. */
    private static Map<String, String> currentOrders() throws Exception {
        Map<String, String> current = new TreeMap<>();
        try (Connection duckdb = TestLake.duckdb()) {
            for (Partition partition : lake.partitions("orders")) {
                for (List<String> row : TestLake.rows(duckdb, "SELECT CAST(order_id AS VARCHAR), strftime(created_at, '%Y-%m-%d'),"
                        + " status FROM read_parquet('" + lake.folder(partition) + "/*.parquet', hive_partitioning = false)")) {
                    assertThat(row.get(1)).as("order %s is in the day partition of its created_at", row.get(0))
                            .isEqualTo(partition.values().get(1));
                    assertThat(current.put(row.get(0), partition.values().get(0) + "|" + row.get(1) + "|" + row.get(2)))
                            .as("order %s is in one partition", row.get(0)).isNull();
                }
            }
        }
        return current;
    }

    /**
     * The current orders as a tenant's twin reads them: every symlink manifest under
     * {@code _symlink/orders/}, each naming the files of the partition in its path; the manifest
     * of each registered partition names exactly the files of the location the catalog has.
     */
    private static Map<String, String> ordersThroughSymlinks() throws Exception {
        Path root = lake.stagingDir();
        Map<List<String>, String> registered = new java.util.HashMap<>();
        lake.partitions("orders").forEach(p -> registered.put(p.values(), p.location()));
        Map<String, String> current = new TreeMap<>();
        List<Path> manifests;
        try (Stream<Path> files = Files.walk(root.resolve("_symlink/orders"))) {
            manifests = files.filter(f -> f.getFileName().toString().equals("symlink.txt")).toList();
        }
        assertThat(manifests).hasSameSizeAs(registered.keySet());
        try (Connection duckdb = TestLake.duckdb()) {
            for (Path manifest : manifests) {
                Path folder = root.resolve("_symlink/orders").relativize(manifest.getParent());
                String account = folder.getName(0).toString().substring("account_id=".length());
                String day = folder.getName(1).toString().substring("dt=".length());
                String location = registered.get(List.of(account, day));
                assertThat(location).as("manifest %s is of a registered partition", folder).isNotNull();
                List<String> files = Files.readAllLines(manifest).stream().filter(l -> !l.isBlank()).toList();
                assertThat(files).as("manifest %s", folder).isNotEmpty().allSatisfy(f -> assertThat(f).startsWith(location))
                        .containsExactlyInAnyOrderElementsOf(files(registered.entrySet().stream()
                                .filter(e -> e.getValue().equals(location)).findFirst().map(e -> new Partition(e.getKey(), location))
                                .orElseThrow()).stream().map(f -> location + f.getFileName()).toList());
                for (String file : files) {
                    Path local = root.resolve(file.substring(("s3://" + STAGING + "/").length()));
                    for (List<String> row : TestLake.rows(duckdb, "SELECT CAST(order_id AS VARCHAR), strftime(created_at,"
                            + " '%Y-%m-%d'), status FROM read_parquet('" + local + "', hive_partitioning = false)")) {
                        current.put(row.get(0), account + "|" + row.get(1) + "|" + row.get(2));
                    }
                }
            }
        }
        return current;
    }

    /** The current events: _id to account. */
    private static Map<String, String> currentEvents() throws Exception {
        Map<String, String> current = new TreeMap<>();
        try (Connection duckdb = TestLake.duckdb()) {
            for (Partition partition : lake.partitions("events")) {
                for (List<String> row : TestLake.rows(duckdb, "SELECT _id FROM read_parquet('" + lake.folder(partition)
                        + "/*.parquet', hive_partitioning = false)")) {
                    current.put(row.get(0), partition.values().get(0));
                }
            }
        }
        return current;
    }

    private static List<Path> files(Partition partition) {
        try (Stream<Path> files = Files.list(lake.folder(partition))) {
            return files.filter(f -> f.toString().endsWith(".parquet")).toList();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
