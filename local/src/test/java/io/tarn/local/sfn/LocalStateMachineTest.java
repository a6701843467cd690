package io.tarn.local.sfn;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tarn.local.sfn.LocalStateMachine.Execution;
import io.tarn.local.sfn.LocalStateMachine.TaskFailedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * statemachine/etl.asl.json run by the local interpreter with scripted tasks: the paths it reads
 * from each task's answer, its branches, retries and alerts.
 */
class LocalStateMachineTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String LAMBDA = "arn:aws:states:::lambda:invoke";
    private static final String CRAWLER_FN = "arn:aws:lambda:local:000000000000:function:crawler-refresh";
    private static final String REPAIR_FN = "arn:aws:lambda:local:000000000000:function:partition-repair";
    private static final StateMachineDefinition ETL = StateMachineDefinition.load(Path.of("../statemachine/etl.asl.json"))
            .substitute(Map.of("EtlJobName", "tarn-etl", "CrawlerRefreshFunctionArn", CRAWLER_FN,
                    "PartitionRepairFunctionArn", REPAIR_FN, "AlertTopicArn", "arn:aws:sns:local:000000000000:alerts"));

    /** Scripted answers, and every call made, in order. */
    private static final class Script implements LocalStateMachine.Tasks {
        final List<String> calls = new ArrayList<>();
        final List<JsonNode> parameters = new ArrayList<>();
        int concurrentRunsErrors;
        boolean schemaChanged;
        int runningPolls;
        String lastCrawl = "SUCCEEDED";
        RuntimeException checkFails;

        @Override
        public JsonNode run(String state, String resource, JsonNode params) {
            calls.add(state);
            parameters.add(params);
            switch (resource) {
                case "arn:aws:states:::glue:startJobRun.sync" -> {
                    if (concurrentRunsErrors-- > 0) {
                        throw new TaskFailedException("Glue.ConcurrentRunsExceededException", "Concurrent runs exceeded");
                    }
                    return json("{\"Id\": \"jr_1\", \"JobRunState\": \"SUCCEEDED\", \"ExecutionTime\": 42}");
                }
                case "arn:aws:states:::sns:publish" -> {
                    return json("{\"MessageId\": \"m-1\"}");
                }
                case LAMBDA -> {
                    return payload(params);
                }
                default -> throw new AssertionError("unexpected resource " + resource);
            }
        }

        private JsonNode payload(JsonNode params) {
            JsonNode payload = params.path("Payload");
            if (params.path("FunctionName").asText().equals(REPAIR_FN)) {
                return lambda("{\"runId\": \"" + payload.path("runId").asText() + "\", \"manifestFound\": true}");
            }
            assertThat(params.path("FunctionName").asText()).isEqualTo(CRAWLER_FN);
            switch (payload.path("action").asText()) {
                case "check" -> {
                    if (checkFails != null) {
                        throw checkFails;
                    }
                    return lambda("{\"changed\": " + schemaChanged + ", \"tables\": [\"account_daily\"]}");
                }
                case "start" -> {
                    return lambda("{\"started\": true, \"alreadyRunning\": false}");
                }
                case "status" -> {
                    int attempt = payload.path("attempt").asInt() + 1;
                    boolean finished = runningPolls-- <= 0;
                    return lambda("{\"state\": \"" + (finished ? "READY" : "RUNNING") + "\", \"lastCrawl\": "
                            + (finished ? "\"" + lastCrawl + "\"" : "null") + ", \"finished\": " + finished
                            + ", \"succeeded\": " + (finished && lastCrawl.equals("SUCCEEDED")) + ", \"attempt\": " + attempt + "}");
                }
                default -> throw new AssertionError("unexpected action " + payload);
            }
        }

        private static JsonNode lambda(String payload) {
            ObjectNode answer = JSON.createObjectNode();
            answer.put("StatusCode", 200);
            answer.set("Payload", json(payload));
            return answer;
        }
    }

    private final List<Duration> sleeps = new ArrayList<>();

    private Execution run(Script script, String input) {
        return new LocalStateMachine(ETL, script, sleeps::add, state -> { }).run("run-1", json(input));
    }

    @Test
    void aRunWithoutSchemaChangeGoesFromTheJobStraightToPartitionRepair() {
        Script script = new Script();
        Execution execution = run(script, "{}");

        assertThat(execution.succeeded()).isTrue();
        assertThat(execution.visited()).containsExactly(
                "ApplyDefaults", "RunGlueJob", "CheckSchema", "SchemaChanged", "RepairPartitions", "Done");
        assertThat(script.parameters.get(0)).isEqualTo(json(
                "{\"JobName\": \"tarn-etl\", \"Arguments\": {\"--mode\": \"join\", \"--datasets\": \"all\", \"--run_id\": \"run-1\"}}"));
        assertThat(script.parameters.get(1).path("Payload")).isEqualTo(json("{\"action\": \"check\", \"runId\": \"run-1\"}"));
        assertThat(execution.output().path("job")).isEqualTo(json(
                "{\"jobRunId\": \"jr_1\", \"state\": \"SUCCEEDED\", \"executionTimeSeconds\": 42}"));
        assertThat(execution.output().path("repair").path("report").path("runId").asText()).isEqualTo("run-1");
    }

    @Test
    void theScheduledInputRunsTheJoin() throws Exception {
        Script script = new Script();
        run(script, Files.readString(Path.of("../events/etl-schedule.json")));

        assertThat(script.parameters.get(0).path("Arguments")).isEqualTo(json(
                "{\"--mode\": \"join\", \"--datasets\": \"all\", \"--run_id\": \"run-1\"}"));
    }

    @Test
    void aBackfillNamesItsModeAndDatasetsToTheJob() throws Exception {
        Script script = new Script();
        run(script, Files.readString(Path.of("../events/etl-backfill.json")));

        assertThat(script.parameters.get(0).path("Arguments")).isEqualTo(json(
                "{\"--mode\": \"backfill\", \"--datasets\": \"orders,events\", \"--run_id\": \"run-1\"}"));
    }

    @Test
    void aSchemaChangeStartsTheCrawlerAndPollsItUntilItsCrawlSucceeds() {
        Script script = new Script();
        script.schemaChanged = true;
        script.runningPolls = 2;
        Execution execution = run(script, "{}");

        assertThat(execution.succeeded()).isTrue();
        assertThat(script.calls).containsExactly("RunGlueJob", "CheckSchema", "StartCrawler",
                "CrawlerStatus", "CrawlerStatus", "CrawlerStatus", "RepairPartitions");
        // Each status check is told how many came before it.
        assertThat(script.parameters.subList(3, 6)).extracting(p -> p.path("Payload").path("attempt").asInt())
                .containsExactly(0, 1, 2);
        assertThat(sleeps).containsExactly(Duration.ofSeconds(30), Duration.ofSeconds(30), Duration.ofSeconds(30));
    }

    @Test
    void aFailedCrawlIsAlertedAndFailsTheExecution() {
        Script script = new Script();
        script.schemaChanged = true;
        script.lastCrawl = "FAILED";
        Execution execution = run(script, "{}");

        assertThat(execution.succeeded()).isFalse();
        assertThat(execution.error()).isEqualTo("CrawlerFailed");
        assertThat(execution.cause()).isEqualTo("The crawler ended its crawl with FAILED");
        assertThat(script.calls).endsWith("CrawlerStatus", "NotifyFailure").doesNotContain("RepairPartitions");
    }

    @Test
    void aCrawlerThatNeverFinishesIsGivenUpOnAfterTheBound() {
        Script script = new Script();
        script.schemaChanged = true;
        script.runningPolls = Integer.MAX_VALUE;
        Execution execution = run(script, "{}");

        assertThat(execution.error()).isEqualTo("CrawlerTimedOut");
        assertThat(execution.cause()).isEqualTo("The crawler was still RUNNING after 60 status checks");
        assertThat(Collections.frequency(script.calls, "CrawlerStatus")).isEqualTo(60);
    }

    @Test
    void concurrentRunsExceededIsRetriedWithBackoffAndThenTheRunGoesOn() {
        Script script = new Script();
        script.concurrentRunsErrors = 2;
        Execution execution = run(script, "{}");

        assertThat(execution.succeeded()).isTrue();
        assertThat(script.calls).startsWith("RunGlueJob", "RunGlueJob", "RunGlueJob", "CheckSchema");
        assertThat(sleeps).containsExactly(Duration.ofSeconds(60), Duration.ofSeconds(120));
    }

    @Test
    void aGlueJobThatKeepsFindingConcurrentRunsIsAlertedAfterFiveRetries() {
        Script script = new Script();
        script.concurrentRunsErrors = 100;
        Execution execution = run(script, "{}");

        assertThat(execution.error()).isEqualTo("Glue.ConcurrentRunsExceededException");
        assertThat(Collections.frequency(script.calls, "RunGlueJob")).isEqualTo(6);
    }

    @Test
    void aFunctionErrorIsPublishedWithTheRunsInputAndEndsInFail() {
        Script script = new Script();
        script.checkFails = new TaskFailedException("java.lang.IllegalArgumentException", "no run manifest at etl-runs/run-1.json");
        Execution execution = run(script, "{\"mode\": \"join\"}");

        assertThat(execution.succeeded()).isFalse();
        assertThat(execution.visited()).endsWith("CheckSchema", "NotifyFailure", "Failed");
        assertThat(execution.error()).isEqualTo("java.lang.IllegalArgumentException");
        assertThat(execution.cause()).isEqualTo("no run manifest at etl-runs/run-1.json");
        JsonNode alert = script.parameters.get(script.parameters.size() - 1);
        assertThat(alert.path("TopicArn").asText()).isEqualTo("arn:aws:sns:local:000000000000:alerts");
        assertThat(alert.path("Message").path("state").path("mode").asText()).isEqualTo("join");
        assertThat(alert.path("Message").path("state").path("error").path("Cause").asText())
                .isEqualTo("no run manifest at etl-runs/run-1.json");
        assertThat(alert.path("Message").path("execution").asText()).endsWith(":run-1");
    }

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
