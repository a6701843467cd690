package io.tarn.aws;

import io.tarn.aws.athena.AthenaQueries;
import io.tarn.aws.dynamodb.DynamoDbStateStore;
import io.tarn.aws.glue.GlueCatalog;
import io.tarn.aws.glue.GlueCrawler;
import io.tarn.aws.s3.S3ObjectStore;
import io.tarn.aws.secrets.SecretsManagerConnectionFactory;
import io.tarn.aws.sfn.StepFunctionsExecutions;
import io.tarn.etl.CrawlerRefreshConfig;
import io.tarn.etl.CrawlerRefreshService;
import io.tarn.etl.PartitionRepairConfig;
import io.tarn.etl.PartitionRepairService;
import io.tarn.etl.trigger.EtlTriggerConfig;
import io.tarn.etl.trigger.EtlTriggerService;
import io.tarn.ingest.IngestSettings;
import io.tarn.ingest.RawObjectConfig;
import io.tarn.ingest.RawObjectEventProcessor;
import io.tarn.ingest.RawObjectService;
import io.tarn.log.JsonLogger;
import io.tarn.pipeline.PipelineConfig;
import io.tarn.pipeline.PipelineLoader;
import io.tarn.poll.SqlPollerConfig;
import io.tarn.poll.SqlPollerService;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import software.amazon.awssdk.services.athena.AthenaClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.glue.GlueClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.sfn.SfnClient;

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
        PipelineConfig pipeline = pipeline(config.pipelineConfig());
        JsonLogger log = new JsonLogger(System.out, Clock.systemUTC(), "raw-object");
        RawObjectService service = new RawObjectService(
                pipeline,
                new S3ObjectStore(s3Clients.s3()),
                new GlueCatalog(clients.build(GlueClient.builder()), config.glueDatabase(), config.tenantTables()),
                new DynamoDbStateStore(clients.build(DynamoDbClient.builder()), config.stateTable()),
                new IngestSettings(config.stagingBucket(), config.tempDir(), config.parquet()),
                Clock.systemUTC(),
                log);
        return new RawObjectEventProcessor(service, log);
    }

    public static SqlPollerService sqlPollerService(SqlPollerConfig config) {
        return sqlPollerService(config, AwsSettings.aws(config.region()));
    }

    /**
     * The SqlPoller over S3, DynamoDB and Secrets Manager at one endpoint (moto, locally). Connections
     * go through the JDBC driver on the class path (mssql-jdbc in the function) with the secret's
     * URL and credentials; the secret is read on first use, not here.
     */
    public static SqlPollerService sqlPollerService(SqlPollerConfig config, AwsSettings settings) {
        AwsClients clients = new AwsClients(settings);
        return new SqlPollerService(
                pipeline(config.pipelineConfig()),
                new SecretsManagerConnectionFactory(clients.build(SecretsManagerClient.builder()), config.dbSecretArn()),
                new S3ObjectStore(clients.s3()),
                new DynamoDbStateStore(clients.build(DynamoDbClient.builder()), config.stateTable()),
                config.pollerSettings(),
                // An owner per invocation, not per container: SnapStart restores many containers
                // from one initialised snapshot, and they would all share an owner made here.
                SqlPollerService.randomLeaseOwners("sql-poller"),
                Clock.systemUTC(),
                new JsonLogger(System.out, Clock.systemUTC(), "sql-poller"));
    }

    public static CrawlerRefreshService crawlerRefreshService(CrawlerRefreshConfig config) {
        return crawlerRefreshService(config, AwsSettings.aws(config.region()));
    }

    /** Crawler refresh over S3 (run manifests), DynamoDB (fingerprints) and the Glue crawler at one endpoint. */
    public static CrawlerRefreshService crawlerRefreshService(CrawlerRefreshConfig config, AwsSettings settings) {
        AwsClients clients = new AwsClients(settings);
        return new CrawlerRefreshService(
                new S3ObjectStore(clients.s3()),
                new DynamoDbStateStore(clients.build(DynamoDbClient.builder()), config.stateTable()),
                new GlueCrawler(clients.build(GlueClient.builder()), config.crawlerName()),
                config,
                Clock.systemUTC(),
                new JsonLogger(System.out, Clock.systemUTC(), "crawler-refresh"));
    }

    public static PartitionRepairService partitionRepairService(PartitionRepairConfig config) {
        return partitionRepairService(config, AwsSettings.aws(config.region()));
    }

    /** Partition repair over S3 (run manifests), the Glue catalog and Athena at one endpoint. */
    public static PartitionRepairService partitionRepairService(PartitionRepairConfig config, AwsSettings settings) {
        AwsClients clients = new AwsClients(settings);
        return new PartitionRepairService(
                new S3ObjectStore(clients.s3()),
                new GlueCatalog(clients.build(GlueClient.builder()), config.glueDatabase(), config.tenantTables()),
                new AthenaQueries(clients.build(AthenaClient.builder()), config.athenaWorkgroup(), config.glueDatabase()),
                config,
                new JsonLogger(System.out, Clock.systemUTC(), "partition-repair"));
    }

    public static EtlTriggerService etlTriggerService(EtlTriggerConfig config) {
        return etlTriggerService(config, AwsSettings.aws(config.region()));
    }

    /** The ETL trigger over Step Functions at one endpoint. */
    public static EtlTriggerService etlTriggerService(EtlTriggerConfig config, AwsSettings settings) {
        AwsClients clients = new AwsClients(settings);
        return new EtlTriggerService(
                new StepFunctionsExecutions(clients.build(SfnClient.builder()), config.stateMachineArn()),
                config,
                new JsonLogger(System.out, Clock.systemUTC(), "etl-trigger"));
    }

    /** The pipeline.yaml at a path, or else the one bundled in the function jar. */
    private static PipelineConfig pipeline(Optional<String> path) {
        return path.map(p -> PipelineLoader.load(Path.of(p))).orElseGet(() -> PipelineLoader.loadResource(BUNDLED_PIPELINE));
    }
}
