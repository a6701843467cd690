package io.tarn.functions.rawobject;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tarn.aws.AwsClients;
import io.tarn.aws.AwsSettings;
import io.tarn.aws.dynamodb.StateTable;
import io.tarn.aws.glue.GlueCatalog;
import io.tarn.aws.s3.S3Clients;
import io.tarn.embedded.EmbeddedS3;
import io.tarn.embedded.FaultInjectingProxy.Request;
import io.tarn.embedded.FaultInjectingProxy;
import io.tarn.embedded.MotoServer;
import io.tarn.ingest.RawObjectConfig;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.glue.GlueClient;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The handler as Lambda builds it ({@link RawObjectWiring}), on real local parts: the embedded S3
 * server (behind a recording proxy) for S3, moto for Glue and DynamoDB. Events are the files in
 * {@code events/} that {@code sam local invoke} uses; raw objects are the files in {@code samples/}.
 */
class RawObjectHandlerTest {

    private static final Path EVENTS = Path.of("../../events");
    private static final Path SAMPLES = Path.of("../../samples");
    private static final String RAW = "tarn-raw";
    private static final String STAGING = "tarn-staging";
    private static final String REGION = "us-east-1";
    private static final ObjectMapper JSON = new ObjectMapper();

    private static AwsSettings moto;
    private static GlueClient glue;
    private static DynamoDbClient dynamoDb;

    @TempDir
    Path temp;

    private EmbeddedS3 s3Server;
    private FaultInjectingProxy proxy;
    private S3Client s3;
    private String database;
    private String stateTable;
    private RawObjectHandler handler;

    @BeforeAll
    static void startMoto() {
        moto = AwsSettings.local(MotoServer.shared().endpoint(), REGION, "test", "test");
        AwsClients clients = new AwsClients(moto);
        glue = clients.build(GlueClient.builder());
        dynamoDb = clients.build(DynamoDbClient.builder());
    }

    @AfterAll
    static void closeClients() {
        glue.close();
        dynamoDb.close();
    }

    @BeforeEach
    void startLake() {
        // No signatures behind the proxy: it rewrites the Host header. The proxy records every S3
        // request, so a test can tell a replay from a rewrite.
        s3Server = EmbeddedS3.builder(temp.resolve("s3")).withoutAuthorization().start();
        s3Server.createBucket(RAW);
        s3Server.createBucket(STAGING);
        proxy = FaultInjectingProxy.start(s3Server.endpoint());
        AwsSettings s3Settings = AwsSettings.local(proxy.endpoint(), REGION, "any", "any");
        s3 = S3Clients.create(s3Settings);

        String unique = UUID.randomUUID().toString().replace("-", "");
        // The Glue database is not created here: the first partition registration creates it.
        database = "tarn_" + unique;
        stateTable = "tarn-state-" + unique;
        StateTable.create(dynamoDb, stateTable);

        RawObjectConfig config = RawObjectConfig.fromEnv(Map.of(
                RawObjectConfig.AWS_REGION, REGION,
                RawObjectConfig.STAGING_BUCKET, STAGING,
                RawObjectConfig.STATE_TABLE, stateTable,
                RawObjectConfig.GLUE_DATABASE, database,
                RawObjectConfig.TMPDIR, temp.resolve("tmp").toString()));
        handler = new RawObjectHandler(RawObjectWiring.aws(config, s3Settings, moto));
    }

    @AfterEach
    void stopLake() {
        s3.close();
        proxy.close();
        s3Server.close();
    }

