package io.tarn.etl;

import java.util.List;

/**
 * What the state machine asks of partition repair: {@code {"runId": "...", "tables": [...]}}.
 *
 * @param tables only for a run without manifest: the tables to {@code MSCK REPAIR}; empty means
 *     every table of the Glue database. Ignored when the run has a manifest.
 */
public record PartitionRepairRequest(String runId, List<String> tables) {
    public PartitionRepairRequest {
        RunManifest.checkRunId(runId);
        tables = List.copyOf(tables);
    }
}
