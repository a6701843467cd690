package io.tarn.functions.rawobject;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tarn.aws.AwsClients;
import io.tarn.aws.AwsSettings;
import io.tarn.aws.dynamodb.StateTable;
import io.tarn.aws.glue.GlueCatalog;
import io.tarn.aws.s3.S3Clients;
import io.tarn.catalog.CatalogColumn;
import io.tarn.embedded.FaultInjectingProxy;
import io.tarn.embedded.LambdaJar;
import io.tarn.embedded.MotoServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.glue.GlueClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketAlreadyOwnedByYouException;
import software.amazon.awssdk.services.s3.model.BucketVersioningStatus;
import software.amazon.awssdk.services.s3.model.ChecksumMode;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ObjectVersion;

/**
 * The shaded jar that is deployed to Lambda, as built by {@code package}: what it carries, and that
 * its production wiring converts raw objects to Parquet and registers their partitions in a JVM
 * whose class path is that jar plus {@link ShadedJarMain}, against moto's S3, DynamoDB and Glue.
 * The shade step strips the Glue, S3 and DynamoDB model classes of operations the function never
 * calls; a recording proxy between the child and moto shows which calls went out, and {@link
 * ShadedJarAdaptersMain} makes every S3 and DynamoDB call of the adapters. Run by failsafe
 * ({@code ./mvnw verify}), after the jar exists.
 */
class ShadedJarIT {

    private static final Path LAMBDA_JAR = LambdaJar.built("tarn-raw-object");
    private static final Path SAMPLES = Path.of("../../samples");
    private static final Path EVENT = Path.of("../../events/s3-put.json");
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The bucket the sample event names. */
    private static final String RAW = "tarn-raw";
    private static final String ORDERS = "dms/shop/orders/LOAD00000001.csv";
    private static final String ACCOUNTS = "azuresql/dbo/accounts/sample-accounts.csv";
    private static final String ACCOUNTS_PAGE_2 = "azuresql/dbo/accounts/page-2.csv";
    /** The events serializer's relocated Gson, which the shade step leaves out. */
    private static final String UNUSED_GSON = "com/amazonaws/lambda/thirdparty/com/google/gson/";

    @TempDir
    Path temp;

    @Test
    void lambdaJarCarriesTheBundledPipelineAndGlueAndNoHadoopOrTestLibraries() throws IOException {
        List<String> entries = LambdaJar.entries(LAMBDA_JAR);
        assertThat(entries).contains("pipeline.yaml", "io/tarn/functions/rawobject/RawObjectHandler.class",
                "io/tarn/parquet/TarnCodecFactory.class", "software/amazon/awssdk/services/glue/GlueClient.class",
                "org/joda/time/DateTime.class");
        assertThat(LambdaJar.functionJarFaults(LAMBDA_JAR)).isEmpty();
        // Of the events library, the types the functions take and answer; the serializer loads them by name.
        assertThat(LambdaJar.eventTypes(entries))
                .containsExactly("SQSBatchResponse", "SQSEvent", "ScheduledEvent", "models/s3/S3EventNotification");
        assertThat(LambdaJar.under(entries, List.of(UNUSED_GSON))).isEmpty();
        assertThat(LambdaJar.serviceModules(entries)).containsExactly("dynamodb", "glue", "s3");
        // Stripped: the marshallers of operations Tarn does not call, and what only the CRT client uses.
        assertThat(entries).doesNotContain("software/amazon/awssdk/services/s3/transform/CopyObjectRequestMarshaller.class",
                "software/amazon/awssdk/services/dynamodb/transform/ScanRequestMarshaller.class");
        assertThat(LambdaJar.under(entries, List.of("software/amazon/awssdk/services/s3/internal/crt/"))).isEmpty();
    }