    @Test
    void s3NotificationConvertsTheOrdersFullLoadAndQuarantinesTheTwoBadRows() throws Exception {
        putSample("dms/shop/orders/LOAD00000001.csv");

        JsonNode response = invoke(Files.readAllBytes(EVENTS.resolve("s3-put.json")));

        assertThat(response.get("batchItemFailures")).isEmpty();
        assertThat(response.get("results")).hasSize(1);
        JsonNode result = response.get("results").get(0);
        assertThat(result.get("source").asText()).isEqualTo("s3://tarn-raw/dms/shop/orders/LOAD00000001.csv");
        assertThat(result.get("status").asText()).isEqualTo("processed");
        assertThat(result.get("dataset").asText()).isEqualTo("orders");
        assertThat(result.get("rowsRead").asLong()).isEqualTo(9);
        assertThat(result.get("rowsWritten").asLong()).isEqualTo(7);
        assertThat(result.get("rowsQuarantined").asLong()).isEqualTo(2);
        // The change log: one file per account, in the day the object landed.
        String landed = landedDay("dms/shop/orders/LOAD00000001.csv");
        assertThat(texts(result.get("partitions"))).containsExactly(
                "acme/" + landed, "globex/" + landed, "initech/" + landed);
        List<String> outputKeys = texts(result.get("outputKeys"));
        assertThat(outputKeys).hasSize(3).allMatch(key -> key.matches(
                "orders_changes/account_id=[a-z]+/dt=" + landed + "/part-[0-9a-f]{32}-00000\\.zstd\\.parquet"));

        assertThat(stagingRows("orders_changes", outputKeys, "order_id, customer_id, status, total::VARCHAR, _op")).containsExactly(
                "1001|501|paid|120.50|I",
                "1002|502|shipped|75.00|I",
                "1003|601|paid|1999.99|I",
                "1004|602|pending, awaiting stock|15.25|I",
                "1005|701|paid|42.00|I",
                "1006|503|gift \"express\"|10.00|I",
                "1009|603|refunded|-20.00|I");
        assertThat(rowsPerPartitionFolder(outputKeys)).containsExactly(
                Map.entry("account_id=acme/dt=" + landed, 3L),
                Map.entry("account_id=globex/dt=" + landed, 3L),
                Map.entry("account_id=initech/dt=" + landed, 1L));

        String quarantineKey = result.get("quarantineKey").asText();
        assertThat(quarantineKey).matches("quarantine/orders/[0-9a-f]{32}\\.csv");
        List<String> quarantined = Files.readAllLines(s3Server.fileOf(STAGING, quarantineKey));
        assertThat(quarantined).containsExactly(
                "source_key,line,reason,raw_record",
                "\"s3://tarn-raw/dms/shop/orders/LOAD00000001.csv\",7,\"column 'total': not a decimal(12,2): 'not-a-number'\","
                        + "\"I,2024-06-01 09:00:00.000000,1007,initech,702,paid,not-a-number,GBP,2024-06-01 07:00:00,\\N,\"",
                "\"s3://tarn-raw/dms/shop/orders/LOAD00000001.csv\",8,\"no account: column 'account_id' is empty\","
                        + "\"I,2024-06-01 09:00:00.000000,1008,\\N,801,paid,5.00,EUR,2024-06-01 07:10:00,\\N,\"");

        assertThat(s3Server.fileOf(STAGING, result.get("manifestKey").asText())).isRegularFile();
        assertThat(gluePartitions("orders_changes"))
                .containsExactlyElementsOf(changeLogPartitions("orders_changes", landed, "acme", "globex", "initech"));
        assertThat(ledger()).containsExactly(
                "s3://tarn-raw/dms/shop/orders/LOAD00000001.csv orders 9/7/2 " + result.get("manifestKey").asText());
    }

    @Test
    void eventBridgeEventConvertsTheOrdersCdcFileKeepingTheOperations() throws Exception {
        putSample("dms/shop/orders/20240601-1200000000.csv");

        JsonNode response = invoke(Files.readAllBytes(EVENTS.resolve("eventbridge-object-created.json")));

        assertThat(response.get("batchItemFailures")).isEmpty();
        JsonNode result = response.get("results").get(0);
        assertThat(result.get("status").asText()).isEqualTo("processed");
        assertThat(result.get("rowsRead").asLong()).isEqualTo(3);
        assertThat(result.get("rowsWritten").asLong()).isEqualTo(3);
        assertThat(result.get("rowsQuarantined").asLong()).isZero();
        assertThat(result.get("quarantineKey").isNull()).isTrue();
        String landed = landedDay("dms/shop/orders/20240601-1200000000.csv");
        assertThat(texts(result.get("partitions")))
                .containsExactly("acme/" + landed, "globex/" + landed, "initech/" + landed);
        assertThat(stagingRows("orders_changes", texts(result.get("outputKeys")),
                "order_id, status, _op, strftime(_commit_ts, '%H:%M:%S.%f'), _source_key")).containsExactly(
                "1002|delivered|U|12:00:01.120000|s3://tarn-raw/dms/shop/orders/20240601-1200000000.csv",
                "1004|pending, awaiting stock|D|12:00:02.500000|s3://tarn-raw/dms/shop/orders/20240601-1200000000.csv",
                "1010|paid|I|12:00:03.000000|s3://tarn-raw/dms/shop/orders/20240601-1200000000.csv");
        assertThat(listStaging("quarantine/")).isEmpty();
        assertThat(gluePartitions("orders_changes"))
                .containsExactlyElementsOf(changeLogPartitions("orders_changes", landed, "acme", "globex", "initech"));
        assertThat(ledger()).containsExactly(
                "s3://tarn-raw/dms/shop/orders/20240601-1200000000.csv orders 3/3/0 " + result.get("manifestKey").asText());
    }

