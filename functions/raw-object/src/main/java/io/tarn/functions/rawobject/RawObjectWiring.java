package io.tarn.functions.rawobject;

import static java.util.Objects.requireNonNull;

import io.tarn.aws.AwsClients;
import io.tarn.aws.AwsSettings;
import io.tarn.aws.dynamodb.DynamoDbLedger;
import io.tarn.aws.dynamodb.StateTable;
import io.tarn.aws.glue.GlueCatalog;
import io.tarn.aws.s3.S3Clients;
import io.tarn.aws.s3.S3ObjectStore;
import io.tarn.catalog.Catalog;
import io.tarn.ingest.IngestSettings;
import io.tarn.ingest.RawObjectConfig;
import io.tarn.ingest.RawObjectEventProcessor;
import io.tarn.ingest.RawObjectService;
import io.tarn.log.JsonLogger;
import io.tarn.pipeline.PipelineConfig;
import io.tarn.pipeline.PipelineLoader;
import io.tarn.state.Ledger;
import io.tarn.storage.ObjectStore;
import java.io.PrintStream;
import java.time.Clock;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.glue.GlueClient;

/**
 * Builds the RawObject function's service from its configuration and its ports: over S3, Glue and
 * DynamoDB in AWS ({@link #aws}), over the local lake's adapters (LocalLake), the same way.
 */
public final class RawObjectWiring {

    static final String FUNCTION = "raw-object";

    /** What the conversion reads and writes through. */
    public record Ports(ObjectStore store, Catalog catalog, Ledger ledger) {
        public Ports {
            requireNonNull(store, "store is null");
            requireNonNull(catalog, "catalog is null");
            requireNonNull(ledger, "ledger is null");
        }
    }

    private RawObjectWiring() {}

    /** Lambda's: the clients of the configuration's region, the pipeline at PIPELINE_CONFIG or bundled. */
    public static RawObjectEventProcessor aws(RawObjectConfig config) {
        return aws(config, AwsSettings.aws(config.region()));
    }

    /** The same against one endpoint for every service (moto). */
    public static RawObjectEventProcessor aws(RawObjectConfig config, AwsSettings settings) {
        return aws(config, settings, settings);
    }

    /**
     * The same with S3 at one endpoint and Glue and DynamoDB at another: locally no single server
     * speaks all three well (the embedded S3 server for S3, moto for the rest).
     */
    public static RawObjectEventProcessor aws(RawObjectConfig config, AwsSettings s3, AwsSettings glueAndDynamoDb) {
        AwsClients clients = new AwsClients(glueAndDynamoDb);
        Ports ports = new Ports(
                new S3ObjectStore(S3Clients.create(s3)),
                new GlueCatalog(clients.build(GlueClient.builder()), config.glueDatabase(), config.tenantTables()),
                new DynamoDbLedger(new StateTable(clients.build(DynamoDbClient.builder()), config.stateTable())));
        PipelineConfig pipeline = PipelineLoader.loadOrBundled(config.pipelineConfig());
        return processor(config, pipeline, ports, Clock.systemUTC(), System.out);
    }

    /** The function's event processor over any ports; logs are JSON lines on {@code logs}. */
    public static RawObjectEventProcessor processor(RawObjectConfig config, PipelineConfig pipeline, Ports ports,
            Clock clock, PrintStream logs) {
        JsonLogger log = new JsonLogger(logs, clock, FUNCTION);
        return new RawObjectEventProcessor(service(config, pipeline, ports, clock, log), log);
    }

    /** The conversion service alone, for callers that hand it raw objects themselves. */
    public static RawObjectService service(RawObjectConfig config, PipelineConfig pipeline, Ports ports, Clock clock,
            PrintStream logs) {
        return service(config, pipeline, ports, clock, new JsonLogger(logs, clock, FUNCTION));
    }

    private static RawObjectService service(RawObjectConfig config, PipelineConfig pipeline, Ports ports, Clock clock,
            JsonLogger log) {
        return new RawObjectService(pipeline, ports.store(), ports.catalog(), ports.ledger(),
                new IngestSettings(config.stagingBucket(), config.tempDir(), config.parquet()), clock, log);
    }
}
