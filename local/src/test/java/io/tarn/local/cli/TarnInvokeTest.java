package io.tarn.local.cli;

import static io.tarn.local.cli.TarnCommandTest.tarn;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tarn.catalog.CatalogColumn;
import io.tarn.catalog.Partition;
import io.tarn.etl.RunManifest;
import io.tarn.local.adapters.LocalCatalog;
import io.tarn.local.cli.TarnCommandTest.Run;
import io.tarn.local.lake.LocalLake;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;

/**
 * {@code tarn invoke}: each function of template.yaml with the files of {@code events/}, on a lake
 * holding the raw objects those events name (the files of {@code samples/}, at the same keys).
 */
class TarnInvokeTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PIPELINE = "../pipeline.yaml";
    private static final String TEMPLATE = "../template.yaml";
    private static final Path EVENTS = Path.of("../events");
    private static final Path SAMPLES = Path.of("../samples");
    /** The run the crawler-refresh and partition-repair events name. */
    private static final String RUN_ID = "etl-20240601T0200-7f3a";

    /** Each function event of events/ and the function it is for. */
    private static final Map<String, String> FUNCTION_OF_EVENT = Map.ofEntries(
            Map.entry("s3-put.json", "RawObjectFunction"),
            Map.entry("eventbridge-object-created.json", "RawObjectFunction"),
            Map.entry("sqs-eventbridge-batch.json", "RawObjectFunction"),
            Map.entry("schedule.json", "SqlPollerFunction"),
            Map.entry("poll-manual.json", "SqlPollerFunction"),
            Map.entry("crawler-refresh-check.json", "CrawlerRefreshFunction"),
            Map.entry("crawler-refresh-start.json", "CrawlerRefreshFunction"),
            Map.entry("crawler-refresh-status.json", "CrawlerRefreshFunction"),
            Map.entry("partition-repair.json", "PartitionRepairFunction"),
            Map.entry("partition-repair-no-manifest.json", "PartitionRepairFunction"),
            Map.entry("sqs-staging-changed.json", "EtlTriggerFunction"));
    /** Inputs of the ETL state machine, not of a function. */
    private static final List<String> STATE_MACHINE_INPUTS = List.of("etl-schedule.json", "etl-backfill.json");

    @TempDir
    Path temp;
    private Path dir;

    @BeforeEach
    void putTheSamplesInTheRawBucket() throws IOException {
        dir = temp.resolve("lake");
        try (LocalLake lake = LocalLake.open(dir); Stream<Path> files = Files.walk(SAMPLES)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                String key = SAMPLES.relativize(file).toString().replace('\\', '/');
                lake.s3().putObject(b -> b.bucket(LocalLake.RAW_BUCKET).key(key), RequestBody.fromFile(file));
            }
        }
    }

    @Test
    void everyFileInEventsIsAFunctionEventHereOrAStateMachineInput() throws IOException {
        List<String> files;
        try (Stream<Path> list = Files.list(EVENTS)) {
            files = list.map(p -> p.getFileName().toString()).toList();
        }
        List<String> covered = new ArrayList<>(FUNCTION_OF_EVENT.keySet());
        covered.addAll(STATE_MACHINE_INPUTS);

        assertThat(files).containsExactlyInAnyOrderElementsOf(covered);
    }

    @Test
    void anS3PutOfTheOrdersFullLoadWritesSevenRowsAndQuarantinesTwo() throws IOException {
        Run run = invoke("s3-put.json");

        assertThat(run.exitCode()).as(run.err()).isZero();
        JsonNode result = single(run.json().get("results"));
        assertThat(result.get("status").asText()).isEqualTo("processed");
        assertThat(result.get("source").asText()).isEqualTo("s3://tarn-raw/dms/shop/orders/LOAD00000001.csv");
        assertThat(result.get("rowsRead").asLong()).isEqualTo(9);
        assertThat(result.get("rowsWritten").asLong()).isEqualTo(7);
        assertThat(result.get("rowsQuarantined").asLong()).isEqualTo(2);
        assertThat(run.json().get("batchItemFailures")).isEmpty();
        assertThat(query("SELECT count(*) AS n FROM orders_changes")).containsExactly("n", "7");
    }

    @Test
    void anEventBridgeObjectCreatedEventConvertsTheOrdersCdcFile() throws IOException {
        Run run = invoke("eventbridge-object-created.json");

        assertThat(run.exitCode()).as(run.err()).isZero();
        JsonNode result = single(run.json().get("results"));
        assertThat(result.get("status").asText()).isEqualTo("processed");
        assertThat(result.get("dataset").asText()).isEqualTo("orders");
        assertThat(result.get("source").asText()).isEqualTo("s3://tarn-raw/dms/shop/orders/20240601-1200000000.csv");
        // An update, a delete and an insert: CDC rows are kept as they came, with their operation.
        assertThat(result.get("rowsRead").asLong()).isEqualTo(3);
        assertThat(result.get("rowsWritten").asLong()).isEqualTo(3);
        // The change log: one partition per account, in the day the object landed.
        assertThat(texts(result.get("partitions"))).hasSize(3)
                .allMatch(p -> p.matches("(acme|globex|initech)/\\d{4}-\\d{2}-\\d{2}"));
        assertThat(query("SELECT order_id, _op FROM orders_changes ORDER BY order_id"))
                .containsExactly("order_id,_op", "1002,U", "1004,D", "1010,I");
    }

    @Test
    void anSqsBatchConvertsEachObjectAndReportsNoFailedMessage() throws IOException {
        Run run = invoke("sqs-eventbridge-batch.json");

        assertThat(run.exitCode()).as(run.err()).isZero();
        // An SQS batch answers with its failed messages only.
        assertThat(run.json().get("batchItemFailures")).isEmpty();
        assertThat(query("SELECT count(*) AS n FROM accounts_changes")).containsExactly("n", "3");
        assertThat(query("SELECT count(*) AS n FROM invoices_changes")).containsExactly("n", "3");
        // The fourth event has no account: quarantined, never in a tenant partition.
        assertThat(query("SELECT count(*) AS n FROM events_changes")).containsExactly("n", "3");
    }

    @Test
    void stagingNoticesStartOneEtlExecutionPerWindowWhichRunsOnTheLakeAndADuplicateBatchStartsNone() throws IOException {
        assertThat(invoke("sqs-eventbridge-batch.json").exitCode()).isZero();

        Run run = invoke("sqs-staging-changed.json");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.json()).isEqualTo(JSON.readTree("{\"batchItemFailures\": []}"));
        // The sample's notices of 12:00:05 and 12:00:40 share a window, 12:01:02 has its own.
        List<JsonNode> executions = executions();
        assertThat(executions).extracting(e -> e.path("name").asText() + " " + e.path("status").asText()
                + " " + e.at("/input/startAfter").asText()).containsExactly(
                "auto-20240601T120000Z-60s SUCCEEDED 2024-06-01T12:01:10Z",
                "auto-20240601T120100Z-60s SUCCEEDED 2024-06-01T12:02:10Z");
        assertThat(run.err()).contains("tarn invoke: execution auto-20240601T120000Z-60s of the ETL state machine:",
                "  RunGlueJob", "  RepairPartitions");
        assertThat(query("SELECT DISTINCT account_id FROM account_daily ORDER BY account_id"))
                .contains("account_id", "acme");

        Run again = invoke("sqs-staging-changed.json");

        assertThat(again.exitCode()).as(again.err()).isZero();
        assertThat(again.json()).isEqualTo(JSON.readTree("{\"batchItemFailures\": []}"));
        assertThat(again.err()).doesNotContain("of the ETL state machine");
        assertThat(executions()).hasSize(2);
    }

    private List<JsonNode> executions() throws IOException {
        List<JsonNode> executions = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir.resolve("executions"))) {
            for (Path file : files.sorted().toList()) {
                executions.add(JSON.readTree(file.toFile()));
            }
        }
        return executions;
    }

    @Test
    void theScheduledEventPollsEveryAzureSqlDatasetIntoTheRawBucket() throws IOException {
        Run run = invoke("schedule.json");

        assertThat(run.exitCode()).as(run.err()).isZero();
        JsonNode tables = run.json().get("tables");
        assertThat(tables).extracting(t -> t.get("dataset").asText()).containsExactlyInAnyOrder("accounts", "invoices");
        for (JsonNode table : tables) {
            assertThat(table.get("rows").asLong()).as(table.toString()).isEqualTo(3);
            assertThat(table.get("pages").asLong()).as(table.toString()).isEqualTo(1);
            assertThat(table.get("objectKeys")).singleElement()
                    .satisfies(key -> assertThat(dir.resolve("s3/tarn-raw").resolve(key.asText())).isRegularFile());
        }
    }

    @Test
    void theManualPollEventPollsOnlyInvoices() throws IOException {
        Run run = invoke("poll-manual.json");

        assertThat(run.exitCode()).as(run.err()).isZero();
        JsonNode table = single(run.json().get("tables"));
        assertThat(table.get("dataset").asText()).isEqualTo("invoices");
        assertThat(table.get("rows").asLong()).isEqualTo(3);
    }

    @Test
    void crawlerRefreshChecksStartsAndReportsTheCrawlThenTheRunsSchemaIsNoLongerNew() throws IOException {
        writeManifest();

        Run check = invoke("crawler-refresh-check.json");
        assertThat(check.exitCode()).as(check.err()).isZero();
        assertThat(check.json().get("changed").asBoolean()).isTrue();
        assertThat(texts(check.json().get("tables"))).containsExactly("account_daily");

        Run start = invoke("crawler-refresh-start.json");
        assertThat(start.exitCode()).as(start.err()).isZero();
        assertThat(start.json().get("started").asBoolean()).isTrue();
        assertThat(start.json().get("alreadyRunning").asBoolean()).isFalse();
        assertThat(new LocalCatalog(dir.resolve("catalog")).table("account_daily")).isPresent();

        Run status = invoke("crawler-refresh-status.json");
        assertThat(status.exitCode()).as(status.err()).isZero();
        assertThat(status.json().get("state").asText()).isEqualTo("READY");
        assertThat(status.json().get("lastCrawl").asText()).isEqualTo("SUCCEEDED");
        assertThat(status.json().get("finished").asBoolean()).isTrue();
        assertThat(status.json().get("succeeded").asBoolean()).isTrue();
        assertThat(status.json().get("attempt").asInt()).isEqualTo(3);

        Run again = invoke("crawler-refresh-check.json");
        assertThat(again.json().get("changed").asBoolean()).isFalse();
        assertThat(again.json().get("tables")).isEmpty();
    }

    @Test
    void partitionRepairRegistersExactlyTheRunsPartitionsAndAReplayNone() throws IOException {
        writeManifest();

        Run run = invoke("partition-repair.json");
        Run replay = invoke("partition-repair.json");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.json().get("manifestFound").asBoolean()).isTrue();
        assertThat(run.json().get("mode").asText()).isEqualTo("glue");
        JsonNode table = single(run.json().get("tables"));
        assertThat(table.get("table").asText()).isEqualTo("account_daily");
        assertThat(table.get("partitions").asInt()).isEqualTo(2);
        assertThat(table.get("registered").asInt()).isEqualTo(2);
        assertThat(new LocalCatalog(dir.resolve("catalog")).partitions("account_daily"))
                .extracting(Partition::values)
                .containsExactlyInAnyOrder(List.of("acme", "2024-05-31"), List.of("globex", "2024-05-31"));
        JsonNode replayed = single(replay.json().get("tables"));
        assertThat(replayed.get("registered").asInt()).isZero();
        assertThat(replayed.get("alreadyRegistered").asInt()).isEqualTo(2);
    }

    @Test
    void partitionRepairOfARunWithoutManifestNeedsMsckWhichTheLocalLakeCannotRun() throws IOException {
        Run run = invoke("partition-repair-no-manifest.json");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.json().get("errorType").asText()).isEqualTo("io.tarn.etl.QueryException");
        assertThat(run.json().get("errorMessage").asText()).isEqualTo("Athena is not part of the local lake:"
                + " 'MSCK REPAIR TABLE `orders`' cannot run; register partitions from a run manifest instead");
    }

    @Test
    void aCheckOfARunWithoutManifestIsNoChangeSoTheStateMachineGoesOnToPartitionRepair() throws IOException {
        Run run = invoke("crawler-refresh-check.json");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.json().toString())
                .isEqualTo("{\"changed\":false,\"tables\":[],\"manifestFound\":false,\"registeredBySchema\":[]}");
    }

    @Test
    void aHandlerErrorIsPrintedAsLambdaReportsItWithoutStackTrace() throws IOException {
        // A crawl finished, but the run it is asked about left no manifest to record fingerprints from.
        assertThat(invoke("crawler-refresh-start.json").exitCode()).isZero();

        Run run = invoke("crawler-refresh-status.json");

        assertThat(run.exitCode()).isEqualTo(1);
        JsonNode error = run.json();
        assertThat(error.get("errorType").asText()).isEqualTo("java.lang.IllegalStateException");
        assertThat(error.get("errorMessage").asText()).isEqualTo("No run manifest s3://tarn-staging/etl-runs/"
                + RUN_ID + ".json: the ETL run " + RUN_ID + " wrote none");
        assertThat(error.size()).isEqualTo(2);
        assertThat(run.err()).doesNotContain("\tat ");
    }

    @Test
    void aVariableTheTemplateLacksFailsTheFunctionNamingIt() throws IOException {
        Path template = temp.resolve("template.yaml");
        String text = Files.readString(Path.of(TEMPLATE));
        String crawlerName = "          CRAWLER_NAME: !Ref StagingCrawler\n";
        assertThat(text).contains(crawlerName);
        Files.writeString(template, text.replace(crawlerName, ""));

        Run run = tarn("invoke", "CrawlerRefreshFunction", "--event", EVENTS.resolve("crawler-refresh-start.json").toString(),
                "--dir", dir.toString(), "--template", template.toString());

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.json().get("errorType").asText()).isEqualTo("java.lang.IllegalArgumentException");
        assertThat(run.json().get("errorMessage").asText()).isEqualTo("Environment variable CRAWLER_NAME is not set");
    }

    @Test
    void aHandlerOrValueTheLocalLakeCannotRunIsOneLine() throws IOException {
        String text = Files.readString(Path.of(TEMPLATE));
        String handler = "Handler: io.tarn.functions.partitionrepair.PartitionRepairHandler::handleRequest";
        String athena = "ATHENA_WORKGROUP: !Ref AthenaWorkGroup";
        assertThat(text).contains(handler, athena);
        Path otherHandler = Files.writeString(temp.resolve("handler.yaml"),
                text.replace(handler, "Handler: com.example.Repair::handleRequest"));
        Path getAtt = Files.writeString(temp.resolve("getatt.yaml"),
                text.replace(athena, "ATHENA_WORKGROUP: !GetAtt AthenaWorkGroup.Name"));

        Run unknown = tarn("invoke", "PartitionRepairFunction", "--event", EVENTS.resolve("partition-repair.json").toString(),
                "--dir", dir.toString(), "--template", otherHandler.toString());
        Run unresolved = tarn("invoke", "PartitionRepairFunction", "--event", EVENTS.resolve("partition-repair.json").toString(),
                "--dir", dir.toString(), "--template", getAtt.toString());

        assertThat(unknown.exitCode()).isEqualTo(1);
        assertThat(unknown.err()).isEqualTo("tarn: PartitionRepairFunction's handler com.example.Repair has no local wiring"
                + " (tarn invoke runs io.tarn.functions.crawlerrefresh.CrawlerRefreshHandler,"
                + " io.tarn.functions.etltrigger.EtlTriggerHandler, io.tarn.functions.partitionrepair.PartitionRepairHandler, io.tarn.functions.rawobject.RawObjectHandler,"
                + " io.tarn.functions.sqlpoller.SqlPollerHandler)\n");
        assertThat(unresolved.exitCode()).isEqualTo(1);
        assertThat(unresolved.err()).isEqualTo("tarn: PartitionRepairFunction's environment variable ATHENA_WORKGROUP is"
                + " {Fn::GetAtt=[AthenaWorkGroup, Name]}: tarn invoke resolves only plain values, !Ref and !Sub\n");
    }

    @Test
    void withoutTemplateOptionTheTemplateInTheTarnJarIsRead() throws IOException {
        // Tests run in local/, which has no template.yaml of its own.
        assertThat(Path.of("template.yaml")).doesNotExist();

        Run run = tarn("invoke", "RawObjectFunction", "--event", EVENTS.resolve("s3-put.json").toString(),
                "--dir", dir.toString(), "--pipeline", PIPELINE);

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(single(run.json().get("results")).get("rowsWritten").asLong()).isEqualTo(7);
    }

    @Test
    void anUnknownFunctionFailsListingTheTemplatesFunctions() {
        Run run = tarn("invoke", "RawObject", "--event", EVENTS.resolve("s3-put.json").toString(),
                "--dir", dir.toString(), "--template", TEMPLATE);

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).isEqualTo("tarn: unknown function 'RawObject' (template.yaml has: RawObjectFunction,"
                + " SqlPollerFunction, CrawlerRefreshFunction, PartitionRepairFunction, EtlTriggerFunction)\n");
    }

    @Test
    void invokeWithoutEventOrFunctionIsAUsageError() {
        Run noEvent = tarn("invoke", "RawObjectFunction", "--dir", dir.toString(), "--template", TEMPLATE);
        Run noFunction = tarn("invoke", "--event", EVENTS.resolve("s3-put.json").toString(), "--dir", dir.toString());

        assertThat(noEvent.exitCode()).isEqualTo(2);
        assertThat(noEvent.err()).isEqualTo("tarn: missing --event\n" + tarn("invoke", "--help").out());
        assertThat(noFunction.exitCode()).isEqualTo(2);
        assertThat(noFunction.err()).startsWith("tarn: invoke takes one FUNCTION (a logical id of template.yaml), got 0 arguments\n");
    }

    @Test
    void aMissingEventFileIsOneLine() {
        Path missing = temp.resolve("nope.json");

        Run run = tarn("invoke", "RawObjectFunction", "--event", missing.toString(), "--dir", dir.toString(),
                "--template", TEMPLATE);

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).isEqualTo("tarn: event file " + missing + " does not exist\n");
    }

    @Test
    void aMalformedEventIsOneLineNamingTheFileAndWhere() throws IOException {
        Path event = temp.resolve("broken.json");
        Files.writeString(event, "{\"action\": \"check\",\n \"runId\": }\n", StandardCharsets.UTF_8);
        Path empty = Files.writeString(temp.resolve("empty.json"), "");

        Run run = tarn("invoke", "CrawlerRefreshFunction", "--event", event.toString(), "--dir", dir.toString(),
                "--template", TEMPLATE);
        Run none = tarn("invoke", "CrawlerRefreshFunction", "--event", empty.toString(), "--dir", dir.toString(),
                "--template", TEMPLATE);

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).isEqualTo("tarn: " + event + " is not JSON: Unexpected character ('}' (code 125)):"
                + " expected a value (line 2, column 11)\n");
        assertThat(none.exitCode()).isEqualTo(1);
        assertThat(none.err()).isEqualTo("tarn: " + empty + " is not JSON: it is empty\n");
    }

    private Run invoke(String eventFile) {
        return tarn("invoke", FUNCTION_OF_EVENT.get(eventFile), "--event", EVENTS.resolve(eventFile).toString(),
                "--dir", dir.toString(), "--template", TEMPLATE, "--pipeline", PIPELINE);
    }

    /** The run manifest of {@link #RUN_ID}: two partitions of account_daily, written before now. */
    private void writeManifest() throws IOException {
        String location = "s3://tarn-staging/account_daily/";
        RunManifest manifest = new RunManifest(RUN_ID, "join", "2024-06-01T02:00:00Z", "2024-06-01T02:09:30Z", List.of(
                new RunManifest.TableOutput("account_daily", location, "fingerprint-1",
                        List.of(new CatalogColumn("orders", "bigint"), new CatalogColumn("revenue", "decimal(14,2)")),
                        List.of(new CatalogColumn("account_id", "string"), new CatalogColumn("day", "string")),
                        List.of(new RunManifest.PartitionOutput(List.of("acme", "2024-05-31"),
                                        location + "account_id=acme/day=2024-05-31/", 1),
                                new RunManifest.PartitionOutput(List.of("globex", "2024-05-31"),
                                        location + "account_id=globex/day=2024-05-31/", 1)))));
        try (LocalLake lake = LocalLake.open(dir)) {
            lake.s3().putObject(b -> b.bucket(LocalLake.STAGING_BUCKET).key(RunManifest.key(RUN_ID)),
                    RequestBody.fromBytes(manifest.toJson()));
        }
    }

    private List<String> query(String sql) {
        Run run = tarn("query", "--dir", dir.toString(), sql);
        assertThat(run.exitCode()).as(run.err()).isZero();
        return run.outLines();
    }

    private static JsonNode single(JsonNode array) {
        assertThat(array).as(String.valueOf(array)).hasSize(1);
        return array.get(0);
    }

    private static List<String> texts(JsonNode array) {
        List<String> texts = new ArrayList<>();
        array.forEach(node -> texts.add(node.asText()));
        return texts;
    }
}