    @Test
    void sqsBatchOfEventBridgeEventsConvertsEveryMessageAndAnswersWithNoFailures() throws Exception {
        putSample("dms/app/events/LOAD00000001.csv");
        putSample("azuresql/dbo/accounts/sample-accounts.csv");
        putSample("azuresql/dbo/invoices/sample-invoices.csv");

        JsonNode response = invoke(Files.readAllBytes(EVENTS.resolve("sqs-eventbridge-batch.json")));

        // Lambda's partial batch response: nothing but the failures.
        assertThat(response.toString()).isEqualTo("{\"batchItemFailures\":[]}");
        assertThat(ledger()).hasSize(3).allMatch(entry -> entry.matches(".* manifests/[a-z]+/[0-9a-f]{32}\\.json"))
                .map(entry -> entry.substring(0, entry.lastIndexOf(' ')))
                .containsExactly(
                        "s3://tarn-raw/azuresql/dbo/accounts/sample-accounts.csv accounts 3/3/0",
                        "s3://tarn-raw/azuresql/dbo/invoices/sample-invoices.csv invoices 3/3/0",
                        "s3://tarn-raw/dms/app/events/LOAD00000001.csv events 4/3/1");

        String landed = landedDay("dms/app/events/LOAD00000001.csv");
        assertThat(gluePartitions("events_changes"))
                .containsExactlyElementsOf(changeLogPartitions("events_changes", landed, "acme", "globex"));
        String accountsLanded = landedDay("azuresql/dbo/accounts/sample-accounts.csv");
        assertThat(gluePartitions("accounts_changes"))
                .containsExactlyElementsOf(changeLogPartitions("accounts_changes", accountsLanded, "acme", "globex", "initech"));
        assertThat(gluePartitions("invoices_changes")).hasSize(3);

        assertThat(stagingRows("events_changes", listStaging("events_changes/"), "_id, event_type, strftime(occurred_at, '%Y-%m-%d %H:%M')"))
                .containsExactly(
                        "665a1f0e9b1e8a0001a1b001|login|2024-05-31 08:00",
                        "665a1f0e9b1e8a0001a1b002|checkout|2024-05-31 08:05",
                        "665a1f0e9b1e8a0001a1b003|login|2024-05-31 09:00");
        assertThat(stagingRows("accounts_changes", listStaging("accounts_changes/"), "name, plan"))
                .containsExactly("Acme Corp|enterprise", "Globex|growth", "Initech|starter");
        assertThat(stagingRows("invoices_changes", listStaging("invoices_changes/"), "invoice_id, amount::VARCHAR, issued_on::VARCHAR, paid"))
                .containsExactly("9001|195.50|2024-05-31|true", "9002|2014.99|2024-05-31|false", "9003|42.00|2024-05-31|true");
        assertThat(listStaging("quarantine/")).singleElement().asString().startsWith("quarantine/events/");
    }

    @Test
    void sqsBatchReportsOnlyTheMessagesThatFailedAndCompletesTheOthers() throws Exception {
        putSample("dms/app/events/LOAD00000001.csv");
        putSample("azuresql/dbo/invoices/sample-invoices.csv");
        ObjectNode batch = (ObjectNode) JSON.readTree(EVENTS.resolve("sqs-eventbridge-batch.json").toFile());
        ArrayNode records = (ArrayNode) batch.get("Records");
        // Message 1: a body that is not JSON at all.
        ((ObjectNode) records.get(1)).put("body", "ObjectCreated dms/app/events/LOAD00000001.csv");
        // Message 2: a version of an object that is not in the bucket (deleted, or never there).
        ObjectNode missing = (ObjectNode) JSON.readTree(records.get(2).get("body").asText());
        ObjectNode object = (ObjectNode) missing.get("detail").get("object");
        object.put("key", "azuresql/dbo/invoices/gone.csv");
        object.put("version-id", "3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY");
        ((ObjectNode) records.get(2)).put("body", missing.toString());

        JsonNode response = invoke(JSON.writeValueAsBytes(batch));

        assertThat(response.toString()).isEqualTo("{\"batchItemFailures\":["
                + "{\"itemIdentifier\":\"059f36b4-87a3-44ab-83d2-661975874701\"},"
                + "{\"itemIdentifier\":\"059f36b4-87a3-44ab-83d2-661975874702\"}]}");
        assertThat(ledger()).singleElement().asString()
                .startsWith("s3://tarn-raw/dms/app/events/LOAD00000001.csv events 4/3/1 ");
        assertThat(gluePartitions("events_changes")).hasSize(2);
        assertThat(listStaging("invoices_changes/")).isEmpty();
    }

