package io.tarn.jobs.etl;

import static java.util.Objects.requireNonNull;
import static org.apache.spark.sql.functions.col;

import io.tarn.catalog.Catalog;
import io.tarn.catalog.CatalogColumn;
import io.tarn.catalog.TableDefinition;
import io.tarn.etl.RunManifest.PartitionOutput;
import io.tarn.etl.RunManifest.TableOutput;
import io.tarn.pipeline.Dataset;
import io.tarn.pipeline.JoinSpec;
import io.tarn.pipeline.PipelineConfig;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.catalog.ExternalCatalogUtils;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.storage.StorageLevel;

/**
 * Builds the joined datasets of pipeline.yaml from the current tables of their sources. A run
 * rebuilds the accounts the refresh rewrote in any of a join's sources (every account of a join
 * with no table yet); an account left without rows loses its partition.
 */
final class JoinRun {

    private final SparkSession spark;
    private final PipelineConfig pipeline;
    private final EtlSettings settings;
    private final Catalog catalog;
    private final List<RefreshRun.Refreshed> refreshed;
    private final StagingTables staging;

    JoinRun(SparkSession spark, PipelineConfig pipeline, EtlSettings settings, Catalog catalog,
            List<RefreshRun.Refreshed> refreshed) {
        this.spark = requireNonNull(spark, "spark is null");
        this.pipeline = requireNonNull(pipeline, "pipeline is null");
        this.settings = requireNonNull(settings, "settings is null");
        this.catalog = requireNonNull(catalog, "catalog is null");
        this.refreshed = List.copyOf(refreshed);
        this.staging = new StagingTables(spark, settings, catalog);
    }

    /** Fails naming a join {@code --datasets} names that pipeline.yaml does not declare. */
    static void checkJoins(PipelineConfig pipeline, EtlSettings settings) {
        for (String name : settings.datasets()) {
            if (pipeline.join(name).isEmpty()) {
                throw new EtlArgumentException(EtlSettings.DATASETS, "names join '" + name
                        + "', which pipeline.yaml does not declare (joins: " + pipeline.joins().stream().map(JoinSpec::name).toList() + ")");
            }
        }
    }

    List<TableOutput> run() {
        checkJoins(pipeline, settings);
        List<JoinSpec> joins = pipeline.joins().stream()
                .filter(j -> settings.datasets().isEmpty() || settings.datasets().contains(j.name()))
                .toList();
        List<TableOutput> outputs = new ArrayList<>();
        for (JoinSpec join : joins) {
            outputs.add(build(join));
        }
        return outputs;
    }

    private TableOutput build(JoinSpec join) {
        Optional<Set<String>> accounts = catalog.table(join.name()).isPresent()
                ? Optional.of(changedAccounts(join)) : Optional.empty();
        for (String source : join.sources()) {
            Dataset dataset = pipeline.dataset(source).orElseThrow();
            staging.currentView(dataset, accounts.orElse(null)).createOrReplaceTempView(source);
        }
        org.apache.spark.sql.Dataset<Row> result;
        try {
            result = spark.sql(join.sql());
        } catch (RuntimeException e) {
            throw new EtlException("join '" + join.name() + "': its sql does not run: " + firstLine(e), e);
        }
        String partition = join.partitionBy();
        if (!Arrays.asList(result.columns()).contains(partition)) {
            throw new EtlException("join '" + join.name() + "': its sql returns no " + partition + " column (it returns "
                    + Arrays.toString(result.columns()) + ")");
        }
        // A row without an account would land in Spark's __HIVE_DEFAULT_PARTITION__, which no tenant owns.
        result = result.where(col(partition).isNotNull());

        String location = settings.stagingRoot() + join.name() + "/";
        List<CatalogColumn> columns = new ArrayList<>();
        for (StructField field : result.schema().fields()) {
            if (!field.name().equals(partition)) {
                // catalogString is the Hive spelling: bigint, decimal(22,2), timestamp, array<string>.
                columns.add(new CatalogColumn(field.name(), field.dataType().catalogString()));
            }
        }
        TableDefinition definition = new TableDefinition(join.name(), location, columns,
                List.of(new CatalogColumn(partition, "string")));

        List<PartitionOutput> partitions = new ArrayList<>();
        if (accounts.isEmpty() || !accounts.get().isEmpty()) {
            // Counted and written from one computation of the join.
            result.persist(StorageLevel.MEMORY_AND_DISK());
            try {
                Map<String, Long> rows = new java.util.TreeMap<>();
                for (Row row : result.groupBy(partition).count().collectAsList()) {
                    rows.put(row.getString(0), row.getLong(1));
                }
                result.write()
                        .mode(SaveMode.Overwrite)
                        // Replace only the account folders this run writes; every other account stays.
                        .option("partitionOverwriteMode", "dynamic")
                        .option("compression", "zstd")
                        .partitionBy(partition)
                        .parquet(settings.sparkStagingRoot() + join.name());
                rows.forEach((account, count) -> partitions.add(new PartitionOutput(List.of(account),
                        // The folder Spark wrote: its own escaping of the value (see PartitionPathsAgreementTest).
                        location + partition + "=" + ExternalCatalogUtils.escapePathName(account) + "/", count)));
                if (accounts.isPresent()) {
                    removeEmptied(join, accounts.get(), rows.keySet());
                }
            } finally {
                result.unpersist();
            }
        }
        partitions.sort(Comparator.comparing(PartitionOutput::location));
        // Registered here too (partition repair registers its partitions): the next run then
        // rebuilds only changed accounts, whatever became of this run's later steps.
        catalog.ensureTable(definition);
        return new TableOutput(join.name(), location, definition.fingerprint(), columns, definition.partitionKeys(),
                partitions);
    }

    /**
     * Rebuilt accounts the join no longer has rows for: their folders go, and their partitions
     * leave the catalog (a crash in between leaves a partition without files, which reads as
     * empty, and the next rebuild of the account removes it).
     */
    private void removeEmptied(JoinSpec join, Set<String> rebuilt, Set<String> withRows) {
        List<List<String>> removals = new ArrayList<>();
        for (String account : rebuilt) {
            if (withRows.contains(account)) {
                continue;
            }
            Path folder = new Path(settings.sparkStagingRoot() + join.name() + "/" + join.partitionBy() + "="
                    + ExternalCatalogUtils.escapePathName(account));
            try {
                staging.fileSystem(folder).delete(folder, true);
            } catch (IOException e) {
                throw new EtlException("Cannot remove " + folder + ": " + e.getMessage(), e);
            }
            removals.add(List.of(account));
        }
        if (!removals.isEmpty()) {
            catalog.movePartitions(join.name(), List.of(), removals);
        }
    }

    /** The accounts the refresh rewrote in any of the join's sources. */
    private Set<String> changedAccounts(JoinSpec join) {
        Set<String> accounts = new TreeSet<>();
        for (RefreshRun.Refreshed table : refreshed) {
            if (join.sources().contains(table.dataset())) {
                accounts.addAll(table.accounts());
            }
        }
        return accounts;
    }

    private static String firstLine(RuntimeException e) {
        String message = String.valueOf(e.getMessage());
        return message.lines().findFirst().orElse(message);
    }
}
