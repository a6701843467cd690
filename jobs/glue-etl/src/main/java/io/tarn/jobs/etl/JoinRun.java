package io.tarn.jobs.etl;

import static java.util.Objects.requireNonNull;
import static org.apache.spark.sql.functions.col;

import io.tarn.catalog.CatalogColumn;
import io.tarn.catalog.TableDefinition;
import io.tarn.etl.RunManifest.PartitionOutput;
import io.tarn.etl.RunManifest.TableOutput;
import io.tarn.pipeline.Dataset;
import io.tarn.pipeline.JoinSpec;
import io.tarn.pipeline.PipelineConfig;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.catalog.ExternalCatalogUtils;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.storage.StorageLevel;

/** Builds the joined datasets of pipeline.yaml from the current state of their staging sources. */
final class JoinRun {

    private final SparkSession spark;
    private final PipelineConfig pipeline;
    private final EtlSettings settings;
    private final StagingTables staging;

    JoinRun(SparkSession spark, PipelineConfig pipeline, EtlSettings settings) {
        this.spark = requireNonNull(spark, "spark is null");
        this.pipeline = requireNonNull(pipeline, "pipeline is null");
        this.settings = requireNonNull(settings, "settings is null");
        this.staging = new StagingTables(spark, settings.sparkStagingRoot());
    }

    List<TableOutput> run() {
        List<JoinSpec> joins = pipeline.joins().stream()
                .filter(j -> settings.datasets().isEmpty() || settings.datasets().contains(j.name()))
                .toList();
        for (String name : settings.datasets()) {
            if (pipeline.join(name).isEmpty()) {
                throw new EtlArgumentException(EtlSettings.DATASETS, "names join '" + name
                        + "', which pipeline.yaml does not declare (joins: " + pipeline.joins().stream().map(JoinSpec::name).toList() + ")");
            }
        }
        List<TableOutput> outputs = new ArrayList<>();
        for (JoinSpec join : joins) {
            outputs.add(build(join));
        }
        return outputs;
    }

    private TableOutput build(JoinSpec join) {
        Optional<List<String>> accounts = settings.since().map(since -> changedAccounts(join, since));
        for (String source : join.sources()) {
            Dataset dataset = pipeline.dataset(source).orElseThrow();
            org.apache.spark.sql.Dataset<Row> rows = staging.rows(dataset);
            if (accounts.isPresent()) {
                // Literal values on the partition column: Spark lists only those accounts' folders.
                rows = StagingTables.forAccounts(rows, accounts.get());
            }
            staging.currentState(dataset, rows).createOrReplaceTempView(source);
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
            } finally {
                result.unpersist();
            }
        }
        partitions.sort(Comparator.comparing(PartitionOutput::location));
        return new TableOutput(join.name(), location, definition.fingerprint(), columns, definition.partitionKeys(),
                partitions);
    }

    /** Accounts with staging files of any source written at or after {@code since}. */
    private List<String> changedAccounts(JoinSpec join, Instant since) {
        TreeSet<String> accounts = new TreeSet<>();
        for (String source : join.sources()) {
            accounts.addAll(staging.accountsWrittenSince(pipeline.dataset(source).orElseThrow(), since));
        }
        return List.copyOf(accounts);
    }

    private static String firstLine(RuntimeException e) {
        String message = String.valueOf(e.getMessage());
        return message.lines().findFirst().orElse(message);
    }
}
