package io.tarn.functions.crawlerrefresh;

import static java.util.Objects.requireNonNull;

import io.tarn.aws.AwsClients;
import io.tarn.aws.AwsSettings;
import io.tarn.aws.dynamodb.DynamoDbSchemaFingerprints;
import io.tarn.aws.dynamodb.StateTable;
import io.tarn.aws.glue.GlueCrawler;
import io.tarn.aws.s3.S3Clients;
import io.tarn.aws.s3.S3ObjectStore;
import io.tarn.etl.Crawler;
import io.tarn.etl.CrawlerRefreshConfig;
import io.tarn.etl.CrawlerRefreshService;
import io.tarn.log.JsonLogger;
import io.tarn.state.SchemaFingerprints;
import io.tarn.storage.ObjectStore;
import java.io.PrintStream;
import java.time.Clock;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.glue.GlueClient;

/**
 * Builds the CrawlerRefresh function's service from its configuration and its ports: run
 * manifests in S3, fingerprints in DynamoDB and the Glue crawler in AWS ({@link #aws}); the local
 * lake's adapters in LocalLake, the same way.
 */
public final class CrawlerRefreshWiring {

    static final String FUNCTION = "crawler-refresh";

    /** What the refresh reads and drives. */
    public record Ports(ObjectStore store, SchemaFingerprints fingerprints, Crawler crawler) {
        public Ports {
            requireNonNull(store, "store is null");
            requireNonNull(fingerprints, "fingerprints is null");
            requireNonNull(crawler, "crawler is null");
        }
    }

    private CrawlerRefreshWiring() {}

    /** Lambda's: the clients of the configuration's region. */
    public static CrawlerRefreshService aws(CrawlerRefreshConfig config) {
        return aws(config, AwsSettings.aws(config.region()));
    }

    /** The same with every service at one endpoint (moto). */
    public static CrawlerRefreshService aws(CrawlerRefreshConfig config, AwsSettings settings) {
        AwsClients clients = new AwsClients(settings);
        Ports ports = new Ports(
                new S3ObjectStore(S3Clients.create(settings)),
                new DynamoDbSchemaFingerprints(
                        new StateTable(clients.build(DynamoDbClient.builder()), config.stateTable())),
                new GlueCrawler(clients.build(GlueClient.builder()), config.crawlerName()));
        return service(config, ports, Clock.systemUTC(), System.out);
    }

    /** The refresh over any ports; logs are JSON lines on {@code logs}. */
    public static CrawlerRefreshService service(CrawlerRefreshConfig config, Ports ports, Clock clock,
            PrintStream logs) {
        return new CrawlerRefreshService(ports.store(), ports.fingerprints(), ports.crawler(), config, clock,
                new JsonLogger(logs, clock, FUNCTION));
    }
}
