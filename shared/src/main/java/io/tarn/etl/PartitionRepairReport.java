package io.tarn.etl;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * What partition repair did for one run.
 *
 * @param mode {@code glue} (BatchCreatePartition), {@code athena} (ALTER TABLE ADD PARTITION) or
 *     {@code msck} (no manifest: MSCK REPAIR TABLE)
 */
public record PartitionRepairReport(String runId, boolean manifestFound, String mode, List<TableRepair> tables) {

    public PartitionRepairReport {
        requireNonNull(runId, "runId is null");
        requireNonNull(mode, "mode is null");
        tables = List.copyOf(tables);
    }

    /**
     * One table's repair.
     *
     * @param partitions the run's partitions of the table (with {@code msck}: the table's partitions after repair)
     * @param registered partitions this call added to the catalog
     * @param alreadyRegistered partitions the catalog had already (a replay, or RawObject's own registration)
     * @param queries Athena statements run
     */
    public record TableRepair(String table, int partitions, int registered, int alreadyRegistered, int queries) {
        public TableRepair {
            requireNonNull(table, "table is null");
        }
    }
}