    @Test
    void lambdaJarConvertsRawObjectsAndRegistersTheirPartitionsAndANewColumnInMoto() throws Exception {
        AwsClients clients = motoClients();
        OwnLake lake = OwnLake.unique().create(clients, List.of(ORDERS, ACCOUNTS));
        try (S3Client s3 = S3Clients.create(clients.settings())) {
            s3.putObject(b -> b.bucket(RAW).key(ACCOUNTS_PAGE_2), RequestBody.fromString("""
                    account_id,name,plan,region,tier,created_at,updated_at
                    umbrella,Umbrella,growth,eu-west-1,gold,2023-09-01 08:00:00,2024-06-02 09:00:00
                    """));
        }
        Path withTier = Files.writeString(temp.resolve("pipeline.yaml"), Files.readString(Path.of("../../pipeline.yaml"))
                .replace("      - { name: region, type: string }\n",
                        "      - { name: region, type: string }\n      - { name: tier, type: string }\n"));

        LambdaJar.Run run = LambdaJar.runThroughProxy(MotoServer.shared().endpoint(), LAMBDA_JAR, ShadedJarMain.class,
                temp, lake.staging(), lake.stateTable(), lake.database(), temp.resolve("tmp").toString(),
                withTier.toString(), event(ORDERS), event(ACCOUNTS), event(ACCOUNTS_PAGE_2));
        List<String> glueCalls = run.targets().stream().filter(target -> target.startsWith("AWSGlue.")).toList();
        assertThat(run.exitCode()).as("exit code; stderr:%n%s", run.stderr()).isZero();

        assertThat(run.stdout()).hasSize(4).endsWith("glue classes: all load");
        List<String> responses = run.stdout().subList(0, 3);
        JsonNode orders = result(responses.get(0));
        assertThat(orders.get("rowsRead").asLong()).isEqualTo(9);
        assertThat(orders.get("rowsWritten").asLong()).isEqualTo(7);
        assertThat(orders.get("rowsQuarantined").asLong()).isEqualTo(2);
        assertThat(result(responses.get(1)).get("rowsWritten").asLong()).isEqualTo(3);
        assertThat(result(responses.get(2)).get("rowsWritten").asLong()).isEqualTo(1);
        assertThat(glueCalls).containsExactly(
                "AWSGlue.GetTable", "AWSGlue.CreateTable", "AWSGlue.CreateDatabase", "AWSGlue.CreateTable",
                "AWSGlue.GetTable", "AWSGlue.BatchCreatePartition",
                "AWSGlue.GetTable", "AWSGlue.CreateTable", "AWSGlue.GetTable", "AWSGlue.BatchCreatePartition",
                "AWSGlue.GetTable", "AWSGlue.UpdateTable", "AWSGlue.GetTable", "AWSGlue.BatchCreatePartition");

        try (GlueClient glue = clients.build(GlueClient.builder())) {
            GlueCatalog catalog = new GlueCatalog(glue, lake.database());
            // The change logs: one partition per account and landing day.
            assertThat(catalog.partitions("orders_changes")).extracting(p -> p.values().get(0))
                    .containsExactlyInAnyOrder("acme", "globex", "initech");
            assertThat(catalog.table("accounts_changes").orElseThrow().columns()).contains(new CatalogColumn("tier", "string"));
            assertThat(catalog.partitions("accounts_changes")).extracting(p -> p.values().get(0))
                    .containsExactlyInAnyOrder("acme", "globex", "initech", "umbrella");
        }
        assertOrdersParquet(clients, lake.staging(), orders.get("outputKeys"));
    }

    @Test
    void lambdaJarDecodesAndAnswersTheEventBridgeAndSqsSampleEvents() throws Exception {
        OwnLake lake = OwnLake.unique().create(motoClients(), List.of("dms/shop/orders/20240601-1200000000.csv",
                "dms/app/events/LOAD00000001.csv", ACCOUNTS, "azuresql/dbo/invoices/sample-invoices.csv"));

        LambdaJar.Run run = LambdaJar.run(LAMBDA_JAR, ShadedJarEventsMain.class, temp,
                MotoServer.shared().endpoint().toString(), lake.staging(), lake.stateTable(), lake.database(),
                temp.resolve("tmp").toString(),
                Path.of("../../events/eventbridge-object-created.json").toAbsolutePath().toString(),
                Path.of("../../events/sqs-eventbridge-batch.json").toAbsolutePath().toString());

        assertThat(run.exitCode()).as("exit code; stderr:%n%s", run.stderr()).isZero();
        assertThat(run.stdout()).hasSize(2);
        JsonNode eventBridge = result(run.stdout().get(0));
        assertThat(eventBridge.get("source").asText()).isEqualTo("s3://tarn-raw/dms/shop/orders/20240601-1200000000.csv");
        // An SQS batch answers with its failed messages only, as the events library encodes it.
        assertThat(run.stdout().get(1)).isEqualTo("{\"batchItemFailures\":[]}");
    }

