package io.tarn.jobs.etl;

import static java.util.Objects.requireNonNull;

import io.tarn.catalog.TableDefinition;
import io.tarn.etl.RunManifest.PartitionOutput;
import io.tarn.etl.RunManifest.TableOutput;
import io.tarn.ingest.Manifest;
import io.tarn.ingest.Manifest.PartitionEntry;
import io.tarn.parquet.StagingSchema;
import io.tarn.pipeline.Dataset;
import io.tarn.pipeline.PipelineConfig;
import io.tarn.storage.ObjectStore;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;

/** Converts every raw object of the chosen datasets to staging, one Spark task per object. */
final class BackfillRun {

    private final SparkSession spark;
    private final PipelineConfig pipeline;
    private final EtlSettings settings;
    private final ObjectStore store;
    private final BackfillTask.Config taskConfig;

    BackfillRun(SparkSession spark, PipelineConfig pipeline, EtlSettings settings, ObjectStore store,
            BackfillTask.Config taskConfig) {
        this.spark = requireNonNull(spark, "spark is null");
        this.pipeline = requireNonNull(pipeline, "pipeline is null");
        this.settings = requireNonNull(settings, "settings is null");
        this.store = requireNonNull(store, "store is null");
        this.taskConfig = requireNonNull(taskConfig, "taskConfig is null");
    }

    List<TableOutput> run() {
        List<Dataset> datasets = datasets();
        String rawBucket = settings.rawBucket().orElseThrow();
        List<String> keys = new ArrayList<>();
        for (Dataset dataset : datasets) {
            store.list(rawBucket, dataset.rawPrefix()).stream().filter(key -> !key.endsWith("/")).forEach(keys::add);
        }
        List<Manifest> manifests = new ArrayList<>();
        if (!keys.isEmpty()) {
            // One slice per object: objects differ in size by orders of magnitude, so small slices
            // let Spark's scheduler even out the work, and a failed task retries one object.
            JavaSparkContext context = JavaSparkContext.fromSparkContext(spark.sparkContext());
            for (String json : context.parallelize(keys, keys.size()).mapPartitions(new BackfillTask(taskConfig)).collect()) {
                manifests.add(Manifest.fromJson(json.getBytes(StandardCharsets.UTF_8)));
            }
        }
        List<TableOutput> tables = new ArrayList<>();
        for (Dataset dataset : datasets) {
            tables.add(table(dataset, manifests.stream().filter(m -> m.dataset().equals(dataset.name())).toList()));
        }
        return tables;
    }

    private List<Dataset> datasets() {
        for (String name : settings.datasets()) {
            if (pipeline.dataset(name).isEmpty()) {
                throw new EtlArgumentException(EtlSettings.DATASETS, "names dataset '" + name
                        + "', which pipeline.yaml does not declare (datasets: "
                        + pipeline.datasets().stream().map(Dataset::name).toList() + ")");
            }
        }
        return pipeline.datasets().stream()
                .filter(d -> settings.datasets().isEmpty() || settings.datasets().contains(d.name()))
                .toList();
    }

    /**
     * The table as the run wrote it. A partition's rows are those this run wrote into it (summed
     * over objects); rows other raw objects put there before are not counted.
     */
    private TableOutput table(Dataset dataset, List<Manifest> manifests) {
        StagingSchema schema = new StagingSchema(dataset);
        String location = "s3://" + settings.stagingBucket().orElseThrow() + "/" + dataset.changesTable() + "/";
        TableDefinition definition = schema.changesTableDefinition(location);
        Map<String, PartitionOutput> partitions = new TreeMap<>();
        for (Manifest manifest : manifests) {
            for (PartitionEntry entry : manifest.partitions()) {
                partitions.merge(entry.location(), new PartitionOutput(entry.values(), entry.location(), entry.rows()),
                        (a, b) -> new PartitionOutput(a.values(), a.location(), a.rows() + b.rows()));
            }
        }
        List<PartitionOutput> written = new ArrayList<>(partitions.values());
        written.sort(Comparator.comparing(PartitionOutput::location));
        return new TableOutput(dataset.changesTable(), location, schema.fingerprint(), definition.columns(),
                definition.partitionKeys(), written);
    }
}
