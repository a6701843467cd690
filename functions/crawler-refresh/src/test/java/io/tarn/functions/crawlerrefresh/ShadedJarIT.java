package io.tarn.functions.crawlerrefresh;

import static org.assertj.core.api.Assertions.assertThat;

import io.tarn.aws.AwsClients;
import io.tarn.aws.AwsSettings;
import io.tarn.aws.dynamodb.StateTable;
import io.tarn.aws.s3.S3Clients;
import io.tarn.catalog.CatalogColumn;
import io.tarn.embedded.LambdaJar;
import io.tarn.embedded.MotoServer;
import io.tarn.etl.RunManifest;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.glue.GlueClient;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The shaded jar that is deployed to Lambda, as built by {@code package}: what it carries, and that
 * the function's production wiring makes every call it makes against a crawler in moto, in a JVM
 * whose class path is that jar plus {@link ShadedJarMain}. The shade step strips the DynamoDB, Glue
 * and S3 model classes of operations the function never calls; a recording proxy between the child and moto
 * shows which calls went out. Run by failsafe ({@code ./mvnw verify}).
 */
class ShadedJarIT {

    private static final Path LAMBDA_JAR = LambdaJar.built("tarn-crawler-refresh");
    private static final Path EVENTS = Path.of("../../events");
    private static final String RUN_ID = "etl-20240601T0200-7f3a";
    private static final List<CatalogColumn> ACCOUNT = List.of(new CatalogColumn("account_id", "string"));

    @TempDir
    Path temp;

    @AfterEach
    void defaultTransition() {
        MotoServer.shared().unsetTransition("glue::crawl");
    }

    @Test
    void lambdaJarCarriesTheHandlerAndGlueAndNoHadoopSparkParquetOrTestLibraries() throws IOException {
        List<String> entries = LambdaJar.entries(LAMBDA_JAR);
        assertThat(entries).contains("io/tarn/functions/crawlerrefresh/CrawlerRefreshHandler.class",
                "io/tarn/etl/CrawlerRefreshService.class", "software/amazon/awssdk/services/glue/GlueClient.class");
        assertThat(LambdaJar.functionJarFaults(LAMBDA_JAR)).isEmpty();
        // Neither the data plane's Parquet writing nor the SDK modules this function does not call.
        assertThat(LambdaJar.under(entries, LambdaJar.PARQUET_WRITING)).isEmpty();
        assertThat(LambdaJar.serviceModules(entries)).containsExactly("dynamodb", "glue", "s3");
    }

    @Test
    void lambdaJarChecksStartsAndFollowsACrawlerInMoto() throws Exception {
        MotoServer moto = MotoServer.shared();
        AwsClients clients = new AwsClients(AwsSettings.local(moto.endpoint(), "us-east-1", "test", "test"));
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        String bucket = "tarn-staging-" + suffix;
        String stateTable = "tarn-state-" + suffix;
        String crawler = "tarn-staging-" + suffix;
        try (S3Client s3 = S3Clients.create(clients.settings()); DynamoDbClient dynamoDb = clients.build(DynamoDbClient.builder());
                GlueClient glue = clients.build(GlueClient.builder())) {
            s3.createBucket(b -> b.bucket(bucket));
            StateTable.create(dynamoDb, stateTable);
            glue.createCrawler(r -> r.name(crawler).role("arn:aws:iam::123456789012:role/tarn-crawler")
                    .databaseName("tarn_lake"));
            RunManifest manifest = new RunManifest(RUN_ID, "join", "2024-06-01T02:00:00Z", "2024-06-01T02:09:00Z", List.of(
                    new RunManifest.TableOutput("account_daily", "s3://" + bucket + "/account_daily/", "fp-daily-1",
                            List.of(new CatalogColumn("orders", "bigint")), ACCOUNT, List.of()),
                    new RunManifest.TableOutput("orders", "s3://" + bucket + "/orders/", "fp-orders-1",
                            List.of(new CatalogColumn("order_id", "bigint")), ACCOUNT, List.of())));
            s3.putObject(b -> b.bucket(bucket).key(RunManifest.key(RUN_ID)), RequestBody.fromBytes(manifest.toJson()));
        }
        // By moto's default a crawl stays RUNNING until ListCrawls reads it; the child lets it finish.

        LambdaJar.Run run = LambdaJar.runThroughProxy(moto.endpoint(), LAMBDA_JAR, ShadedJarMain.class, temp,
                bucket, stateTable, crawler, event("check"), event("start"), event("status"));

        assertThat(run.exitCode()).as("exit code; stderr:%n%s", run.stderr()).isZero();
        assertThat(run.stdout()).containsExactly(
                "{\"changed\":true,\"tables\":[\"account_daily\"],\"manifestFound\":true,\"registeredBySchema\":[\"orders\"]}",
                "{\"started\":true,\"alreadyRunning\":false}",
                "{\"started\":false,\"alreadyRunning\":true}",
                "{\"state\":\"RUNNING\",\"lastCrawl\":null,\"finished\":false,\"succeeded\":false,\"attempt\":3,"
                        + "\"errorMessage\":null}",
                "{\"state\":\"READY\",\"lastCrawl\":\"SUCCEEDED\",\"finished\":true,\"succeeded\":true,\"attempt\":3,"
                        + "\"errorMessage\":null}",
                "{\"changed\":false,\"tables\":[],\"manifestFound\":true,\"registeredBySchema\":[\"orders\"]}",
                "dynamodb classes: all load",
                "glue classes: all load",
                "s3 classes: all load");
        assertThat(run.targets()).containsExactly(
                "DynamoDB_20120810.GetItem",
                "AWSGlue.StartCrawler",
                "AWSGlue.StartCrawler",
                "AWSGlue.GetCrawler",
                "AWSGlue.GetCrawler", "DynamoDB_20120810.UpdateItem",
                "DynamoDB_20120810.GetItem");
    }

    private static String event(String action) {
        return EVENTS.resolve("crawler-refresh-" + action + ".json").toAbsolutePath().toString();
    }
}