    @Test
    void lambdaJarMakesEveryS3AndDynamoDbCallOfTheAdaptersAgainstMoto() throws Exception {
        AwsClients clients = motoClients();
        String suffix = uniqueSuffix();
        String bucket = "tarn-versioned-" + suffix;
        String stateTable = "tarn-state-" + suffix;
        try (S3Client s3 = S3Clients.create(clients.settings())) {
            s3.createBucket(b -> b.bucket(bucket));
            s3.putBucketVersioning(b -> b.bucket(bucket)
                    .versioningConfiguration(v -> v.status(BucketVersioningStatus.ENABLED)));
        }
        Path scratch = temp.resolve("scratch");

        LambdaJar.Run run;
        List<String> calls;
        try (FaultInjectingProxy proxy = FaultInjectingProxy.start(MotoServer.shared().endpoint())) {
            proxy.failFirst(1, r -> r.is("PUT") && r.path().contains("/aborted/") && r.query() != null
                    && r.query().contains("partNumber=2"));
            run = LambdaJar.run(LAMBDA_JAR, ShadedJarAdaptersMain.class, temp, proxy.endpoint().toString(), bucket,
                    stateTable, scratch.toString());
            calls = proxy.requests().stream().map(ShadedJarIT::call).toList();
        }

        assertThat(run.exitCode()).as("exit code; stderr:%n%s", run.stderr()).isZero();
        assertThat(run.stdout()).containsExactly(
                objectCalls(bucket, "local"),
                objectCalls(bucket, "checksums"),
                "aborted: Cannot upload " + scratch.resolve("big.bin") + " in parts to s3://" + bucket
                        + "/aborted/big.bin (status 503, SlowDown)",
                "state: recorded true then false, found true; leased true then by another false; advanced true then false,"
                        + " read true; fingerprint fp-2",
                "s3 classes: all load",
                "dynamodb classes: all load");
        List<String> expected = new ArrayList<>();
        for (String folder : List.of("local", "checksums")) {
            String big = "/" + bucket + "/" + folder + "/big.bin";
            String versioned = "/" + bucket + "/" + folder + "/versioned.txt";
            expected.addAll(List.of(
                    "POST " + big + "?uploads",
                    "PUT " + big + "?partNumber&uploadId",
                    "PUT " + big + "?partNumber&uploadId",
                    "PUT " + big + "?partNumber&uploadId",
                    "POST " + big + "?uploadId",
                    "GET " + big, "HEAD " + big,
                    "PUT " + versioned, "HEAD " + versioned, "PUT " + versioned,
                    "GET " + versioned + "?versionId", "GET " + versioned,
                    "GET /" + bucket + "?list-type&prefix",
                    "POST /" + bucket + "?delete",
                    "GET /" + bucket + "?list-type&prefix",
                    "HEAD " + big, "GET " + big));
        }
        String aborted = "/" + bucket + "/aborted/big.bin";
        expected.addAll(List.of("POST " + aborted + "?uploads", "PUT " + aborted + "?partNumber&uploadId",
                "PUT " + aborted + "?partNumber&uploadId", "DELETE " + aborted + "?uploadId"));
        expected.addAll(List.of("DynamoDB_20120810.CreateTable", "DynamoDB_20120810.DescribeTable",
                "DynamoDB_20120810.PutItem", "DynamoDB_20120810.PutItem", "DynamoDB_20120810.GetItem",
                "DynamoDB_20120810.UpdateItem", "DynamoDB_20120810.UpdateItem", "DynamoDB_20120810.UpdateItem",
                "DynamoDB_20120810.UpdateItem", "DynamoDB_20120810.GetItem", "DynamoDB_20120810.UpdateItem",
                "DynamoDB_20120810.UpdateItem", "DynamoDB_20120810.UpdateItem", "DynamoDB_20120810.GetItem"));
        assertThat(calls).containsExactlyElementsOf(expected);

        // The deleted keys' versions stay: the default client's uploads, parts included, carried a CRC32.
        List<String> stored = new ArrayList<>();
        try (S3Client s3 = S3Clients.create(clients.settings())) {
            for (ObjectVersion version : s3.listObjectVersions(b -> b.bucket(bucket)).versions()) {
                HeadObjectResponse head = s3.headObject(b -> b.bucket(bucket).key(version.key())
                        .versionId(version.versionId()).checksumMode(ChecksumMode.ENABLED));
                stored.add(version.key() + (head.checksumCRC32() == null ? " without checksum" : " with CRC32"));
            }
        }
        assertThat(stored).containsExactly("checksums/big.bin with CRC32", "checksums/versioned.txt with CRC32",
                "checksums/versioned.txt with CRC32", "local/big.bin without checksum",
                "local/versioned.txt without checksum", "local/versioned.txt without checksum");
    }

    private static AwsClients motoClients() {
        return new AwsClients(AwsSettings.local(MotoServer.shared().endpoint(), "us-east-1", "test", "test"));
    }

    /** A suffix that keeps a test's resources on the shared moto server apart from every other test's. */
    private static String uniqueSuffix() {
        return UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    }

    /** A staging bucket, a state table and a Glue database of one test's own on the shared moto server. */
    private record OwnLake(String staging, String stateTable, String database) {

        static OwnLake unique() {
            String suffix = uniqueSuffix();
            return new OwnLake("tarn-staging-" + suffix, "tarn-state-" + suffix, "tarn_" + suffix);
        }

