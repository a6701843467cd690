package io.tarn.jobs.etl;

import static java.util.Objects.requireNonNull;

import io.tarn.aws.AwsSettings;
import io.tarn.aws.s3.S3Clients;
import io.tarn.aws.s3.S3ObjectStore;
import io.tarn.catalog.Catalog;
import io.tarn.catalog.Partition;
import io.tarn.catalog.TableDefinition;
import io.tarn.ingest.IngestOutcome;
import io.tarn.ingest.IngestSettings;
import io.tarn.ingest.RawObjectRef;
import io.tarn.ingest.RawObjectService;
import io.tarn.log.JsonLogger;
import io.tarn.parquet.ParquetSettings;
import io.tarn.pipeline.PipelineConfig;
import io.tarn.pipeline.PipelineLoader;
import io.tarn.state.Ledger;
import io.tarn.state.LedgerEntry;
import io.tarn.storage.ObjectInfo;
import java.io.Serializable;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.spark.api.java.function.FlatMapFunction;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * One Spark task of a backfill: converts its raw objects with the RawObject function's own
 * service, so parsing, typing, validation, partition escaping and output names are the
 * function's. Returns each object's manifest as JSON (records do not cross Spark's Java
 * serialization; JSON is already their wire form).
 */
final class BackfillTask implements FlatMapFunction<Iterator<String>, String> {

    private static final long serialVersionUID = 1L;

    /** What a task needs, in a form Spark can ship to executors. Credentials only for a local server. */
    record Config(String pipelineYaml, String pipelineName, String rawBucket, String stagingBucket, String region,
            String endpoint, String accessKeyId, String secretAccessKey) implements Serializable {

        private static final long serialVersionUID = 1L;

        Config {
            requireNonNull(pipelineYaml, "pipelineYaml is null");
            requireNonNull(pipelineName, "pipelineName is null");
            requireNonNull(rawBucket, "rawBucket is null");
            requireNonNull(stagingBucket, "stagingBucket is null");
            requireNonNull(region, "region is null");
        }

        static Config of(String pipelineYaml, String pipelineName, String rawBucket, String stagingBucket, AwsSettings aws) {
            return new Config(pipelineYaml, pipelineName, rawBucket, stagingBucket, aws.region(),
                    aws.endpointOverride().map(URI::toString).orElse(null),
                    aws.credentials().map(AwsSettings.StaticCredentials::accessKeyId).orElse(null),
                    aws.credentials().map(AwsSettings.StaticCredentials::secretAccessKey).orElse(null));
        }

        AwsSettings aws() {
            return new AwsSettings(region, Optional.ofNullable(endpoint).map(URI::create),
                    Optional.ofNullable(accessKeyId).map(id -> new AwsSettings.StaticCredentials(id, secretAccessKey)));
        }
    }

    private final Config config;

    BackfillTask(Config config) {
        this.config = requireNonNull(config, "config is null");
    }

    @Override
    public Iterator<String> call(Iterator<String> keys) {
        PipelineConfig pipeline = PipelineLoader.parse(config.pipelineYaml(), config.pipelineName());
        List<String> manifests = new ArrayList<>();
        try (S3Client s3 = S3Clients.create(config.aws())) {
            S3ObjectStore store = new S3ObjectStore(s3);
            RawObjectService service = new RawObjectService(pipeline, store, new DeferredCatalog(), new NoLedger(),
                    ingestSettings(config.stagingBucket()), Clock.systemUTC(),
                    new JsonLogger(System.out, Clock.systemUTC(), "glue-etl-backfill"));
            while (keys.hasNext()) {
                String key = keys.next();
                Optional<ObjectInfo> head = store.head(config.rawBucket(), key);
                if (head.isEmpty()) {
                    continue; // deleted since it was listed: there is nothing to convert
                }
                // The version id (versioned bucket) or ETag, as the function's event carries them: the
                // same object identity, so the same output names, and a replay overwrites, never doubles.
                RawObjectRef ref = new RawObjectRef(config.rawBucket(), key, head.get().versionId(),
                        Optional.of(head.get().eTag()));
                if (service.process(ref) instanceof IngestOutcome.Processed processed) {
                    manifests.add(new String(processed.manifest().toJson(), StandardCharsets.UTF_8));
                }
            }
        }
        return manifests.iterator();
    }

    /** The RawObject function's conversion settings, so a backfill writes the very same files. */
    static IngestSettings ingestSettings(String stagingBucket) {
        return new IngestSettings(stagingBucket, Path.of(System.getProperty("java.io.tmpdir"), "tarn-backfill"),
                ParquetSettings.defaults().withCodec(CompressionCodecName.ZSTD));
    }

    /**
     * Registers nothing: the run manifest lists the partitions, and partition repair registers them
     * after the job (one batch per table instead of one per object and task).
     */
    static final class DeferredCatalog implements Catalog {
        @Override
        public Optional<TableDefinition> table(String name) {
            return Optional.empty();
        }

        @Override
        public void ensureTable(TableDefinition table) {
            requireNonNull(table, "table is null");
        }

        @Override
        public int registerPartitions(String table, List<Partition> partitions) {
            return 0;
        }

        @Override
        public void movePartitions(String table, List<Partition> partitions, List<List<String>> removals) {
            throw new UnsupportedOperationException("A backfill registers change log partitions only");
        }

        @Override
        public List<Partition> partitions(String table) {
            return List.of();
        }

        @Override
        public List<String> tableNames() {
            return List.of();
        }
    }

    /**
     * A backfill reconverts on purpose (after a parser fix or a schema change), so it neither skips
     * objects the ledger knows nor records any: output names are deterministic, so converting again
     * overwrites the same files, and the function's ledger stays the function's.
     */
    static final class NoLedger implements Ledger {
        @Override
        public Optional<LedgerEntry> findProcessed(String objectId) {
            return Optional.empty();
        }

        @Override
        public boolean recordProcessed(LedgerEntry entry) {
            return true;
        }
    }
}