    @Test
    void sameEventDeliveredTwiceIsAlreadyProcessedTheSecondTimeAndWritesNothing() throws Exception {
        putSample("dms/shop/orders/LOAD00000001.csv");
        byte[] event = Files.readAllBytes(EVENTS.resolve("s3-put.json"));
        JsonNode first = invoke(event).get("results").get(0);
        Map<String, Long> stagingAfterFirst = stagingFiles();
        int requestsAfterFirst = proxy.requestsSeen();

        JsonNode second = invoke(event);

        assertThat(second.get("batchItemFailures")).isEmpty();
        JsonNode result = second.get("results").get(0);
        assertThat(result.get("status").asText()).isEqualTo("already-processed");
        assertThat(result.get("dataset").asText()).isEqualTo("orders");
        assertThat(result.get("rowsRead").asLong()).isEqualTo(9);
        assertThat(result.get("rowsWritten").asLong()).isEqualTo(7);
        assertThat(result.get("rowsQuarantined").asLong()).isEqualTo(2);
        assertThat(result.get("manifestKey").asText()).isEqualTo(first.get("manifestKey").asText());
        // The replay only looks the object up to learn its identity; it reads and writes nothing.
        assertThat(proxy.requests().subList(requestsAfterFirst, proxy.requestsSeen()))
                .containsExactly(new Request("HEAD", "/tarn-raw/dms/shop/orders/LOAD00000001.csv", null, null));
        assertThat(stagingFiles()).isEqualTo(stagingAfterFirst);
        assertThat(ledger()).hasSize(1);
        assertThat(gluePartitions("orders_changes")).hasSize(3);
    }

    @Test
    void plainEventOfAnotherShapeIsRefusedWithWhatWasWrong() {
        byte[] notAnObjectEvent = "{\"Records\": \"none\", \"hello\": \"world\"}".getBytes(StandardCharsets.UTF_8);

        assertThatThrownBy(() -> invoke(notAnObjectEvent))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("RawObject cannot handle this event: not an S3 object event: expected an SQS batch, "
                        + "an S3 notification (Records[].s3) or an EventBridge 'Object Created' event");
        assertThat(proxy.requests()).isEmpty();
    }

