package io.tarn.stack.statemachine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tarn.embedded.NodePackage;
import io.tarn.local.sfn.LocalStateMachine.Execution;
import io.tarn.local.sfn.LocalStateMachine.TaskFailedException;
import io.tarn.local.sfn.LocalStateMachine;
import io.tarn.local.sfn.StateMachineDefinition;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * statemachine/etl.asl.json run by two interpreters over the same scripted scenarios: Tarn's own
 * ({@link LocalStateMachine}, what {@code tarn etl} runs) and {@code aws-local-stepfunctions} from
 * npm, written by others. Every Task is overridden; each scenario answers the calls of each Task
 * in order. The success path, the schema-change branch and every Retry and Catch path are
 * covered, and for each the two interpreters must agree with the expected outcome and with each
 * other: the states entered, the calls made with their inputs, how the execution ended.
 */
class EtlStateMachineScenariosTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ALSF_VERSION = "3.0.0";
    private static final Path SCRIPT = Path.of("src/test/node/alsf-scenarios.mjs");
    private static final Path INSTALL = Path.of("target/node/aws-local-stepfunctions");

    private static final String CRAWLER_FN = "arn:aws:lambda:us-east-1:111122223333:function:tarn-CrawlerRefresh:live";
    private static final String REPAIR_FN = "arn:aws:lambda:us-east-1:111122223333:function:tarn-PartitionRepair:live";
    private static final String TOPIC = "arn:aws:sns:us-east-1:111122223333:tarn-alerts";
    /** What the Node script gives aws-local-stepfunctions as {@code $$.Execution.Id}, before the name. */
    private static final String EXECUTION_ARN = "arn:aws:states:us-east-1:111122223333:execution:tarn-etl:";
    private static final StateMachineDefinition ETL = StateMachineDefinition.load(Path.of("../statemachine/etl.asl.json"))
            .substitute(Map.of("EtlJobName", "tarn-etl", "CrawlerRefreshFunctionArn", CRAWLER_FN,
                    "PartitionRepairFunctionArn", REPAIR_FN, "AlertTopicArn", TOPIC));

    /** The time Tarn's interpreter sees: 30 s before the end of a trigger window's wait. */
    private static final Instant NOW = Instant.parse("2024-06-01T12:00:40Z");

    /** One Task call's answer: a result, or an error by name. */
    record Answer(JsonNode result, String error, String cause) {
        static Answer result(String json) {
            return new Answer(json(json), null, null);
        }

        static Answer lambda(String payload) {
            return result("{\"StatusCode\": 200, \"ExecutedVersion\": \"1\", \"Payload\": " + payload + "}");
        }

        static Answer error(String name, String cause) {
            return new Answer(null, name, cause);
        }

        JsonNode toJson() {
            ObjectNode node = JSON.createObjectNode();
            if (error != null) {
                node.put("error", error).put("cause", cause);
            } else {
                node.set("result", result);
            }
            return node;
        }
    }

    record Scenario(String name, String executionName, String input, Map<String, List<Answer>> tasks) {}

    /** How an execution ended, as both interpreters report it. */
    record Outcome(String status, String error, String cause, JsonNode output, List<String> entered,
            Map<String, List<JsonNode>> calls) {}

    private static final Answer JOB_SUCCEEDED =
            Answer.result("{\"Id\": \"jr_0123\", \"JobName\": \"tarn-etl\", \"JobRunState\": \"SUCCEEDED\", \"ExecutionTime\": 42}");
    private static final Answer NO_CHANGE = Answer.lambda("{\"changed\": false, \"tables\": []}");
    private static final Answer CHANGED = Answer.lambda("{\"changed\": true, \"tables\": [\"account_daily\"]}");
    private static final Answer REPAIRED = Answer.lambda(
            "{\"runId\": \"run-1\", \"manifestFound\": true, \"mode\": \"glue\", \"tables\": []}");
    private static final Answer PUBLISHED = Answer.result("{\"MessageId\": \"5c4b3a2e-0000-4000-8000-000000000001\"}");
    private static final Answer CRAWLER_STARTED = Answer.lambda("{\"started\": true, \"alreadyRunning\": false}");

    private static Answer crawl(boolean finished, boolean succeeded, String lastCrawl, int attempt) {
        return Answer.lambda("{\"state\": \"" + (finished ? "READY" : "RUNNING") + "\", \"lastCrawl\": "
                + (lastCrawl == null ? "null" : "\"" + lastCrawl + "\"") + ", \"finished\": " + finished
                + ", \"succeeded\": " + succeeded + ", \"attempt\": " + attempt + "}");
    }

    private static final List<String> JOB_PATH = List.of("ApplyDefaults", "MergeDefaults", "WaitForWindow", "RunGlueJob");
    private static final List<String> ALERT = List.of("NotifyFailure", "Failed");

    private static final List<Scenario> SCENARIOS = List.of(
            new Scenario("success", "run-1", "{}", Map.of(
                    "RunGlueJob", List.of(JOB_SUCCEEDED), "CheckSchema", List.of(NO_CHANGE),
                    "RepairPartitions", List.of(REPAIRED))),
            new Scenario("trigger", "auto-20240601T120000Z-60s",
                    "{\"mode\": \"join\", \"datasets\": \"all\", \"startAfter\": \"2024-06-01T12:01:10Z\"}", Map.of(
                    "RunGlueJob", List.of(JOB_SUCCEEDED), "CheckSchema", List.of(NO_CHANGE),
                    "RepairPartitions", List.of(REPAIRED))),
            new Scenario("backfill", "backfill-1", "{\"mode\": \"backfill\", \"datasets\": \"orders,events\"}", Map.of(
                    "RunGlueJob", List.of(JOB_SUCCEEDED), "CheckSchema", List.of(NO_CHANGE),
                    "RepairPartitions", List.of(REPAIRED))),
            new Scenario("no-manifest", "run-1", "{}", Map.of(
                    "RunGlueJob", List.of(JOB_SUCCEEDED),
                    "CheckSchema", List.of(Answer.lambda("{\"changed\": false, \"tables\": [], \"manifestFound\": false}")),
                    "RepairPartitions", List.of(Answer.lambda(
                            "{\"runId\": \"run-1\", \"manifestFound\": false, \"mode\": \"msck\", \"tables\": []}")))),
            new Scenario("schema-change", "run-1", "{}", Map.of(
                    "RunGlueJob", List.of(JOB_SUCCEEDED), "CheckSchema", List.of(CHANGED),
                    "StartCrawler", List.of(CRAWLER_STARTED),
                    "CrawlerStatus", List.of(crawl(false, false, null, 1), crawl(true, true, "SUCCEEDED", 2)),
                    "RepairPartitions", List.of(REPAIRED))),
            new Scenario("crawl-failed", "run-1", "{}", Map.of(
                    "RunGlueJob", List.of(JOB_SUCCEEDED), "CheckSchema", List.of(CHANGED),
                    "StartCrawler", List.of(CRAWLER_STARTED), "CrawlerStatus", List.of(crawl(true, false, "FAILED", 1)),
                    "NotifyFailure", List.of(PUBLISHED))),
            new Scenario("crawl-timed-out", "run-1", "{}", Map.of(
                    "RunGlueJob", List.of(JOB_SUCCEEDED), "CheckSchema", List.of(CHANGED),
                    "StartCrawler", List.of(CRAWLER_STARTED), "CrawlerStatus", List.of(crawl(false, false, null, 60)),
                    "NotifyFailure", List.of(PUBLISHED))),
            new Scenario("job-retried", "run-1", "{}", Map.of(
                    "RunGlueJob", List.of(Answer.error("States.TaskFailed", "{\"JobRunState\": \"FAILED\"}"), JOB_SUCCEEDED),
                    "CheckSchema", List.of(NO_CHANGE), "RepairPartitions", List.of(REPAIRED))),
            new Scenario("job-failed", "run-1", "{}", Map.of(
                    "RunGlueJob", List.of(Answer.error("States.TaskFailed", "first"), Answer.error("States.TaskFailed",
                            "{\"JobRunState\": \"FAILED\", \"ErrorMessage\": \"java.lang.OutOfMemoryError\"}")),
                    "NotifyFailure", List.of(PUBLISHED))),
            new Scenario("lambda-transient", "run-1", "{}", Map.of(
                    "RunGlueJob", List.of(JOB_SUCCEEDED),
                    "CheckSchema", List.of(Answer.error("Lambda.ServiceException", "Lambda is unavailable"),
                            Answer.error("Lambda.TooManyRequestsException", "Rate exceeded"), NO_CHANGE),
                    "RepairPartitions", List.of(REPAIRED))),
            new Scenario("function-error", "run-1", "{}", Map.of(
                    "RunGlueJob", List.of(JOB_SUCCEEDED),
                    "CheckSchema", List.of(Answer.error("java.lang.IllegalStateException", "Run manifest has no finishedAt")),
                    "NotifyFailure", List.of(PUBLISHED))),
            new Scenario("repair-retried", "run-1", "{}", Map.of(
                    "RunGlueJob", List.of(JOB_SUCCEEDED), "CheckSchema", List.of(NO_CHANGE),
                    "RepairPartitions", List.of(Answer.error("io.tarn.catalog.CatalogException", "Rate exceeded"),
                            Answer.error("io.tarn.catalog.CatalogException", "Rate exceeded"), REPAIRED))),
            new Scenario("repair-failed", "run-1", "{}", Map.of(
                    "RunGlueJob", List.of(JOB_SUCCEEDED), "CheckSchema", List.of(NO_CHANGE),
                    "RepairPartitions", List.of(Answer.error("io.tarn.catalog.CatalogException", "one"),
                            Answer.error("io.tarn.catalog.CatalogException", "two"),
                            Answer.error("io.tarn.catalog.CatalogException", "Glue refused partitions of tarn.orders")),
                    "NotifyFailure", List.of(PUBLISHED))),
            new Scenario("alert-failed", "run-1", "{}", Map.of(
                    "RunGlueJob", List.of(Answer.error("States.TaskFailed", "one"), Answer.error("States.TaskFailed", "two")),
                    "NotifyFailure", List.of(Answer.error("SNS.KMSThrottlingException", "1"),
                            Answer.error("SNS.KMSThrottlingException", "2"), Answer.error("SNS.KMSThrottlingException", "3"),
                            Answer.error("SNS.KMSThrottlingException", "4")))),
            new Scenario("crawler-calls-retried", "run-1", "{}", Map.of(
                    "RunGlueJob", List.of(JOB_SUCCEEDED), "CheckSchema", List.of(CHANGED),
                    "StartCrawler", List.of(Answer.error("Lambda.ClientExecutionTimeoutException", "timed out"), CRAWLER_STARTED),
                    "CrawlerStatus", List.of(Answer.error("Lambda.AWSLambdaException", "500"), crawl(true, true, "SUCCEEDED", 1)),
                    "RepairPartitions", List.of(Answer.error("Lambda.SdkClientException", "reset"), REPAIRED))),
            new Scenario("crawler-start-error", "run-1", "{}", Map.of(
                    "RunGlueJob", List.of(JOB_SUCCEEDED), "CheckSchema", List.of(CHANGED),
                    "StartCrawler", List.of(Answer.error("io.tarn.etl.CrawlerException", "Cannot start Glue crawler tarn")),
                    "NotifyFailure", List.of(PUBLISHED))),
            new Scenario("crawler-status-error", "run-1", "{}", Map.of(
                    "RunGlueJob", List.of(JOB_SUCCEEDED), "CheckSchema", List.of(CHANGED),
                    "StartCrawler", List.of(CRAWLER_STARTED),
                    "CrawlerStatus", List.of(Answer.error("io.tarn.etl.CrawlerException", "Cannot read Glue crawler tarn")),
                    "NotifyFailure", List.of(PUBLISHED))),
            new Scenario("runtime-error", "run-1", "{}", Map.of(
                    "RunGlueJob", List.of(JOB_SUCCEEDED),
                    "CheckSchema", List.of(Answer.lambda("{\"tables\": []}")))));

    private static Map<String, Outcome> alsf;

    @BeforeAll
    static void runUnderAwsLocalStepFunctions() throws IOException {
        NodePackage pkg = NodePackage.installed(INSTALL, "aws-local-stepfunctions", ALSF_VERSION);
        ObjectNode request = JSON.createObjectNode();
        request.set("definition", JSON.readTree(ETL.text()));
        ArrayNode scenarios = request.putArray("scenarios");
        for (Scenario scenario : SCENARIOS) {
            ObjectNode node = scenarios.addObject();
            node.put("name", scenario.name()).put("executionName", scenario.executionName());
            node.set("input", json(scenario.input()));
            ObjectNode tasks = node.putObject("tasks");
            scenario.tasks().forEach((state, answers) -> {
                ArrayNode list = tasks.putArray(state);
                answers.forEach(answer -> list.add(answer.toJson()));
            });
        }
        NodePackage.Result result = pkg.run(SCRIPT, JSON.writeValueAsString(request), Duration.ofMinutes(2));
        assertThat(result.exitCode()).as("aws-local-stepfunctions; stderr:%n%s", result.stderr()).isZero();
        alsf = new LinkedHashMap<>();
        for (JsonNode outcome : JSON.readTree(result.stdout())) {
            Map<String, List<JsonNode>> calls = new LinkedHashMap<>();
            outcome.path("calls").fields().forEachRemaining(e -> {
                List<JsonNode> inputs = new ArrayList<>();
                e.getValue().forEach(inputs::add);
                if (!inputs.isEmpty()) {
                    calls.put(e.getKey(), inputs);
                }
            });
            alsf.put(outcome.path("name").asText(), new Outcome(outcome.path("status").asText(),
                    outcome.path("error").isMissingNode() ? null : outcome.path("error").asText(),
                    outcome.path("cause").isMissingNode() ? null : outcome.path("cause").asText(),
                    outcome.path("output"), texts(outcome.path("entered")), calls));
            RETRIED.put(outcome.path("name").asText(), texts(outcome.path("retried")));
            CAUGHT.put(outcome.path("name").asText(), texts(outcome.path("caught")));
        }
        assertThat(alsf).containsOnlyKeys(SCENARIOS.stream().map(Scenario::name).toArray(String[]::new));
    }

    private static final Map<String, List<String>> RETRIED = new LinkedHashMap<>();
    private static final Map<String, List<String>> CAUGHT = new LinkedHashMap<>();
    private static final List<Duration> WAITS = new ArrayList<>();

    /** The scenario under Tarn's interpreter, its clock at {@link #NOW}. */
    private static Outcome local(Scenario scenario) {
        Map<String, Deque<Answer>> answers = new LinkedHashMap<>();
        scenario.tasks().forEach((state, list) -> answers.put(state, new ArrayDeque<>(list)));
        Map<String, List<JsonNode>> calls = new LinkedHashMap<>();
        LocalStateMachine.Tasks tasks = (state, resource, parameters) -> {
            calls.computeIfAbsent(state, s -> new ArrayList<>()).add(parameters);
            Answer answer = answers.getOrDefault(state, new ArrayDeque<>()).poll();
            if (answer == null) {
                throw new TaskFailedException("ScenarioExhausted", "no answer left for " + state);
            }
            if (answer.error() != null) {
                throw new TaskFailedException(answer.error(), answer.cause());
            }
            return answer.result();
        };
        WAITS.clear();
        LocalStateMachine.Sleeper sleeper = new LocalStateMachine.Sleeper() {
            @Override
            public void sleep(Duration duration) {
            }

            @Override
            public void waitState(Duration duration) {
                WAITS.add(duration);
            }
        };
        Execution execution = new LocalStateMachine(ETL, tasks, sleeper, state -> { }, Clock.fixed(NOW, ZoneOffset.UTC))
                .run(scenario.executionName(), EXECUTION_ARN + scenario.executionName(), json(scenario.input()));
        return new Outcome(execution.succeeded() ? "SUCCEEDED" : "FAILED", execution.error(), execution.cause(),
                execution.succeeded() ? execution.output() : JSON.missingNode(), execution.visited(), calls);
    }

    /** Both interpreters' outcome of a scenario, checked to agree on everything but the causes of runtime errors. */
    private static Outcome run(String name) {
        Scenario scenario = SCENARIOS.stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow();
        Outcome theirs = alsf.get(name);
        Outcome ours = local(scenario);
        assertThat(ours.status()).as("%s: status, Tarn's interpreter vs aws-local-stepfunctions", name).isEqualTo(theirs.status());
        assertThat(ours.error()).as("%s: error", name).isEqualTo(theirs.error());
        assertThat(ours.entered()).as("%s: states entered", name).containsExactlyElementsOf(theirs.entered());
        assertThat(ours.calls()).as("%s: task calls and their inputs", name).isEqualTo(theirs.calls());
        if (ours.status().equals("SUCCEEDED")) {
            assertThat(ours.output()).as("%s: output", name).isEqualTo(theirs.output());
        } else if (!"States.Runtime".equals(ours.error())) {
            assertThat(ours.cause()).as("%s: cause", name).isEqualTo(theirs.cause());
        }
        return theirs;
    }

    @Test
    void aRunWithoutSchemaChangeGoesFromTheJobToPartitionRegistrationWithTheDefaults() {
        Outcome run = run("success");

        assertThat(run.status()).isEqualTo("SUCCEEDED");
        assertThat(run.entered()).containsExactlyElementsOf(concat(JOB_PATH,
                List.of("CheckSchema", "SchemaChanged", "RepairPartitions", "Done")));
        assertThat(run.calls().get("RunGlueJob")).containsExactly(json(
                "{\"JobName\": \"tarn-etl\", \"Arguments\": {\"--mode\": \"join\", \"--datasets\": \"all\", \"--run_id\": \"run-1\"}}"));
        assertThat(run.calls().get("CheckSchema")).containsExactly(json(
                "{\"FunctionName\": \"" + CRAWLER_FN + "\", \"Payload\": {\"action\": \"check\", \"runId\": \"run-1\"}}"));
        assertThat(run.calls().get("RepairPartitions")).containsExactly(json(
                "{\"FunctionName\": \"" + REPAIR_FN + "\", \"Payload\": {\"runId\": \"run-1\"}}"));
        assertThat(run.output()).isEqualTo(json("""
                {"mode": "join", "datasets": "all", "startAfter": "1970-01-01T00:00:00Z",
                 "job": {"jobRunId": "jr_0123", "state": "SUCCEEDED"},
                 "schema": {"changed": false, "tables": []},
                 "repair": {"report": {"runId": "run-1", "manifestFound": true, "mode": "glue", "tables": []}}}
                """));
    }

    @Test
    void aTriggeredRunWaitsUntilItsWindowsEndBeforeTheJob() {
        Outcome run = run("trigger");

        assertThat(run.status()).isEqualTo("SUCCEEDED");
        assertThat(run.calls().get("RunGlueJob").get(0).at("/Arguments/--run_id").asText()).isEqualTo("auto-20240601T120000Z-60s");
        // Tarn's interpreter (run last by run(), which leaves its waits in WAITS), its clock at 12:00:40,
        // waited until 12:01:10; aws-local-stepfunctions's waits are overridden.
        assertThat(WAITS).containsExactly(Duration.ofSeconds(30));
    }

    @Test
    void aBackfillHandsItsModeAndDatasetsToTheJob() {
        Outcome run = run("backfill");

        assertThat(run.calls().get("RunGlueJob").get(0).path("Arguments")).isEqualTo(json(
                "{\"--mode\": \"backfill\", \"--datasets\": \"orders,events\", \"--run_id\": \"backfill-1\"}"));
    }

    @Test
    void aRunWithoutManifestReachesPartitionRepairsMsckFallback() {
        Outcome run = run("no-manifest");

        assertThat(run.status()).isEqualTo("SUCCEEDED");
        assertThat(run.entered()).contains("SchemaChanged", "RepairPartitions").doesNotContain("StartCrawler");
        assertThat(run.output().at("/repair/report/mode").asText()).isEqualTo("msck");
    }

    @Test
    void aSchemaChangeStartsTheCrawlerAndWaitsForItsCrawlBeforeRegistration() {
        Outcome run = run("schema-change");

        assertThat(run.status()).isEqualTo("SUCCEEDED");
        assertThat(run.entered()).containsExactlyElementsOf(concat(JOB_PATH, List.of("CheckSchema", "SchemaChanged",
                "StartCrawler", "WaitForCrawler", "CrawlerStatus", "CrawlerFinished", "WaitForCrawler", "CrawlerStatus",
                "CrawlerFinished", "RepairPartitions", "Done")));
        assertThat(run.calls().get("CrawlerStatus")).extracting(call -> call.at("/Payload/attempt").asInt()).containsExactly(0, 1);
    }

    @Test
    void aFailedCrawlIsPublishedAndFailsTheRun() {
        Outcome run = run("crawl-failed");

        assertThat(run.status()).isEqualTo("FAILED");
        assertThat(run.error()).isEqualTo("CrawlerFailed");
        assertThat(run.cause()).isEqualTo("The crawler ended its crawl with FAILED");
        assertThat(run.entered()).endsWith("CrawlerFinished", "CrawlerFailed", "NotifyFailure", "Failed");
        assertThat(run.calls().get("NotifyFailure").get(0).at("/Message/state/error")).isEqualTo(json(
                "{\"Error\": \"CrawlerFailed\", \"Cause\": \"The crawler ended its crawl with FAILED\"}"));
    }

    @Test
    void aCrawlStillRunningAfterSixtyChecksIsPublishedAndFailsTheRun() {
        Outcome run = run("crawl-timed-out");

        assertThat(run.error()).isEqualTo("CrawlerTimedOut");
        assertThat(run.cause()).isEqualTo("The crawler was still RUNNING after 60 status checks");
        assertThat(run.entered()).endsWith("CrawlerFinished", "CrawlerTimedOut", "NotifyFailure", "Failed");
    }

    @Test
    void aFailedJobRunIsRetriedOnce() {
        Outcome run = run("job-retried");

        assertThat(run.status()).isEqualTo("SUCCEEDED");
        assertThat(run.calls().get("RunGlueJob")).hasSize(2);
        assertThat(RETRIED.get("job-retried")).containsExactly("RunGlueJob");
    }

    @Test
    void aJobThatFailsTwiceIsPublishedWithItsErrorAndTheRunFails() {
        Outcome run = run("job-failed");

        assertThat(run.status()).isEqualTo("FAILED");
        assertThat(run.error()).isEqualTo("States.TaskFailed");
        assertThat(run.entered()).containsExactlyElementsOf(concat(JOB_PATH, ALERT));
        assertThat(CAUGHT.get("job-failed")).containsExactly("RunGlueJob");
        JsonNode alert = run.calls().get("NotifyFailure").get(0);
        assertThat(alert.path("TopicArn").asText()).isEqualTo(TOPIC);
        assertThat(alert.path("Subject").asText()).isEqualTo("Tarn ETL failed");
        assertThat(alert.at("/Message/execution").asText())
                .isEqualTo("arn:aws:states:us-east-1:111122223333:execution:tarn-etl:run-1");
        assertThat(alert.at("/Message/state/error")).isEqualTo(json("{\"Error\": \"States.TaskFailed\","
                + " \"Cause\": \"{\\\"JobRunState\\\": \\\"FAILED\\\", \\\"ErrorMessage\\\": \\\"java.lang.OutOfMemoryError\\\"}\"}"));
        assertThat(alert.at("/Message/state/mode").asText()).isEqualTo("join");
    }

    @Test
    void transientLambdaErrorsAreRetried() {
        Outcome run = run("lambda-transient");

        assertThat(run.status()).isEqualTo("SUCCEEDED");
        assertThat(run.calls().get("CheckSchema")).hasSize(3);
        assertThat(RETRIED.get("lambda-transient")).containsExactly("CheckSchema", "CheckSchema");
    }

    @Test
    void aFunctionsOwnErrorIsNotRetriedButPublished() {
        Outcome run = run("function-error");

        assertThat(run.error()).isEqualTo("java.lang.IllegalStateException");
        assertThat(run.calls().get("CheckSchema")).hasSize(1);
        assertThat(run.entered()).endsWith("CheckSchema", "NotifyFailure", "Failed");
    }

    @Test
    void partitionRegistrationIsRetriedOnAnyErrorTwice() {
        Outcome retried = run("repair-retried");
        assertThat(retried.status()).isEqualTo("SUCCEEDED");
        assertThat(retried.calls().get("RepairPartitions")).hasSize(3);

        Outcome failed = run("repair-failed");
        assertThat(failed.error()).isEqualTo("io.tarn.catalog.CatalogException");
        assertThat(failed.cause()).isEqualTo("Glue refused partitions of tarn.orders");
        assertThat(failed.calls().get("RepairPartitions")).hasSize(3);
        assertThat(failed.entered()).endsWith("RepairPartitions", "NotifyFailure", "Failed");
    }

    @Test
    void transientLambdaErrorsOfTheCrawlerStepsAndOfRegistrationAreRetried() {
        Outcome run = run("crawler-calls-retried");

        assertThat(run.status()).isEqualTo("SUCCEEDED");
        assertThat(RETRIED.get("crawler-calls-retried")).containsExactly("StartCrawler", "CrawlerStatus", "RepairPartitions");
        assertThat(run.calls().get("StartCrawler")).hasSize(2);
        assertThat(run.calls().get("CrawlerStatus")).hasSize(2);
    }

    @Test
    void aCrawlerThatCannotBeStartedOrReadIsPublishedAndFailsTheRun() {
        Outcome start = run("crawler-start-error");
        assertThat(start.error()).isEqualTo("io.tarn.etl.CrawlerException");
        assertThat(start.entered()).endsWith("StartCrawler", "NotifyFailure", "Failed");
        assertThat(CAUGHT.get("crawler-start-error")).containsExactly("StartCrawler");

        Outcome status = run("crawler-status-error");
        assertThat(status.cause()).isEqualTo("Cannot read Glue crawler tarn");
        assertThat(status.entered()).endsWith("CrawlerStatus", "NotifyFailure", "Failed");
        assertThat(CAUGHT.get("crawler-status-error")).containsExactly("CrawlerStatus");
    }

    @Test
    void anAlertThatCannotBePublishedStillFailsTheRunWithTheOriginalError() {
        Outcome run = run("alert-failed");

        assertThat(run.error()).isEqualTo("States.TaskFailed");
        assertThat(run.cause()).isEqualTo("two");
        assertThat(run.calls().get("NotifyFailure")).hasSize(4);
    }

    @Test
    void aRuntimeErrorEscapesEveryCatchSoTheAlertMustComeFromOutsideTheStateMachine() {
        // CheckSchema's answer lacks "changed": its ResultSelector fails with States.Runtime, which
        // no Catch sees. The template's EtlExecutionFailedRule publishes such failures
        // (TemplateEventPatternsTest checks that it matches the execution's status change).
        Outcome run = run("runtime-error");

        assertThat(run.status()).isEqualTo("FAILED");
        assertThat(run.error()).isEqualTo("States.Runtime");
        assertThat(run.entered()).endsWith("RunGlueJob", "CheckSchema").doesNotContain("NotifyFailure");
    }

    private static List<String> concat(List<String> first, List<String> second) {
        List<String> all = new ArrayList<>(first);
        all.addAll(second);
        return all;
    }

    private static List<String> texts(JsonNode array) {
        List<String> texts = new ArrayList<>();
        array.forEach(node -> texts.add(node.asText()));
        return texts;
    }

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
