package io.tarn.local.sfn;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tarn.local.sfn.LocalStateMachine.Execution;
import io.tarn.local.sfn.LocalStateMachine.TaskFailedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Tarn's ASL interpreter: the rules of the language it must get right as Step Functions does (the
 * reserved characters of intrinsic literals, Wait timestamps, which errors a Retry or Catch can
 * see), and statemachine/etl.asl.json on the inputs of events/ and the bound of its crawler loop.
 * The ETL's paths run under a second interpreter too, in {@link EtlStateMachineScenariosTest}.
 */
class LocalStateMachineTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CRAWLER_FN = "arn:aws:lambda:local:000000000000:function:crawler-refresh";
    private static final StateMachineDefinition ETL = StateMachineDefinition.load(Path.of("../statemachine/etl.asl.json"))
            .substitute(Map.of("EtlJobName", "tarn-etl", "CrawlerRefreshFunctionArn", CRAWLER_FN,
                    "PartitionRepairFunctionArn", "arn:aws:lambda:local:000000000000:function:partition-repair",
                    "AlertTopicArn", "arn:aws:sns:local:000000000000:alerts"));

    private final List<Duration> pauses = new ArrayList<>();
    private final List<Duration> waits = new ArrayList<>();
    private final LocalStateMachine.Sleeper sleeper = new LocalStateMachine.Sleeper() {
        @Override
        public void sleep(Duration duration) {
            pauses.add(duration);
        }

        @Override
        public void waitState(Duration duration) {
            waits.add(duration);
        }
    };

    private Execution run(String definition, String input, LocalStateMachine.Tasks tasks) {
        return new LocalStateMachine(StateMachineDefinition.parse(definition), tasks, sleeper, state -> { },
                Clock.fixed(Instant.parse("2024-06-01T12:00:00Z"), ZoneOffset.UTC)).run("run-1", json(input));
    }

    private static String pass(String parameter) {
        return "{\"StartAt\": \"P\", \"States\": {\"P\": {\"Type\": \"Pass\", \"Parameters\": {\"v.$\": \""
                + parameter.replace("\\", "\\\\").replace("\"", "\\\"") + "\"}, \"End\": true}}}";
    }

    private static final LocalStateMachine.Tasks NO_TASKS = (state, resource, parameters) -> {
        throw new AssertionError("no task expected");
    };

    @Test
    void anUnescapedBraceInAnIntrinsicsStringLiteralIsARuntimeErrorAsInStepFunctions() {
        Execution execution = run(pass("States.StringToJson('{\"mode\": \"join\"}')"), "{}", NO_TASKS);

        assertThat(execution.succeeded()).isFalse();
        assertThat(execution.error()).isEqualTo("States.Runtime");
        assertThat(execution.cause()).contains("'{' is reserved in an intrinsic's string literal and must be escaped as \\{");
    }

    @Test
    void escapedReservedCharactersStandForThemselves() {
        Execution execution = run(pass("States.StringToJson('\\{\"it\\'s\": \"a\\\\\\\\b\"\\}')"), "{}", NO_TASKS);

        assertThat(execution.succeeded()).as("%s: %s", execution.error(), execution.cause()).isTrue();
        assertThat(execution.output()).isEqualTo(json("{\"v\": {\"it's\": \"a\\\\b\"}}"));
    }

    @Test
    void statesFormatsPlaceholdersAreUnescapedBracesAndEscapedOnesAreText() {
        Execution execution = run(pass("States.Format('\\{{}\\} of {}', $.a, $.b)"), "{\"a\": 1, \"b\": \"x\"}", NO_TASKS);

        assertThat(execution.output()).isEqualTo(json("{\"v\": \"{1} of x\"}"));
        assertThat(run(pass("States.Format('{} and {}', $.a)"), "{\"a\": 1}", NO_TASKS).error()).isEqualTo("States.Runtime");
    }

    @Test
    void aWaitUntilATimestampWaitsTheTimeLeftAndOneInThePastWaitsNothing() {
        String definition = "{\"StartAt\": \"W\", \"States\": {\"W\": {\"Type\": \"Wait\", \"TimestampPath\": \"$.at\","
                + " \"End\": true}}}";

        assertThat(run(definition, "{\"at\": \"2024-06-01T12:01:10Z\"}", NO_TASKS).succeeded()).isTrue();
        assertThat(run(definition, "{\"at\": \"2024-06-01T11:00:00Z\"}", NO_TASKS).succeeded()).isTrue();
        // Step Functions truncates the milliseconds.
        assertThat(run(definition, "{\"at\": \"2024-06-01T12:00:01.900Z\"}", NO_TASKS).succeeded()).isTrue();
        assertThat(waits).containsExactly(Duration.ofSeconds(70), Duration.ZERO, Duration.ofSeconds(1));

        Execution offset = run(definition, "{\"at\": \"2024-06-01T14:00:00+02:00\"}", NO_TASKS);
        assertThat(offset.error()).isEqualTo("States.Runtime");
        assertThat(offset.cause()).isEqualTo("a Wait state's timestamp must be RFC 3339 in UTC (2024-06-01T12:01:10Z),"
                + " got \"2024-06-01T14:00:00+02:00\"");
    }

    @Test
    void statesAllAndTaskFailedMatchEveryErrorButTheTerminalOnesAndTaskFailedNotTimeouts() {
        JsonNode all = json("[\"States.ALL\"]");
        JsonNode taskFailed = json("[\"States.TaskFailed\"]");

        assertThat(LocalStateMachine.matches(all, "java.lang.IllegalStateException")).isTrue();
        assertThat(LocalStateMachine.matches(all, "States.Timeout")).isTrue();
        assertThat(LocalStateMachine.matches(all, "States.Runtime")).isFalse();
        assertThat(LocalStateMachine.matches(all, "States.DataLimitExceeded")).isFalse();
        assertThat(LocalStateMachine.matches(taskFailed, "States.TaskFailed")).isTrue();
        assertThat(LocalStateMachine.matches(taskFailed, "States.Permissions")).isTrue();
        assertThat(LocalStateMachine.matches(taskFailed, "Lambda.ServiceException")).isTrue();
        assertThat(LocalStateMachine.matches(taskFailed, "States.Timeout")).isFalse();
        assertThat(LocalStateMachine.matches(json("[\"States.Runtime\"]"), "States.Runtime")).isFalse();
    }

    @Test
    void retryPausesGrowByTheBackoffRateUpToMaxDelaySeconds() {
        String definition = "{\"StartAt\": \"T\", \"States\": {\"T\": {\"Type\": \"Task\", \"Resource\": \"arn:x\","
                + " \"Retry\": [{\"ErrorEquals\": [\"E\"], \"IntervalSeconds\": 2, \"BackoffRate\": 3, \"MaxAttempts\": 3,"
                + " \"MaxDelaySeconds\": 10}], \"End\": true}}}";
        int[] calls = {0};

        Execution execution = run(definition, "{}", (state, resource, parameters) -> {
            if (calls[0]++ < 3) {
                throw new TaskFailedException("E", "again");
            }
            return json("{}");
        });

        assertThat(execution.succeeded()).isTrue();
        assertThat(pauses).containsExactly(Duration.ofSeconds(2), Duration.ofSeconds(6), Duration.ofSeconds(10));
    }

    /** The ETL's tasks: the job succeeds, the crawler's crawl keeps running. */
    private static final LocalStateMachine.Tasks ETL_TASKS = (state, resource, parameters) -> switch (state) {
        case "RunGlueJob" -> json("{\"Id\": \"jr_1\", \"JobRunState\": \"SUCCEEDED\"}");
        case "CheckSchema" -> json("{\"Payload\": {\"changed\": true, \"tables\": [\"account_daily\"]}}");
        case "StartCrawler" -> json("{\"Payload\": {\"started\": true, \"alreadyRunning\": false}}");
        case "CrawlerStatus" -> json("{\"Payload\": {\"state\": \"RUNNING\", \"lastCrawl\": null, \"finished\": false,"
                + " \"succeeded\": false, \"attempt\": " + (parameters.at("/Payload/attempt").asInt() + 1) + "}}");
        case "RepairPartitions", "NotifyFailure" -> json("{\"Payload\": {}}");
        default -> throw new AssertionError("unexpected state " + state);
    };

    @Test
    void aCrawlThatNeverEndsIsCheckedSixtyTimesThirtySecondsApartThenGivenUpOn() {
        Execution execution = new LocalStateMachine(ETL, ETL_TASKS, sleeper, state -> { }).run("run-1", json("{}"));

        assertThat(execution.error()).isEqualTo("CrawlerTimedOut");
        assertThat(Collections.frequency(execution.visited(), "CrawlerStatus")).isEqualTo(60);
        assertThat(waits).hasSize(61).containsOnly(Duration.ZERO, Duration.ofSeconds(30));
        assertThat(waits.subList(1, 61)).containsOnly(Duration.ofSeconds(30));
    }

    @Test
    void theScheduledAndTheBackfillInputsOfEventsReachTheJobAsItsArguments() throws Exception {
        List<JsonNode> jobs = new ArrayList<>();
        LocalStateMachine.Tasks tasks = (state, resource, parameters) -> {
            if (state.equals("RunGlueJob")) {
                jobs.add(parameters.path("Arguments"));
            }
            return state.equals("CheckSchema") ? json("{\"Payload\": {\"changed\": false, \"tables\": []}}")
                    : ETL_TASKS.run(state, resource, parameters);
        };
        for (String event : List.of("etl-schedule.json", "etl-backfill.json")) {
            Execution execution = new LocalStateMachine(ETL, tasks, sleeper, state -> { })
                    .run("run-1", json(Files.readString(Path.of("../events", event))));
            assertThat(execution.succeeded()).as(event).isTrue();
        }

        assertThat(jobs).containsExactly(
                json("{\"--mode\": \"join\", \"--datasets\": \"all\", \"--run_id\": \"run-1\"}"),
                json("{\"--mode\": \"backfill\", \"--datasets\": \"orders,events\", \"--run_id\": \"run-1\"}"));
    }

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