    @Test
    void eventBridgeEventOfAnotherTypeIsRefusedNamingTheType() throws IOException {
        ObjectNode event = (ObjectNode) JSON.readTree(EVENTS.resolve("eventbridge-object-created.json").toFile());
        event.put("detail-type", "Object Deleted");

        assertThatThrownBy(() -> invoke(JSON.writeValueAsBytes(event)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("RawObject cannot handle this event: "
                        + "EventBridge event of type 'Object Deleted', expected 'Object Created'");
        assertThat(proxy.requests()).isEmpty();
    }

    @Test
    void noArgConstructorFailsFastNamingTheFirstMissingEnvironmentVariable() {
        String missing = Stream.of(RawObjectConfig.AWS_REGION, RawObjectConfig.STAGING_BUCKET,
                        RawObjectConfig.STATE_TABLE, RawObjectConfig.GLUE_DATABASE)
                .filter(name -> System.getenv(name) == null || System.getenv(name).isBlank())
                .findFirst()
                .orElse(null);
        assumeThat(missing).as("the test JVM's environment configures the function").isNotNull();

        assertThatThrownBy(RawObjectHandler::new)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Environment variable " + missing + " is not set");
    }

    private JsonNode invoke(byte[] event) throws IOException {
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        handler.handleRequest(new ByteArrayInputStream(event), output, null);
        return JSON.readTree(output.toByteArray());
    }

    private void putSample(String key) {
        s3.putObject(b -> b.bucket(RAW).key(key), RequestBody.fromFile(SAMPLES.resolve(key)));
    }

    /** The UTC day a raw object landed (its last-modified time): the day of its change log partition. */
    private String landedDay(String key) {
        return s3.headObject(b -> b.bucket(RAW).key(key)).lastModified().atZone(java.time.ZoneOffset.UTC).toLocalDate().toString();
    }

    /** The given staging objects read with DuckDB, one {@code a|b|c} line per row, in order. */
    private List<String> stagingRows(String table, List<String> keys, String columns) throws SQLException {
        assertThat(keys).isNotEmpty().allMatch(key -> key.startsWith(table + "/"));
        String files = keys.stream()
                .map(key -> "'" + s3Server.fileOf(STAGING, key).toAbsolutePath() + "'")
                .collect(Collectors.joining(", ", "[", "]"));
        List<String> rows = new ArrayList<>();
        try (Connection duck = DriverManager.getConnection("jdbc:duckdb:"); Statement sql = duck.createStatement()) {
            sql.execute("SET TimeZone = 'UTC'");
            try (ResultSet result = sql.executeQuery("SELECT " + columns + " FROM read_parquet(" + files
                    + ", hive_partitioning = false) ORDER BY 1")) {
                int count = result.getMetaData().getColumnCount();
                while (result.next()) {
                    List<String> values = new ArrayList<>();
                    for (int i = 1; i <= count; i++) {
                        values.add(String.valueOf(result.getObject(i)));
                    }
                    rows.add(String.join("|", values));
                }
            }
        }
        return rows;
    }

    /** Rows per partition folder of the given staging objects, by DuckDB's count. */
    private Map<String, Long> rowsPerPartitionFolder(List<String> keys) throws SQLException {
        Map<String, Long> rows = new TreeMap<>();
        try (Connection duck = DriverManager.getConnection("jdbc:duckdb:"); Statement sql = duck.createStatement()) {
            for (String key : keys) {
                String folder = key.substring(key.indexOf('/') + 1, key.lastIndexOf('/'));
                try (ResultSet count = sql.executeQuery("SELECT count(*) FROM read_parquet('"
                        + s3Server.fileOf(STAGING, key).toAbsolutePath() + "')")) {
                    count.next();
                    rows.merge(folder, count.getLong(1), Long::sum);
                }
            }
        }
        return rows;
    }

    /** Staging object keys under a prefix, from the bucket's folder (the server stores plain files). */
    private List<String> listStaging(String prefix) throws IOException {
        return stagingFiles().keySet().stream().filter(key -> key.startsWith(prefix)).toList();
    }

    /** Every staging object as key -> last-modified millis. */
    private Map<String, Long> stagingFiles() throws IOException {
        Path root = s3Server.root().resolve(STAGING);
        Map<String, Long> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path file : walk.filter(Files::isRegularFile).sorted(Comparator.naturalOrder()).toList()) {
                files.put(root.relativize(file).toString(), Files.getLastModifiedTime(file).toMillis());
            }
        }
        return files;
    }

    /** Partitions of a table in moto's Glue, as {@code values -> location}, sorted. */
    private List<String> gluePartitions(String table) {
        return new GlueCatalog(glue, database).partitions(table).stream()
                .map(p -> String.join("/", p.values()) + " -> " + p.location())
                .sorted()
                .toList();
    }

    /**
     * The partitions a change log registers for these accounts on the day their raw object landed,
     * as {@link #gluePartitions} lists them: one per account, in its account and day folder.
     */
    private static List<String> changeLogPartitions(String table, String landed, String... accounts) {
        return Stream.of(accounts).map(account -> account + "/" + landed + " -> s3://" + STAGING + "/" + table
                + "/account_id=" + account + "/dt=" + landed + "/").toList();
    }

    /** Ledger items of the state table as {@code source dataset read/written/quarantined manifestKey}, sorted. */
    private List<String> ledger() {
        return dynamoDb.scan(r -> r.tableName(stateTable).consistentRead(true)).items().stream()
                .peek(item -> assertThat(item.get(StateTable.PK).s())
                        .isEqualTo("object#" + item.get("objectId").s()))
                .map(item -> s(item, "source") + " " + s(item, "dataset") + " " + n(item, "rowsRead") + "/"
                        + n(item, "rowsWritten") + "/" + n(item, "rowsQuarantined") + " " + s(item, "manifestKey"))
                .sorted()
                .toList();
    }

    private static String s(Map<String, AttributeValue> item, String name) {
        return item.get(name).s();
    }

    private static String n(Map<String, AttributeValue> item, String name) {
        return item.get(name).n();
    }

    private static List<String> texts(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(node -> values.add(node.asText()));
        return values;
    }
}