        /**
         * Creates the bucket and the table, not the database: the first registration creates it, as
         * on a fresh account. Puts the samples in the raw bucket the sample events name.
         */
        OwnLake create(AwsClients clients, List<String> samples) {
            try (S3Client s3 = S3Clients.create(clients.settings());
                    DynamoDbClient dynamoDb = clients.build(DynamoDbClient.builder())) {
                try {
                    s3.createBucket(b -> b.bucket(RAW));
                } catch (BucketAlreadyOwnedByYouException e) {
                    // The shared moto server already has it.
                }
                s3.createBucket(b -> b.bucket(staging));
                for (String key : samples) {
                    s3.putObject(b -> b.bucket(RAW).key(key), RequestBody.fromFile(SAMPLES.resolve(key)));
                }
                StateTable.create(dynamoDb, stateTable);
            }
            return this;
        }
    }

    /** What {@link ShadedJarAdaptersMain} prints for the S3 calls of one client. */
    private static String objectCalls(String bucket, String folder) {
        return folder + ": parts read back equal, size " + ShadedJarAdaptersMain.BIG
                + "; versions first then second; listed [" + folder + "/big.bin, " + folder + "/versioned.txt]"
                + "; after delete listed [], head Optional.empty, get ObjectNotFoundException: Object s3://" + bucket
                + "/" + folder + "/big.bin does not exist";
    }

    /** A request the proxy saw: the JSON target, or the S3 method, path and query parameter names. */
    private static String call(FaultInjectingProxy.Request request) {
        if (request.target() != null) {
            return request.target();
        }
        String query = request.query() == null ? "" : "?" + Arrays.stream(request.query().split("&"))
                .map(p -> p.split("=")[0]).sorted().collect(Collectors.joining("&"));
        return request.method() + " " + request.path() + query;
    }

    /** The orders output, downloaded from moto's S3, read with DuckDB: the rows and ZSTD. */
    private void assertOrdersParquet(AwsClients clients, String staging, JsonNode outputKeys) throws Exception {
        Path files = Files.createDirectories(temp.resolve("orders"));
        try (S3Client s3 = S3Clients.create(clients.settings())) {
            int n = 0;
            for (JsonNode key : outputKeys) {
                String folder = key.asText().substring(0, key.asText().lastIndexOf('/'));
                Path file = Files.createDirectories(files.resolve(folder.substring("orders_changes/".length())))
                        .resolve("part-" + n++ + ".parquet");
                s3.getObject(b -> b.bucket(staging).key(key.asText()), file);
            }
        }
        try (Connection duck = DriverManager.getConnection("jdbc:duckdb:"); Statement sql = duck.createStatement()) {
            List<String> rows = new ArrayList<>();
            try (ResultSet staged = sql.executeQuery("SELECT order_id, account_id, strftime(created_at, '%Y-%m-%d'), total::VARCHAR FROM read_parquet('"
                    + files + "/*/*/*.parquet', hive_partitioning = true) ORDER BY order_id")) {
                while (staged.next()) {
                    rows.add(staged.getLong(1) + "|" + staged.getString(2) + "|" + staged.getObject(3) + "|"
                            + staged.getString(4));
                }
            }
            assertThat(rows).containsExactly(
                    "1001|acme|2024-05-30|120.50",
                    "1002|acme|2024-05-30|75.00",
                    "1003|globex|2024-05-31|1999.99",
                    "1004|globex|2024-05-31|15.25",
                    "1005|initech|2024-05-31|42.00",
                    "1006|acme|2024-05-31|10.00",
                    "1009|globex|2024-06-01|-20.00");
            try (ResultSet codecs = sql.executeQuery("SELECT DISTINCT compression FROM parquet_metadata('"
                    + files + "/*/*/*.parquet')")) {
                assertThat(codecs.next()).isTrue();
                assertThat(codecs.getString(1)).isEqualTo("ZSTD");
                assertThat(codecs.next()).isFalse();
            }
        }
    }

    /** The sample S3 notification, naming {@code key} of the raw bucket. */
    private String event(String key) throws IOException {
        ObjectNode event = (ObjectNode) JSON.readTree(EVENT.toFile());
        ((ObjectNode) event.get("Records").get(0).get("s3").get("object")).put("key", key);
        Path file = temp.resolve("event-" + key.replace('/', '_') + ".json");
        Files.writeString(file, JSON.writeValueAsString(event), StandardCharsets.UTF_8);
        return file.toString();
    }

    private static JsonNode result(String response) throws IOException {
        JsonNode json = JSON.readTree(response);
        assertThat(json.get("batchItemFailures")).as(response).isEmpty();
        JsonNode result = json.get("results").get(0);
        assertThat(result.get("status").asText()).as(response).isEqualTo("processed");
        return result;
    }
}
