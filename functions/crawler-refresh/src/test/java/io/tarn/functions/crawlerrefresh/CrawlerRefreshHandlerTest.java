package io.tarn.functions.crawlerrefresh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tarn.aws.AwsClients;
import io.tarn.aws.AwsSettings;
import io.tarn.aws.dynamodb.DynamoDbSchemaFingerprints;
import io.tarn.aws.dynamodb.StateTable;
import io.tarn.aws.s3.S3Clients;
import io.tarn.catalog.CatalogColumn;
import io.tarn.embedded.LambdaContext;
import io.tarn.embedded.MotoServer;
import io.tarn.etl.CrawlerRefreshConfig;
import io.tarn.etl.RunManifest;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.glue.GlueClient;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The handler wired as in Lambda (its wiring's {@code aws}) against moto over HTTP: run manifests in moto's S3,
 * fingerprints in moto's DynamoDB, a crawler in moto's Glue. Events are the files in {@code events/}.
 *
 * <p>moto 5.2.1 moves a crawl from RUNNING to COMPLETED when the crawl's state is next read, unless
 * its state manager says otherwise: here a crawl advances only after one ListCrawls call
 * ({@code manual}, {@code times: 1}), so it stays RUNNING for the second StartCrawler and the first
 * GetCrawler. The crawler covers orders and customers (CRAWLER_TABLES) unless a test says otherwise.
 */
class CrawlerRefreshHandlerTest {

    private static final Path EVENTS = Path.of("../../events");
    private static final String RUN_ID = "etl-20240601T0200-7f3a";

    private static MotoServer moto;
    private static AwsSettings settings;
    private static S3Client s3;
    private static DynamoDbClient dynamoDb;
    private static GlueClient glue;

    private String bucket;
    private String stateTable;
    private String crawlerName;
    private CrawlerRefreshHandler handler;

    @BeforeAll
    static void startMoto() {
        moto = MotoServer.shared();
        settings = AwsSettings.local(moto.endpoint(), "us-east-1", "test", "test");
        AwsClients clients = new AwsClients(settings);
        s3 = S3Clients.create(clients.settings());
        dynamoDb = clients.build(DynamoDbClient.builder());
        glue = clients.build(GlueClient.builder());
    }

    @AfterAll
    static void closeClients() {
        s3.close();
        dynamoDb.close();
        glue.close();
    }

    @BeforeEach
    void freshResources() {
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        bucket = "tarn-staging-" + suffix;
        stateTable = "tarn-state-" + suffix;
        crawlerName = "tarn-staging-" + suffix;
        s3.createBucket(b -> b.bucket(bucket));
        StateTable.create(dynamoDb, stateTable);
        glue.createCrawler(r -> r.name(crawlerName).role("arn:aws:iam::123456789012:role/tarn-crawler")
                .databaseName("tarn_lake"));
        moto.setTransition("glue::crawl", "{\"progression\": \"manual\", \"times\": 1}");
        handler = handler("orders,customers");
    }

    @AfterEach
    void defaultTransition() {
        moto.unsetTransition("glue::crawl");
    }

    @Test
    void checkStartStatusThenCheckAgainReportsNoChange() throws Exception {
        putManifest("fp-orders-1", "fp-customers-1");

        assertThat(invoke("crawler-refresh-check.json")).isEqualTo("{\"changed\":true,\"tables\":[\"orders\","
                + "\"customers\"],\"manifestFound\":true,\"registeredBySchema\":[]}");
        assertThat(invoke("crawler-refresh-start.json")).isEqualTo("{\"started\":true,\"alreadyRunning\":false}");
        assertThat(invoke("crawler-refresh-start.json"))
                .as("StartCrawler answers CrawlerRunningException: not a failure")
                .isEqualTo("{\"started\":false,\"alreadyRunning\":true}");
        assertThat(invoke("crawler-refresh-status.json")).isEqualTo("{\"state\":\"RUNNING\",\"lastCrawl\":null,"
                + "\"finished\":false,\"succeeded\":false,\"attempt\":3,\"errorMessage\":null}");
        assertThat(invoke("crawler-refresh-check.json"))
                .as("nothing recorded while the crawl runs")
                .isEqualTo("{\"changed\":true,\"tables\":[\"orders\",\"customers\"],\"manifestFound\":true,"
                        + "\"registeredBySchema\":[]}");

        glue.listCrawls(r -> r.crawlerName(crawlerName));

        assertThat(invoke("crawler-refresh-status.json")).isEqualTo("{\"state\":\"READY\",\"lastCrawl\":\"SUCCEEDED\","
                + "\"finished\":true,\"succeeded\":true,\"attempt\":3,\"errorMessage\":null}");
        assertThat(invoke("crawler-refresh-check.json"))
                .isEqualTo("{\"changed\":false,\"tables\":[],\"manifestFound\":true,\"registeredBySchema\":[]}");
        assertThat(new DynamoDbSchemaFingerprints(new StateTable(dynamoDb, stateTable)).schemaFingerprint("orders")).contains("fp-orders-1");
    }

    @Test
    void checkAfterASchemaChangeNamesOnlyTheChangedTable() throws Exception {
        DynamoDbSchemaFingerprints state = new DynamoDbSchemaFingerprints(new StateTable(dynamoDb, stateTable));
        state.recordSchemaFingerprint("orders", "fp-orders-1", java.time.Instant.parse("2024-05-31T02:00:00Z"));
        state.recordSchemaFingerprint("customers", "fp-customers-1", java.time.Instant.parse("2024-05-31T02:00:00Z"));
        putManifest("fp-orders-2", "fp-customers-1");

        assertThat(invoke("crawler-refresh-check.json")).isEqualTo(
                "{\"changed\":true,\"tables\":[\"orders\"],\"manifestFound\":true,\"registeredBySchema\":[]}");
    }

    @Test
    void checkReportsOnlyTheCrawlersTablesAndLeavesTheOthersToPartitionRepair() throws Exception {
        handler = handler("orders");
        putManifest("fp-orders-1", "fp-customers-1");

        assertThat(invoke("crawler-refresh-check.json")).isEqualTo("{\"changed\":true,\"tables\":[\"orders\"],"
                + "\"manifestFound\":true,\"registeredBySchema\":[\"customers\"]}");
        invoke("crawler-refresh-start.json");
        glue.listCrawls(r -> r.crawlerName(crawlerName));
        assertThat(invoke("crawler-refresh-status.json")).contains("\"succeeded\":true");

        DynamoDbSchemaFingerprints state = new DynamoDbSchemaFingerprints(new StateTable(dynamoDb, stateTable));
        assertThat(state.schemaFingerprint("orders")).contains("fp-orders-1");
        assertThat(state.schemaFingerprint("customers")).as("not crawled, so not recorded").isEmpty();
    }

    @Test
    void checkWithoutManifestAnswersNoChangeSoTheStateMachineGoesOnToMsckRepair() throws Exception {
        assertThat(invoke("crawler-refresh-check.json"))
                .isEqualTo("{\"changed\":false,\"tables\":[],\"manifestFound\":false,\"registeredBySchema\":[]}");
        assertThat(glue.getCrawler(r -> r.name(crawlerName)).crawler().lastCrawl()).as("no crawl started").isNull();
    }

    @Test
    void badEventsFailNamingTheField() {
        assertThatThrownBy(() -> invoke("{\"action\": \"crawl\", \"runId\": \"r1\"}".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("CrawlerRefresh cannot handle this event: \"action\" must be one of check, start, status,"
                        + " got \"crawl\"");
        assertThatThrownBy(() -> invoke("{\"action\": \"check\"}".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("CrawlerRefresh cannot handle this event: \"runId\" is missing: the ETL run's id"
                        + " (the execution name)");
        assertThatThrownBy(() -> invoke("{\"action\": \"status\", \"runId\": \"../x\"}".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("CrawlerRefresh cannot handle this event: \"runId\" is invalid: run id '../x' must be 1 to"
                        + " 128 letters, digits, '.', '_' or '-', starting with a letter or digit");
        assertThatThrownBy(() -> invoke("{\"action\": \"status\", \"runId\": \"r1\", \"attempt\": -1}"
                .getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("CrawlerRefresh cannot handle this event: \"attempt\" must be a whole number, 0 or more,"
                        + " got -1");
    }

    @Test
    void missingEnvironmentVariableIsNamed() {
        assertThatThrownBy(() -> CrawlerRefreshConfig.fromEnv(Map.of(
                CrawlerRefreshConfig.AWS_REGION, "us-east-1",
                CrawlerRefreshConfig.STAGING_BUCKET, "b",
                CrawlerRefreshConfig.STATE_TABLE, "t",
                CrawlerRefreshConfig.CRAWLER_TABLES, "account_daily")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Environment variable CRAWLER_NAME is not set");
    }

    private CrawlerRefreshHandler handler(String crawlerTables) {
        return new CrawlerRefreshHandler(CrawlerRefreshWiring.aws(CrawlerRefreshConfig.fromEnv(Map.of(
                CrawlerRefreshConfig.AWS_REGION, "us-east-1",
                CrawlerRefreshConfig.STAGING_BUCKET, bucket,
                CrawlerRefreshConfig.STATE_TABLE, stateTable,
                CrawlerRefreshConfig.CRAWLER_NAME, crawlerName,
                CrawlerRefreshConfig.CRAWLER_TABLES, crawlerTables)), settings)::handle);
    }

    private void putManifest(String ordersFingerprint, String customersFingerprint) {
        List<CatalogColumn> accountKey = List.of(new CatalogColumn("account_id", "string"));
        RunManifest manifest = new RunManifest(RUN_ID, "join", "2024-06-01T02:00:00Z", "2024-06-01T02:09:00Z", List.of(
                new RunManifest.TableOutput("orders", "s3://" + bucket + "/orders/", ordersFingerprint,
                        List.of(new CatalogColumn("order_id", "bigint")), accountKey, List.of(
                                new RunManifest.PartitionOutput(List.of("a1"), "s3://" + bucket + "/orders/account_id=a1/", 10))),
                new RunManifest.TableOutput("customers", "s3://" + bucket + "/customers/", customersFingerprint,
                        List.of(new CatalogColumn("name", "string")), accountKey, List.of())));
        s3.putObject(b -> b.bucket(bucket).key(RunManifest.key(RUN_ID)),
                software.amazon.awssdk.core.sync.RequestBody.fromBytes(manifest.toJson()));
    }

    private String invoke(String eventFile) throws IOException {
        return invoke(Files.readAllBytes(EVENTS.resolve(eventFile)));
    }

    private String invoke(byte[] event) throws IOException {
        ByteArrayOutputStream response = new ByteArrayOutputStream();
        handler.handleRequest(new ByteArrayInputStream(event), response, LambdaContext.withRemaining(() -> 60_000));
        return response.toString(StandardCharsets.UTF_8);
    }
}
