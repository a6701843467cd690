package io.tarn.aws;

import io.tarn.aws.dynamodb.DynamoDbStateStore;
import io.tarn.aws.glue.GlueCatalog;
import io.tarn.aws.s3.S3ObjectStore;
import io.tarn.ingest.IngestSettings;
import io.tarn.ingest.RawObjectConfig;
import io.tarn.ingest.RawObjectEventProcessor;
import io.tarn.ingest.RawObjectService;
import io.tarn.log.JsonLogger;
import io.tarn.pipeline.PipelineConfig;
import io.tarn.pipeline.PipelineLoader;
import java.nio.file.Path;
import java.time.Clock;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** Builds the services of the functions over real AWS clients, from their configuration. */
public final class AwsWiring {

    /** The pipeline.yaml bundled in every function jar. */
    public static final String BUNDLED_PIPELINE = "pipeline.yaml";

    private AwsWiring() {}

    public static RawObjectEventProcessor rawObjectProcessor(RawObjectConfig config) {
        return rawObjectProcessor(config, AwsSettings.aws(config.region()));
    }

    /** The same wiring against any endpoint (the local lake, moto). */
    public static RawObjectEventProcessor rawObjectProcessor(RawObjectConfig config, AwsSettings settings) {
        return rawObjectProcessor(config, settings, settings);
    }

    /**
     * The same wiring with S3 at one endpoint and Glue and DynamoDB at another: locally no single
     * server speaks all three well (the embedded S3 server for S3, moto for the rest).
     */
    public static RawObjectEventProcessor rawObjectProcessor(
            RawObjectConfig config, AwsSettings s3Settings, AwsSettings glueAndDynamoDbSettings) {
        AwsClients s3Clients = new AwsClients(s3Settings);
        AwsClients clients = new AwsClients(glueAndDynamoDbSettings);
        PipelineConfig pipeline = config.pipelineConfig()
                .map(path -> PipelineLoader.load(Path.of(path)))
                .orElseGet(() -> PipelineLoader.loadResource(BUNDLED_PIPELINE));
        JsonLogger log = new JsonLogger(System.out, Clock.systemUTC(), "raw-object");
        RawObjectService service = new RawObjectService(
                pipeline,
                new S3ObjectStore(s3Clients.s3()),
                new GlueCatalog(clients.glueApi(), config.glueDatabase()),
                new DynamoDbStateStore(clients.build(DynamoDbClient.builder()), config.stateTable()),
                new IngestSettings(config.stagingBucket(), config.tempDir(), config.parquet()),
                Clock.systemUTC(),
                log);
        return new RawObjectEventProcessor(service, log);
    }
}
