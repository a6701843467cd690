package io.tarn.functions.crawlerrefresh;

import io.tarn.embedded.LambdaContext;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tarn.aws.AwsClients;
import io.tarn.aws.AwsSettings;
import io.tarn.aws.AwsWiring;
import io.tarn.aws.dynamodb.DynamoDbStateStore;
import io.tarn.aws.glue.GlueApi;
import io.tarn.catalog.CatalogColumn;
import io.tarn.embedded.MotoServer;
import io.tarn.etl.CrawlerRefreshConfig;
import io.tarn.etl.RunManifest;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The handler wired as in Lambda (AwsWiring) against moto over HTTP: run manifests in moto's S3,
 * fingerprints in moto's DynamoDB, a crawler in moto's Glue. Events are the files in {@code events/}.
 *
 * <p>moto 5.2.1 moves a crawl from RUNNING to COMPLETED when the crawl's state is next read, unless
 * its state manager says otherwise: here a crawl advances only after one ListCrawls call
 * ({@code manual}, {@code times: 1}), so it stays RUNNING for the second StartCrawler and the first
 * GetCrawler.
 */
class CrawlerRefreshHandlerTest {

    private static final Path EVENTS = Path.of("../../events");
    private static final String RUN_ID = "etl-20240601T0200-7f3a";

    private static AwsSettings moto;
    private static S3Client s3;
    private static DynamoDbClient dynamoDb;
    private static GlueApi glue;

    private String bucket;
    private String stateTable;
    private String crawlerName;
    private CrawlerRefreshHandler handler;

    @BeforeAll
    static void startMoto() {
        moto = AwsSettings.local(MotoServer.shared().endpoint(), "us-east-1", "test", "test");
        AwsClients clients = new AwsClients(moto);
        s3 = clients.s3();
        dynamoDb = clients.build(DynamoDbClient.builder());
        glue = clients.glueApi();
    }

    @AfterAll
    static void closeClients() {
        s3.close();
        dynamoDb.close();
        glue.close();
    }

    @BeforeEach
    void freshResources() throws Exception {
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        bucket = "tarn-staging-" + suffix;
        stateTable = "tarn-state-" + suffix;
        crawlerName = "tarn-staging-" + suffix;
        s3.createBucket(b -> b.bucket(bucket));
        DynamoDbStateStore.createTable(dynamoDb, stateTable);
        glue.call("CreateCrawler", GlueApi.object().put("Name", crawlerName)
                .put("Role", "arn:aws:iam::123456789012:role/tarn-crawler").put("DatabaseName", "tarn_lake"));
        crawlTransition("{\"progression\": \"manual\", \"times\": 1}");
        handler = new CrawlerRefreshHandler(AwsWiring.crawlerRefreshService(CrawlerRefreshConfig.fromEnv(Map.of(
                CrawlerRefreshConfig.AWS_REGION, "us-east-1",
                CrawlerRefreshConfig.STAGING_BUCKET, bucket,
                CrawlerRefreshConfig.STATE_TABLE, stateTable,
                CrawlerRefreshConfig.CRAWLER_NAME, crawlerName)), moto)::handle);
    }

    @AfterEach
    void defaultTransition() throws Exception {
        post("/moto-api/state-manager/unset-transition", "{\"model_name\": \"glue::crawl\"}");
    }

    @Test
    void checkStartStatusThenCheckAgainReportsNoChange() throws Exception {
        putManifest("fp-orders-1", "fp-customers-1");

        assertThat(invoke("crawler-refresh-check.json"))
                .isEqualTo("{\"changed\":true,\"tables\":[\"orders\",\"customers\"]}");
        assertThat(invoke("crawler-refresh-start.json")).isEqualTo("{\"started\":true,\"alreadyRunning\":false}");
        assertThat(invoke("crawler-refresh-start.json"))
                .as("StartCrawler answers CrawlerRunningException: not a failure")
                .isEqualTo("{\"started\":false,\"alreadyRunning\":true}");
        assertThat(invoke("crawler-refresh-status.json")).isEqualTo("{\"state\":\"RUNNING\",\"lastCrawl\":null,"
                + "\"finished\":false,\"succeeded\":false,\"attempt\":3,\"errorMessage\":null}");
        assertThat(invoke("crawler-refresh-check.json"))
                .as("nothing recorded while the crawl runs")
                .isEqualTo("{\"changed\":true,\"tables\":[\"orders\",\"customers\"]}");

        glue.call("ListCrawls", GlueApi.object().put("CrawlerName", crawlerName));

        assertThat(invoke("crawler-refresh-status.json")).isEqualTo("{\"state\":\"READY\",\"lastCrawl\":\"SUCCEEDED\","
                + "\"finished\":true,\"succeeded\":true,\"attempt\":3,\"errorMessage\":null}");
        assertThat(invoke("crawler-refresh-check.json")).isEqualTo("{\"changed\":false,\"tables\":[]}");
        assertThat(new DynamoDbStateStore(dynamoDb, stateTable).schemaFingerprint("orders")).contains("fp-orders-1");
    }

    @Test
    void checkAfterASchemaChangeNamesOnlyTheChangedTable() throws Exception {
        DynamoDbStateStore state = new DynamoDbStateStore(dynamoDb, stateTable);
        state.recordSchemaFingerprint("orders", "fp-orders-1", java.time.Instant.parse("2024-05-31T02:00:00Z"));
        state.recordSchemaFingerprint("customers", "fp-customers-1", java.time.Instant.parse("2024-05-31T02:00:00Z"));
        putManifest("fp-orders-2", "fp-customers-1");

        assertThat(invoke("crawler-refresh-check.json")).isEqualTo("{\"changed\":true,\"tables\":[\"orders\"]}");
    }

    @Test
    void checkWithoutManifestFailsNamingTheKey() {
        assertThatThrownBy(() -> invoke("crawler-refresh-check.json"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("No run manifest s3://" + bucket + "/etl-runs/etl-20240601T0200-7f3a.json:"
                        + " the ETL run etl-20240601T0200-7f3a wrote none");
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
                CrawlerRefreshConfig.STATE_TABLE, "t")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Environment variable CRAWLER_NAME is not set");
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

    private static void crawlTransition(String transition) throws Exception {
        post("/moto-api/state-manager/set-transition",
                "{\"model_name\": \"glue::crawl\", \"transition\": " + transition + "}");
    }

    private static void post(String path, String body) throws Exception {
        URI uri = moto.endpointOverride().orElseThrow().resolve(path);
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("moto %s: %s", path, response.body()).isEqualTo(201);
    }
}
