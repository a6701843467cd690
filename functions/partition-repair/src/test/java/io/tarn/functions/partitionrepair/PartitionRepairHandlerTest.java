package io.tarn.functions.partitionrepair;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tarn.aws.AwsClients;
import io.tarn.aws.AwsSettings;
import io.tarn.aws.glue.GlueCatalog;
import io.tarn.aws.s3.S3Clients;
import io.tarn.catalog.CatalogColumn;
import io.tarn.catalog.Partition;
import io.tarn.embedded.LambdaContext;
import io.tarn.embedded.MotoServer;
import io.tarn.etl.PartitionRepairConfig;
import io.tarn.etl.RunManifest;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.athena.AthenaClient;
import software.amazon.awssdk.services.athena.model.InvalidRequestException;
import software.amazon.awssdk.services.glue.GlueClient;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The handler wired as in Lambda (its wiring's {@code aws}) against moto over HTTP: run manifests in moto's S3,
 * tables and partitions in moto's Glue, statements recorded by moto's Athena (which runs none:
 * moto's ALTER TABLE registers nothing, so Athena-mode registration is checked by the SQL sent).
 * Events are the files in {@code events/}.
 */
class PartitionRepairHandlerTest {

    private static final Path EVENTS = Path.of("../../events");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String RUN_ID = "etl-20240601T0200-7f3a";
    private static final String WORKGROUP = "tarn";

    private static AwsSettings moto;
    private static S3Client s3;
    private static GlueClient glue;
    private static AthenaClient athena;

    private String bucket;
    private String database;

    @BeforeAll
    static void startMoto() {
        moto = AwsSettings.local(MotoServer.shared().endpoint(), "us-east-1", "test", "test");
        AwsClients clients = new AwsClients(moto);
        s3 = S3Clients.create(clients.settings());
        glue = clients.build(GlueClient.builder());
        athena = clients.build(AthenaClient.builder());
        // Athena refuses a query in a workgroup that does not exist; the shared server may have it already.
        try {
            athena.createWorkGroup(r -> r.name(WORKGROUP));
        } catch (InvalidRequestException e) {
            assertThat(e.awsErrorDetails().errorMessage()).isEqualTo("WorkGroup already exists");
        }
    }

    @AfterAll
    static void closeClients() {
        s3.close();
        glue.close();
        athena.close();
    }

    @BeforeEach
    void freshResources() {
        String suffix = UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        bucket = "tarn-staging-" + suffix;
        database = "tarn_" + suffix;
        s3.createBucket(b -> b.bucket(bucket));
    }

    @Test
    void glueModeCreatesTheTableRegistersExactlyTheRunsPartitionsAndAReplayRegistersNothingNew() throws IOException {
        putManifest(accounts(0, 150));
        PartitionRepairHandler handler = handler("glue");

        JsonNode first = invoke(handler, "partition-repair.json");
        JsonNode replay = invoke(handler, "partition-repair.json");

        assertThat(first.toString()).isEqualTo("{\"runId\":\"" + RUN_ID + "\",\"manifestFound\":true,\"mode\":\"glue\","
                + "\"tables\":[{\"table\":\"orders\",\"partitions\":150,\"registered\":150,\"alreadyRegistered\":0,"
                + "\"queries\":0}]}");
        assertThat(replay.toString()).isEqualTo("{\"runId\":\"" + RUN_ID + "\",\"manifestFound\":true,\"mode\":\"glue\","
                + "\"tables\":[{\"table\":\"orders\",\"partitions\":150,\"registered\":0,\"alreadyRegistered\":150,"
                + "\"queries\":0}]}");
        GlueCatalog catalog = new GlueCatalog(glue, database);
        assertThat(catalog.partitions("orders")).containsExactlyInAnyOrderElementsOf(accounts(0, 150));
        assertThat(catalog.table("orders")).contains(manifestTable(List.of()).definition());
    }

    @Test
    void aColumnTheRunsManifestCarriesReachesTheExistingTableBeforeItsPartitions() throws IOException {
        // The table as an earlier run registered it, before the dataset gained amount.
        GlueCatalog catalog = new GlueCatalog(glue, database);
        catalog.ensureTable(new RunManifest.TableOutput("orders", "s3://" + bucket + "/orders/", "fp-0",
                List.of(new CatalogColumn("order_id", "bigint")), List.of(new CatalogColumn("account_id", "string")),
                List.of()).definition());
        putManifest(accounts(0, 2));

        invoke(handler("glue"), "partition-repair.json");

        assertThat(catalog.table("orders")).contains(manifestTable(List.of()).definition());
        assertThat(glue.getPartition(r -> r.databaseName(database).tableName("orders").partitionValues("acct-1"))
                .partition().storageDescriptor().columns()).extracting(c -> c.name() + " " + c.type())
                .containsExactly("order_id bigint", "amount decimal(12,2)");
    }

    @Test
    void athenaModeSendsEscapedAlterTableStatementsOnlyForPartitionsTheCatalogLacks() throws IOException {
        List<Partition> partitions = new ArrayList<>(accounts(0, 2));
        partitions.add(new Partition(List.of("o'brien\\"), "s3://" + bucket + "/orders/account_id=o%27brien%5C/"));
        putManifest(partitions);
        // acct-0 is already registered (by RawObject, say): only the other two are sent.
        GlueCatalog catalog = new GlueCatalog(glue, database);
        catalog.ensureTable(manifestTable(List.of()).definition());
        catalog.registerPartitions("orders", accounts(0, 1));
        List<String> before = queries();

        JsonNode report = invoke(handler("athena"), "partition-repair.json");

        assertThat(report.toString()).isEqualTo("{\"runId\":\"" + RUN_ID + "\",\"manifestFound\":true,\"mode\":\"athena\","
                + "\"tables\":[{\"table\":\"orders\",\"partitions\":3,\"registered\":2,\"alreadyRegistered\":1,"
                + "\"queries\":1}]}");
        List<String> sent = new ArrayList<>(queries());
        sent.removeAll(before);
        assertThat(sent).containsExactly("ALTER TABLE `" + database + "`.`orders` ADD IF NOT EXISTS"
                + " PARTITION (`account_id` = 'acct-1') LOCATION 's3://" + bucket + "/orders/account_id=acct-1/'"
                + " PARTITION (`account_id` = 'o\\'brien\\\\') LOCATION 's3://" + bucket
                + "/orders/account_id=o%27brien%5C/'");
    }

    @Test
    void withoutManifestRunsMsckRepairForTheNamedTablesThroughAthena() throws IOException {
        GlueCatalog catalog = new GlueCatalog(glue, database);
        catalog.ensureTable(manifestTable(List.of()).definition());
        catalog.ensureTable(new RunManifest.TableOutput("customers", "s3://" + bucket + "/customers/", "fp",
                List.of(new CatalogColumn("name", "string")), List.of(new CatalogColumn("account_id", "string")),
                List.of()).definition());
        catalog.registerPartitions("orders", accounts(0, 3));
        List<String> before = queries();

        JsonNode report = invoke(handler("glue"), "partition-repair-no-manifest.json");

        assertThat(report.toString()).isEqualTo("{\"runId\":\"etl-20240602T0200-c41d\",\"manifestFound\":false,"
                + "\"mode\":\"msck\",\"tables\":["
                + "{\"table\":\"orders\",\"partitions\":3,\"registered\":0,\"alreadyRegistered\":3,\"queries\":1},"
                + "{\"table\":\"customers\",\"partitions\":0,\"registered\":0,\"alreadyRegistered\":0,\"queries\":1}]}");
        List<String> sent = new ArrayList<>(queries());
        sent.removeAll(before);
        assertThat(sent).containsExactlyInAnyOrder("MSCK REPAIR TABLE `orders`", "MSCK REPAIR TABLE `customers`");
    }

    @Test
    void withoutManifestOrTablesRepairsEveryTableOfTheDatabase() throws IOException {
        new GlueCatalog(glue, database).ensureTable(manifestTable(List.of()).definition());

        JsonNode report = invoke(handler("athena"), "{\"runId\": \"etl-none\"}".getBytes(StandardCharsets.UTF_8));

        assertThat(report.toString()).isEqualTo("{\"runId\":\"etl-none\",\"manifestFound\":false,\"mode\":\"msck\","
                + "\"tables\":[{\"table\":\"orders\",\"partitions\":0,\"registered\":0,\"alreadyRegistered\":0,"
                + "\"queries\":1}]}");
    }

    @Test
    void withoutManifestOrTablesLeavesTheChangeLogsAndTheCurrentTablesAlone() throws IOException {
        GlueCatalog catalog = new GlueCatalog(glue, database);
        catalog.ensureTable(manifestTable(List.of()).definition());
        for (String table : List.of("invoices", "invoices_changes")) {
            catalog.ensureTable(new RunManifest.TableOutput(table, "s3://" + bucket + "/" + table + "/", "fp",
                    List.of(new CatalogColumn("amount", "string")), List.of(new CatalogColumn("account_id", "string")),
                    List.of()).definition());
        }
        catalog.movePartitions("invoices", List.of(new Partition(List.of("acme"),
                "s3://" + bucket + "/invoices/account_id=acme/v=etl-1/")), List.of());
        List<String> before = queries();

        JsonNode report = invoke(handler("glue"), "{\"runId\": \"etl-none\"}".getBytes(StandardCharsets.UTF_8));

        assertThat(report.path("tables")).extracting(t -> t.path("table").asText() + " " + t.path("queries").asInt())
                .containsExactly("orders 1");
        assertThat(queries()).hasSize(before.size() + 1)
                .doesNotContain("MSCK REPAIR TABLE `invoices`", "MSCK REPAIR TABLE `invoices_changes`");
    }

    @Test
    void badEventsAndConfigurationFailNamingTheFieldOrVariable() {
        PartitionRepairHandler handler = handler("glue");
        assertThatThrownBy(() -> invoke(handler, "{\"tables\": [\"orders\"]}".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("PartitionRepair cannot handle this event: \"runId\" is missing: the ETL run's id"
                        + " (the execution name)");
        assertThatThrownBy(() -> invoke(handler, "{\"runId\": \"r1\", \"tables\": \"orders\"}"
                .getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("PartitionRepair cannot handle this event: \"tables\" must be an array of table names,"
                        + " got \"orders\"");
        assertThatThrownBy(() -> PartitionRepairConfig.fromEnv(env("msck")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Environment variable REGISTRATION must be glue or athena, got 'msck'");
        Map<String, String> noWorkgroup = new HashMap<>(env("glue"));
        noWorkgroup.remove(PartitionRepairConfig.ATHENA_WORKGROUP);
        assertThatThrownBy(() -> PartitionRepairConfig.fromEnv(noWorkgroup))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Environment variable ATHENA_WORKGROUP is not set");
    }

    private PartitionRepairHandler handler(String registration) {
        return new PartitionRepairHandler(
                PartitionRepairWiring.aws(PartitionRepairConfig.fromEnv(env(registration)), moto)::repair);
    }

    private Map<String, String> env(String registration) {
        return Map.of(
                PartitionRepairConfig.AWS_REGION, "us-east-1",
                PartitionRepairConfig.STAGING_BUCKET, bucket,
                PartitionRepairConfig.GLUE_DATABASE, database,
                PartitionRepairConfig.ATHENA_WORKGROUP, WORKGROUP,
                PartitionRepairConfig.REGISTRATION, registration);
    }

    private List<Partition> accounts(int from, int to) {
        return IntStream.range(from, to)
                .mapToObj(i -> new Partition(List.of("acct-" + i), "s3://" + bucket + "/orders/account_id=acct-" + i + "/"))
                .toList();
    }

    private RunManifest.TableOutput manifestTable(List<Partition> partitions) {
        return new RunManifest.TableOutput("orders", "s3://" + bucket + "/orders/", "fp-orders",
                List.of(new CatalogColumn("order_id", "bigint"), new CatalogColumn("amount", "decimal(12,2)")),
                List.of(new CatalogColumn("account_id", "string")),
                partitions.stream().map(p -> new RunManifest.PartitionOutput(p.values(), p.location(), 1)).toList());
    }

    private void putManifest(List<Partition> partitions) {
        RunManifest manifest = new RunManifest(RUN_ID, "join", "2024-06-01T02:00:00Z", "2024-06-01T02:09:00Z",
                List.of(manifestTable(partitions)));
        s3.putObject(b -> b.bucket(bucket).key(RunManifest.key(RUN_ID)), RequestBody.fromBytes(manifest.toJson()));
    }

    /** Every statement moto's Athena received in the workgroup. */
    private static List<String> queries() {
        List<String> statements = new ArrayList<>();
        for (String id : athena.listQueryExecutionsPaginator(r -> r.workGroup(WORKGROUP)).stream()
                .flatMap(page -> page.queryExecutionIds().stream()).toList()) {
            statements.add(athena.getQueryExecution(r -> r.queryExecutionId(id)).queryExecution().query());
        }
        return statements;
    }

    private static JsonNode invoke(PartitionRepairHandler handler, String eventFile) throws IOException {
        return invoke(handler, Files.readAllBytes(EVENTS.resolve(eventFile)));
    }

    private static JsonNode invoke(PartitionRepairHandler handler, byte[] event) throws IOException {
        ByteArrayOutputStream response = new ByteArrayOutputStream();
        handler.handleRequest(new ByteArrayInputStream(event), response, LambdaContext.withRemaining(() -> 60_000));
        return JSON.readTree(response.toByteArray());
    }
}
