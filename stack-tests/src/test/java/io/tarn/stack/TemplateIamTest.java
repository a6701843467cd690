package io.tarn.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.amazonaws.services.lambda.runtime.tests.EventLoader;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tarn.aws.AwsClients;
import io.tarn.aws.AwsSettings;
import io.tarn.aws.athena.AthenaQueries;
import io.tarn.aws.dynamodb.DynamoDbWatermarks;
import io.tarn.aws.dynamodb.StateTable;
import io.tarn.aws.glue.GlueCatalog;
import io.tarn.aws.s3.S3Clients;
import io.tarn.aws.s3.S3ObjectStore;
import io.tarn.catalog.CatalogColumn;
import io.tarn.catalog.TableDefinition;
import io.tarn.catalog.TenantTables;
import io.tarn.embedded.FaultInjectingProxy;
import io.tarn.embedded.LambdaContext;
import io.tarn.embedded.MotoServer;
import io.tarn.etl.CrawlerRefreshConfig;
import io.tarn.etl.PartitionRepairConfig;
import io.tarn.etl.QueryException;
import io.tarn.etl.RunManifest;
import io.tarn.etl.trigger.EtlTriggerConfig;
import io.tarn.functions.crawlerrefresh.CrawlerRefreshHandler;
import io.tarn.functions.crawlerrefresh.CrawlerRefreshWiring;
import io.tarn.functions.etltrigger.EtlTriggerHandler;
import io.tarn.functions.etltrigger.EtlTriggerWiring;
import io.tarn.functions.partitionrepair.PartitionRepairHandler;
import io.tarn.functions.partitionrepair.PartitionRepairWiring;
import io.tarn.functions.rawobject.RawObjectHandler;
import io.tarn.functions.rawobject.RawObjectWiring;
import io.tarn.functions.sqlpoller.SqlPollerHandler;
import io.tarn.functions.sqlpoller.SqlPollerWiring;
import io.tarn.ingest.RawObjectConfig;
import io.tarn.local.adapters.LocalAzureSql;
import io.tarn.local.template.SamTemplate;
import io.tarn.log.JsonLogger;
import io.tarn.parquet.StagingSchema;
import io.tarn.pipeline.PipelineLoader;
import io.tarn.poll.PollRequest;
import io.tarn.poll.PollerSettings;
import io.tarn.poll.SqlPollerConfig;
import io.tarn.poll.SqlPollerService;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.athena.AthenaClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.glue.GlueClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.sfn.SfnClient;

/**
 * Every AWS call a function makes is allowed by its role in template.yaml. Each function runs with
 * its production wiring (its module's {@code XxxWiring.aws}) against moto through a recording proxy; every request
 * the proxy sees becomes the IAM action it needs, which the function's policy statements must grant.
 * Where a call happens only on a path the wiring cannot be steered onto here (an Athena query that
 * outlasts its bound), the same adapter runs on that path with a recording client.
 */
class TemplateIamTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SamTemplate TEMPLATE = SamTemplate.load(Path.of("../template.yaml"));
    private static final String REGION = "us-east-1";

    private static FaultInjectingProxy proxy;
    private static AwsSettings direct;
    private static AwsSettings recorded;
    private static AwsClients clients;
    private static GlueClient glue;
    private static S3Client s3;

    @TempDir
    Path temp;

    @BeforeAll
    static void startRecordingProxy() {
        direct = MotoServer.shared().settings();
        proxy = FaultInjectingProxy.start(MotoServer.shared().endpoint());
        recorded = AwsSettings.local(proxy.endpoint(), REGION, "test", "test");
        clients = new AwsClients(direct);
        glue = clients.build(GlueClient.builder());
        s3 = S3Clients.create(direct);
    }

    @AfterAll
    static void stopProxy() {
        proxy.close();
        glue.close();
        s3.close();
    }

    @Test
    void rawObjectCallsOnlyWhatItsRoleAllows() throws Exception {
        String raw = bucket("raw");
        String staging = bucket("staging");
        s3.putBucketVersioning(b -> b.bucket(raw).versioningConfiguration(v -> v.status("Enabled")));
        String key = "dms/shop/orders/LOAD00000001.csv";
        String versionId = s3.putObject(b -> b.bucket(raw).key(key),
                RequestBody.fromFile(Path.of("../samples/dms/shop/orders/LOAD00000001.csv"))).versionId();
        String table = stateTable();
        String database = database();
        String tenantDatabase = database();
        RawObjectConfig config = RawObjectConfig.fromEnv(Map.of(RawObjectConfig.AWS_REGION, REGION,
                RawObjectConfig.STAGING_BUCKET, staging, RawObjectConfig.STATE_TABLE, table,
                RawObjectConfig.GLUE_DATABASE, database, TenantTables.TENANT_GLUE_DATABASE, tenantDatabase,
                RawObjectConfig.TMPDIR, temp.toString()));
        // The orders table as an earlier version of the pipeline left it, without currency: the
        // conversion adds the column (UpdateTable).
        TableDefinition orders = new StagingSchema(PipelineLoader.loadResource("pipeline.yaml").dataset("orders").orElseThrow())
                .changesTableDefinition("s3://" + staging + "/orders_changes/");
        new GlueCatalog(glue, database).ensureTable(new TableDefinition(orders.name(), orders.location(),
                orders.columns().stream().filter(c -> !c.name().equals("currency")).toList(), orders.partitionKeys()));
        ObjectNode event = (ObjectNode) JSON.readTree(Files.readAllBytes(Path.of("../events/eventbridge-object-created.json")));
        ((ObjectNode) event.with("detail").with("bucket")).put("name", raw);
        ((ObjectNode) event.with("detail").with("object")).put("key", key).put("version-id", versionId);

        // Converted again with another codec and the ledger gone (a backfill, a cleared entry): the
        // earlier manifest is found and read, and the earlier parts deleted.
        RawObjectConfig snappy = RawObjectConfig.fromEnv(Map.of(RawObjectConfig.AWS_REGION, REGION,
                RawObjectConfig.STAGING_BUCKET, staging, RawObjectConfig.STATE_TABLE, stateTable(),
                RawObjectConfig.GLUE_DATABASE, database, TenantTables.TENANT_GLUE_DATABASE, tenantDatabase,
                RawObjectConfig.TMPDIR, temp.toString(), RawObjectConfig.PARQUET_CODEC, "snappy"));

        Set<String> actions = record(() -> {
            RawObjectHandler handler = new RawObjectHandler(RawObjectWiring.aws(config, recorded));
            invoke(handler, JSON.writeValueAsBytes(event));
            invoke(handler, JSON.writeValueAsBytes(event)); // the replay: answered from the ledger
            invoke(new RawObjectHandler(RawObjectWiring.aws(snappy, recorded)), JSON.writeValueAsBytes(event));
        });

        assertThat(s3.listObjectsV2(b -> b.bucket(staging).prefix("orders_changes/")).contents())
                .isNotEmpty().allMatch(object -> object.key().endsWith(".snappy.parquet"));
        // The role may list the staging bucket only under manifests/.
        assertThat(proxy.requests()).filteredOn(r -> r.is("GET") && r.path().equals("/" + staging))
                .isNotEmpty().allMatch(r -> r.query().contains("prefix=manifests%2F"));
        // The tenant-facing twin was created with the table's columns, its partitions projected.
        assertThat(glue.getTable(r -> r.databaseName(tenantDatabase).name("orders_changes")).table().parameters())
                .containsEntry("projection.account_id.type", "injected");
        assertThat(actions).contains("s3:GetObjectVersion", "s3:PutObject", "s3:ListBucket", "s3:GetObject",
                "s3:DeleteObject", "dynamodb:GetItem", "dynamodb:PutItem", "glue:GetTable", "glue:CreateTable",
                "glue:UpdateTable", "glue:BatchCreatePartition");
        assertThat(granted("RawObjectFunction")).containsAll(actions);
    }

    @Test
    void sqlPollerCallsOnlyWhatItsRoleAllows() throws Exception {
        String raw = bucket("raw");
        String table = stateTable();
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        int port = closedPort;
        String secretArn;
        try (SecretsManagerClient secrets = clients.build(SecretsManagerClient.builder())) {
            secretArn = secrets.createSecret(b -> b.name("tarn/iam-" + UUID.randomUUID()).secretString(
                    "{\"host\": \"127.0.0.1\", \"port\": " + port + ", \"database\": \"sales\", \"username\": \"u\", \"password\": \"p\"}"))
                    .arn();
        }
        SqlPollerConfig config = SqlPollerConfig.fromEnv(Map.of(SqlPollerConfig.AWS_REGION, REGION,
                SqlPollerConfig.RAW_BUCKET, raw, SqlPollerConfig.STATE_TABLE, table, SqlPollerConfig.DB_SECRET_ARN, secretArn,
                SqlPollerConfig.TMPDIR, temp.toString()));

        Set<String> actions = record(() -> {
            // The production wiring up to the database: Azure SQL is not here, so the connection fails.
            SqlPollerHandler handler = new SqlPollerHandler(SqlPollerWiring.aws(config, recorded)::poll);
            assertThatThrownBy(() -> invoke(handler, Files.readAllBytes(Path.of("../events/schedule.json"))))
                    .isInstanceOf(RuntimeException.class);
            // The same adapters past the connection, with the local H2 database in Azure SQL's place.
            AwsClients recording = new AwsClients(recorded);
            new SqlPollerService(PipelineLoader.loadResource("pipeline.yaml"), LocalAzureSql.open(temp),
                    new S3ObjectStore(S3Clients.create(recording.settings())),
                    new DynamoDbWatermarks(new StateTable(recording.build(DynamoDbClient.builder()), table)),
                    new PollerSettings(raw, temp, PollerSettings.DEFAULT_SAFETY_MARGIN, PollerSettings.DEFAULT_LEASE),
                    SqlPollerService.randomLeaseOwners("iam-test"),
                    Clock.systemUTC(), JsonLogger.silent())
                    .poll(PollRequest.all(), () -> Duration.ofMinutes(10));
        });

        assertThat(actions).contains("secretsmanager:GetSecretValue", "s3:PutObject", "s3:ListBucket", "dynamodb:GetItem");
        assertThat(granted("SqlPollerFunction")).containsAll(actions);
    }

    @Test
    void crawlerRefreshCallsOnlyWhatItsRoleAllows() throws Exception {
        String staging = bucket("staging");
        String table = stateTable();
        String crawler = "iam-crawler-" + UUID.randomUUID();
        String database = database();
        glue.createCrawler(r -> r.name(crawler).role("arn:aws:iam::123456789012:role/tarn-crawler").databaseName(database));
        putManifest(staging, "etl-20240601T0200-7f3a");
        CrawlerRefreshConfig config = CrawlerRefreshConfig.fromEnv(Map.of(CrawlerRefreshConfig.AWS_REGION, REGION,
                CrawlerRefreshConfig.STAGING_BUCKET, staging, CrawlerRefreshConfig.STATE_TABLE, table,
                CrawlerRefreshConfig.CRAWLER_NAME, crawler, CrawlerRefreshConfig.CRAWLER_TABLES, "account_daily"));

        Set<String> actions = record(() -> {
            CrawlerRefreshHandler handler = new CrawlerRefreshHandler(CrawlerRefreshWiring.aws(config, recorded)::handle);
            for (String event : List.of("crawler-refresh-check.json", "crawler-refresh-start.json", "crawler-refresh-status.json")) {
                invoke(handler, Files.readAllBytes(Path.of("../events").resolve(event)));
            }
        });

        assertThat(actions).contains("s3:GetObject", "dynamodb:GetItem", "glue:StartCrawler", "glue:GetCrawler");
        assertThat(granted("CrawlerRefreshFunction")).containsAll(actions);
    }

    @Test
    void partitionRepairCallsOnlyWhatItsRoleAllowsInEveryMode() throws Exception {
        String staging = bucket("staging");
        String database = database();
        String tenantDatabase = database();
        putManifest(staging, "etl-20240602T0200-c41d");
        // account_daily as an earlier run registered it, before the manifest's orders column.
        new GlueCatalog(glue, database).ensureTable(new TableDefinition("account_daily",
                "s3://" + staging + "/account_daily/", List.of(), List.of(new CatalogColumn("account_id", "string"))));
        Set<String> actions = new TreeSet<>();
        for (String registration : List.of("glue", "athena")) {
            PartitionRepairConfig config = PartitionRepairConfig.fromEnv(Map.of(PartitionRepairConfig.AWS_REGION, REGION,
                    PartitionRepairConfig.STAGING_BUCKET, staging, PartitionRepairConfig.GLUE_DATABASE, database,
                    PartitionRepairConfig.ATHENA_WORKGROUP, "primary", PartitionRepairConfig.REGISTRATION, registration,
                    TenantTables.TENANT_GLUE_DATABASE, tenantDatabase));
            actions.addAll(record(() -> {
                PartitionRepairHandler handler = new PartitionRepairHandler(PartitionRepairWiring.aws(config, recorded)::repair);
                invoke(handler, Files.readAllBytes(Path.of("../events/partition-repair.json")));
                invoke(handler, Files.readAllBytes(Path.of("../events/partition-repair-no-manifest.json")));
            }));
        }

        // A statement still queued when its time is up is stopped: moto keeps it QUEUED, the bound is zero.
        MotoServer.shared().setTransition("athena::execution", "{\"progression\": \"manual\", \"times\": 1000}");
        try (AthenaClient athena = new AwsClients(recorded).build(AthenaClient.builder())) {
            actions.addAll(record(() -> assertThatThrownBy(() -> new AthenaQueries(athena, "primary", database,
                    delay -> { }, Clock.systemUTC(), Duration.ZERO).run("MSCK REPAIR TABLE `account_daily`"))
                    .isInstanceOf(QueryException.class)
                    .hasMessageContaining("still QUEUED after PT0S")));
        } finally {
            MotoServer.shared().unsetTransition("athena::execution");
        }

        assertThat(glue.getTable(r -> r.databaseName(tenantDatabase).name("account_daily")).table().parameters())
                .containsEntry("projection.account_id.type", "injected");
        assertThat(actions).contains("s3:GetObject", "glue:GetTable", "glue:CreateTable", "glue:UpdateTable",
                "glue:BatchCreatePartition",
                "athena:StartQueryExecution", "athena:GetQueryExecution", "athena:StopQueryExecution");
        assertThat(granted("PartitionRepairFunction")).containsAll(actions);
    }

    @Test
    void etlTriggerCallsOnlyWhatItsRoleAllows() throws Exception {
        String stateMachine;
        try (SfnClient sfn = clients.build(SfnClient.builder())) {
            stateMachine = sfn.createStateMachine(b -> b.name("iam-etl-" + UUID.randomUUID())
                    .definition("{\"StartAt\": \"Done\", \"States\": {\"Done\": {\"Type\": \"Succeed\"}}}")
                    .roleArn("arn:aws:iam::123456789012:role/tarn-etl")).stateMachineArn();
        }
        EtlTriggerConfig config = EtlTriggerConfig.fromEnv(Map.of(EtlTriggerConfig.AWS_REGION, REGION,
                EtlTriggerConfig.STATE_MACHINE_ARN, stateMachine));
        SQSEvent notices = EventLoader.loadSQSEvent("sqs-staging-changed.json");

        Set<String> actions = record(() -> {
            EtlTriggerHandler handler = new EtlTriggerHandler(EtlTriggerWiring.aws(config, recorded));
            assertThat(handler.handleRequest(notices, LambdaContext.withRemaining(() -> 60_000)).getBatchItemFailures())
                    .isEmpty();
        });

        assertThat(actions).containsExactly("states:StartExecution");
        assertThat(granted("EtlTriggerFunction")).containsAll(actions);
    }

    @Test
    void requestsAreNamedAsIamNamesThem() {
        assertThat(action(new FaultInjectingProxy.Request("GET", "/b/k/x.csv", "versionId=3", null))).isEqualTo("s3:GetObjectVersion");
        assertThat(action(new FaultInjectingProxy.Request("HEAD", "/b/k", null, null))).isEqualTo("s3:GetObject");
        assertThat(action(new FaultInjectingProxy.Request("GET", "/b", "list-type=2&prefix=a", null))).isEqualTo("s3:ListBucket");
        assertThat(action(new FaultInjectingProxy.Request("POST", "/b/k", "uploadId=1", null))).isEqualTo("s3:PutObject");
        assertThat(action(new FaultInjectingProxy.Request("POST", "/b", "delete", null))).isEqualTo("s3:DeleteObject");
        assertThat(action(new FaultInjectingProxy.Request("POST", "/", null, "DynamoDB_20120810.UpdateItem")))
                .isEqualTo("dynamodb:UpdateItem");
        assertThat(action(new FaultInjectingProxy.Request("POST", "/", null, "AWSGlue.GetTable"))).isEqualTo("glue:GetTable");
        assertThat(granted("RawObjectFunction")).contains("s3:GetObject").doesNotContain("s3:DeleteObjectVersion");
    }

    private interface Scenario {
        void run() throws Exception;
    }

    /** The IAM actions of the requests the proxy saw while the scenario ran. */
    private static Set<String> record(Scenario scenario) throws Exception {
        int before = proxy.requests().size();
        scenario.run();
        List<FaultInjectingProxy.Request> requests = proxy.requests();
        Set<String> actions = new TreeSet<>();
        requests.subList(before, requests.size()).forEach(request -> actions.add(action(request)));
        return actions;
    }

    /** The IAM action a request needs: its JSON protocol target, or for S3 what its REST form does. */
    static String action(FaultInjectingProxy.Request request) {
        if (request.target() != null) {
            String[] target = request.target().split("\\.", 2);
            String service = switch (target[0]) {
                case "DynamoDB_20120810" -> "dynamodb";
                case "AWSGlue" -> "glue";
                case "AmazonAthena" -> "athena";
                case "secretsmanager" -> "secretsmanager";
                case "AWSStepFunctions" -> "states";
                default -> throw new AssertionError("a call to an unexpected service: " + request.target());
            };
            return service + ":" + target[1];
        }
        String query = request.query() == null ? "" : request.query();
        boolean object = request.path().indexOf('/', 1) > 0 && request.path().indexOf('/', 1) < request.path().length() - 1;
        if (!object) {
            return switch (request.method()) {
                case "GET", "HEAD" -> "s3:ListBucket";
                // DeleteObjects: IAM checks s3:DeleteObject for each key it names.
                case "POST" -> {
                    if (!query.matches("(.*&)?delete(=[^&]*)?(&.*)?")) {
                        throw new AssertionError("a bucket-level S3 call by a function: " + request);
                    }
                    yield "s3:DeleteObject";
                }
                default -> throw new AssertionError("a bucket-level S3 call by a function: " + request);
            };
        }
        return switch (request.method()) {
            case "GET", "HEAD" -> query.contains("versionId=") ? "s3:GetObjectVersion" : "s3:GetObject";
            case "PUT", "POST" -> "s3:PutObject"; // single and multipart uploads
            case "DELETE" -> query.contains("uploadId=") ? "s3:AbortMultipartUpload" : "s3:DeleteObject";
            default -> throw new AssertionError("an unexpected S3 call: " + request);
        };
    }

    /** The actions the function's inline policy statements allow. */
    private static Set<String> granted(String function) {
        Set<String> actions = new TreeSet<>();
        Object policies = TEMPLATE.properties(function).orElseThrow().get("Policies");
        for (Object policy : (List<?>) policies) {
            Object statements = ((Map<?, ?>) policy).get("Statement");
            for (Object statement : statements instanceof List<?> list ? list : List.of()) {
                Map<?, ?> map = (Map<?, ?>) statement;
                if ("Allow".equals(map.get("Effect"))) {
                    Object action = map.get("Action");
                    (action instanceof List<?> list ? list : List.of(action)).forEach(a -> actions.add((String) a));
                }
            }
        }
        return actions;
    }

    private static void invoke(RequestStreamHandler handler, byte[] event) throws IOException {
        handler.handleRequest(new ByteArrayInputStream(event), new ByteArrayOutputStream(),
                LambdaContext.withRemaining(() -> 600_000));
    }

    private static String bucket(String role) {
        String name = "iam-" + role + "-" + UUID.randomUUID().toString().substring(0, 8);
        s3.createBucket(b -> b.bucket(name));
        return name;
    }

    private static String stateTable() {
        String name = "iam-state-" + UUID.randomUUID();
        try (DynamoDbClient dynamoDb = clients.build(DynamoDbClient.builder())) {
            StateTable.create(dynamoDb, name);
        }
        return name;
    }

    private static String database() {
        String name = "iam_" + UUID.randomUUID().toString().substring(0, 8);
        glue.createDatabase(r -> r.databaseInput(d -> d.name(name)));
        return name;
    }

    private static void putManifest(String bucket, String runId) throws IOException {
        RunManifest manifest = new RunManifest(runId, "join", "2024-06-01T02:00:00Z", "2024-06-01T02:09:00Z", List.of(
                new RunManifest.TableOutput("account_daily", "s3://" + bucket + "/account_daily/", "f1",
                        List.of(new CatalogColumn("orders", "bigint")), List.of(new CatalogColumn("account_id", "string")),
                        List.of(new RunManifest.PartitionOutput(List.of("acme"), "s3://" + bucket + "/account_daily/account_id=acme/", 3)))));
        s3.putObject(b -> b.bucket(bucket).key(RunManifest.key(runId)), RequestBody.fromBytes(manifest.toJson()));
    }
}
