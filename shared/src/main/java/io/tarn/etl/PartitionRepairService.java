package io.tarn.etl;

import static java.util.Objects.requireNonNull;

import io.tarn.catalog.Catalog;
import io.tarn.catalog.Partition;
import io.tarn.etl.PartitionRepairReport.TableRepair;
import io.tarn.log.JsonLogger;
import io.tarn.pipeline.Dataset;
import io.tarn.storage.ObjectStore;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Registers exactly the partitions an ETL run wrote, as its manifest lists them: the table is
 * created first when the catalog lacks it, then the partitions go in through Glue
 * (BatchCreatePartition) or Athena (ALTER TABLE ADD IF NOT EXISTS PARTITION). A run without
 * manifest falls back to {@code MSCK REPAIR TABLE} through Athena for the tables named in the
 * request, or every table of the Glue database when none is named. Replays register nothing new
 * and count the partitions as already registered.
 */
public final class PartitionRepairService {

    public static final String MSCK = "msck";

    private final ObjectStore store;
    private final Catalog catalog;
    private final QueryRunner queries;
    private final PartitionRepairConfig config;
    private final JsonLogger log;

    public PartitionRepairService(ObjectStore store, Catalog catalog, QueryRunner queries, PartitionRepairConfig config,
            JsonLogger log) {
        this.store = requireNonNull(store, "store is null");
        this.catalog = requireNonNull(catalog, "catalog is null");
        this.queries = requireNonNull(queries, "queries is null");
        this.config = requireNonNull(config, "config is null");
        this.log = requireNonNull(log, "log is null");
    }

    public PartitionRepairReport repair(PartitionRepairRequest request) {
        requireNonNull(request, "request is null");
        Optional<RunManifest> manifest = RunManifest.load(store, config.stagingBucket(), request.runId());
        PartitionRepairReport report = manifest
                .map(m -> new PartitionRepairReport(request.runId(), true, config.registration().label(),
                        m.tables().stream().map(this::register).toList()))
                .orElseGet(() -> new PartitionRepairReport(request.runId(), false, MSCK, msckRepair(request.tables())));
        log.info("partitions repaired", Map.of("runId", report.runId(), "manifestFound", report.manifestFound(),
                "mode", report.mode(), "tables", report.tables()));
        return report;
    }

    private TableRepair register(RunManifest.TableOutput table) {
        catalog.ensureTable(table.definition());
        // The manifest lists each partition once; a duplicate would only be counted twice.
        List<Partition> partitions = new ArrayList<>(new LinkedHashSet<>(table.catalogPartitions()));
        return switch (config.registration()) {
            case GLUE -> {
                int created = catalog.registerPartitions(table.table(), partitions);
                yield new TableRepair(table.table(), partitions.size(), created, partitions.size() - created, 0);
            }
            case ATHENA -> {
                // ADD IF NOT EXISTS does not say what it added: the catalog's partitions before tell
                // what is new, and a replay then sends no statement at all.
                Set<List<String>> existing = new HashSet<>();
                catalog.partitions(table.table()).forEach(p -> existing.add(p.values()));
                List<Partition> missing = partitions.stream().filter(p -> !existing.contains(p.values())).toList();
                List<String> statements = AthenaDdl.addPartitions(
                        config.glueDatabase(), table.table(), table.partitionKeys(), missing);
                statements.forEach(queries::run);
                yield new TableRepair(table.table(), partitions.size(), missing.size(),
                        partitions.size() - missing.size(), statements.size());
            }
        };
    }

    /**
     * MSCK REPAIR TABLE for the named tables, or for every table of the database but those whose
     * partitions are not folders of their own to discover: the change logs (RawObject registers
     * exactly what it writes) and the current tables (the refresh points each partition at a
     * version folder, {@code /v=<run id>/}, which MSCK would take for a partition of its own).
     */
    private List<TableRepair> msckRepair(List<String> requested) {
        List<String> tables = requested.isEmpty() ? catalog.tableNames() : requested;
        log.warn("no run manifest: MSCK REPAIR TABLE", Map.of("tables", tables));
        List<TableRepair> repairs = new ArrayList<>();
        for (String table : tables) {
            List<Partition> partitions = catalog.partitions(table);
            if (requested.isEmpty() && (table.endsWith(Dataset.CHANGES_SUFFIX)
                    || partitions.stream().anyMatch(p -> p.location().contains("/v=")))) {
                log.info("not repaired by MSCK: its partitions are registered by who writes them", Map.of("table", table));
                continue;
            }
            String statement = AthenaDdl.msckRepair(table);
            int before = partitions.size();
            queries.run(statement);
            int after = catalog.partitions(table).size();
            repairs.add(new TableRepair(table, after, after - before, before, 1));
        }
        return repairs;
    }
}
