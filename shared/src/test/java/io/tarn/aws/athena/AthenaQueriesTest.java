package io.tarn.aws.athena;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tarn.aws.json.AwsJsonException;
import io.tarn.aws.json.Backoff;
import io.tarn.aws.json.FakeJsonHttp;
import io.tarn.embedded.MutableClock;
import io.tarn.etl.QueryException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/**
 * {@link AthenaQueries}' exact requests and its handling of every end of a query, on a fake Athena
 * at the HTTP level: moto runs no query, so its queries only ever succeed. Time is a clock that the
 * poll pauses move on; nothing really waits.
 */
class AthenaQueriesTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String STATEMENT = "ALTER TABLE `orders` ADD IF NOT EXISTS PARTITION (`account_id` = 'a1')"
            + " LOCATION 's3://staging/orders/account_id=a1/'";

    private final FakeJsonHttp athena = new FakeJsonHttp(AthenaApi.SERVICE, "Message");
    private final MutableClock clock = new MutableClock(Instant.parse("2024-06-01T02:10:00Z"));
    /** The client's waits between attempts of one call (throttling, server errors). */
    private final List<Duration> retryWaits = new ArrayList<>();
    /** The adapter's waits between polls of a query, each moving the clock on. */
    private final List<Duration> pollWaits = new ArrayList<>();
    private final AthenaQueries queries = new AthenaQueries(
            new AthenaApi(athena, StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDEXAMPLE", "secret")),
                    "us-east-1", URI.create("https://athena.us-east-1.amazonaws.com/"),
                    new Backoff(4, retryWaits::add, () -> 0.5), clock),
            "tarn", "tarn_lake",
            delay -> {
                pollWaits.add(delay);
                clock.advance(delay);
            },
            clock, Duration.ofSeconds(10));

    @Test
    void queuedThenRunningThenSucceededStartsOnceAndPollsWithGrowingPauses() {
        athena.answer("StartQueryExecution", "{\"QueryExecutionId\": \"q-1\"}");
        athena.answer("GetQueryExecution", execution("q-1", "{\"State\": \"QUEUED\"}"));
        athena.answer("GetQueryExecution", execution("q-1", "{\"State\": \"RUNNING\"}"));
        athena.answer("GetQueryExecution", execution("q-1", "{\"State\": \"SUCCEEDED\"}"));

        assertThat(queries.run(STATEMENT)).isEqualTo("q-1");

        assertThat(athena.operations())
                .containsExactly("StartQueryExecution", "GetQueryExecution", "GetQueryExecution", "GetQueryExecution");
        assertThat(athena.calls.get(0).request().firstMatchingHeader("X-Amz-Target"))
                .contains("AmazonAthena.StartQueryExecution");
        ObjectNode start = athena.bodies("StartQueryExecution").get(0).deepCopy();
        // A fresh token per statement run (see the retry test): checked for Athena's bounds, then set aside.
        assertThat(start.remove("ClientRequestToken").asText()).hasSizeBetween(32, 128);
        assertThat(start).isEqualTo(json("""
                {"QueryString": "%s",
                 "WorkGroup": "tarn",
                 "QueryExecutionContext": {"Database": "tarn_lake"}}
                """.formatted(STATEMENT)));
        assertThat(athena.bodies("GetQueryExecution")).containsOnly(json("{\"QueryExecutionId\": \"q-1\"}"));
        assertThat(pollWaits).containsExactly(Duration.ofMillis(200), Duration.ofMillis(400));
        assertThat(retryWaits).isEmpty();
    }

    @Test
    void failedQueryFailsNamingQueryWorkgroupStateReasonAndTheStatementsStart() {
        String statement = "MSCK REPAIR TABLE `orders` -- " + "x".repeat(400);
        athena.answer("StartQueryExecution", "{\"QueryExecutionId\": \"q-2\"}");
        athena.answer("GetQueryExecution", execution("q-2", "{\"State\": \"RUNNING\"}"));
        athena.answer("GetQueryExecution", execution("q-2", """
                {"State": "FAILED",
                 "StateChangeReason": "FAILED: SemanticException [Error 10001]: Table not found tarn_lake.orders",
                 "AthenaError": {"ErrorCategory": 2, "ErrorType": 1301, "Retryable": false}}"""));

        assertThatThrownBy(() -> queries.run(statement))
                .isInstanceOf(QueryException.class)
                .hasMessage("Athena query q-2 in workgroup tarn FAILED: FAILED: SemanticException [Error 10001]:"
                        + " Table not found tarn_lake.orders; statement: " + statement.substring(0, 300)
                        + "... (430 chars)")
                .hasNoCause();
        assertThat(athena.operations()).containsExactly("StartQueryExecution", "GetQueryExecution", "GetQueryExecution");
    }

    @Test
    void cancelledQueryFailsSayingNoReasonWasGiven() {
        athena.answer("StartQueryExecution", "{\"QueryExecutionId\": \"q-3\"}");
        athena.answer("GetQueryExecution", execution("q-3", "{\"State\": \"CANCELLED\"}"));

        assertThatThrownBy(() -> queries.run(STATEMENT))
                .isInstanceOf(QueryException.class)
                .hasMessage("Athena query q-3 in workgroup tarn CANCELLED: no reason given; statement: " + STATEMENT);
        // A cancelled query is over: nothing to stop.
        assertThat(athena.operations()).containsExactly("StartQueryExecution", "GetQueryExecution");
    }

    @Test
    void queryStillRunningAtTheBoundIsStoppedAndReported() {
        athena.answer("StartQueryExecution", "{\"QueryExecutionId\": \"q-4\"}");
        for (int i = 0; i < 7; i++) {
            athena.answer("GetQueryExecution", execution("q-4", "{\"State\": \"RUNNING\"}"));
        }
        athena.answer("StopQueryExecution", "{}");

        assertThatThrownBy(() -> queries.run(STATEMENT))
                .isInstanceOf(QueryException.class)
                .hasMessage("Athena query q-4 in workgroup tarn still RUNNING after PT10S; statement: " + STATEMENT)
                .hasNoSuppressedExceptions();

        // Polls at 0, 0.2, 0.6, 1.4, 3, 6.2 and 10 s: the last pause is cut to end at the bound.
        assertThat(pollWaits).containsExactly(Duration.ofMillis(200), Duration.ofMillis(400), Duration.ofMillis(800),
                Duration.ofMillis(1600), Duration.ofMillis(3200), Duration.ofMillis(3800));
        assertThat(athena.operations()).containsExactly("StartQueryExecution", "GetQueryExecution",
                "GetQueryExecution", "GetQueryExecution", "GetQueryExecution", "GetQueryExecution",
                "GetQueryExecution", "GetQueryExecution", "StopQueryExecution");
        assertThat(athena.bodies("StopQueryExecution")).containsExactly(json("{\"QueryExecutionId\": \"q-4\"}"));
    }

    @Test
    void aFailedStopIsKeptWithTheTimeoutNotThrownInsteadOfIt() {
        AthenaQueries noWait = new AthenaQueries(
                new AthenaApi(athena, StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDEXAMPLE", "secret")),
                        "us-east-1", URI.create("https://athena.us-east-1.amazonaws.com/"),
                        new Backoff(1, retryWaits::add, () -> 0.5), clock),
                "tarn", "tarn_lake", pollWaits::add, clock, Duration.ZERO);
        athena.answer("StartQueryExecution", "{\"QueryExecutionId\": \"q-5\"}");
        athena.answer("GetQueryExecution", execution("q-5", "{\"State\": \"QUEUED\"}"));
        athena.error(400, "StopQueryExecution", "InvalidRequestException", "Not authorized to stop q-5");

        assertThatThrownBy(() -> noWait.run(STATEMENT))
                .isInstanceOf(QueryException.class)
                .hasMessage("Athena query q-5 in workgroup tarn still QUEUED after PT0S; statement: " + STATEMENT)
                .satisfies(e -> {
                    assertThat(e.getSuppressed()).hasSize(1);
                    assertThat(e.getSuppressed()[0])
                            .isInstanceOf(AwsJsonException.class)
                            .hasMessage("Athena StopQueryExecution: InvalidRequestException (HTTP 400):"
                                    + " Not authorized to stop q-5");
                });
        assertThat(pollWaits).isEmpty();
    }

    @Test
    void throttledGetQueryExecutionIsRetriedByTheClientWithoutRestartingTheQuery() {
        athena.answer("StartQueryExecution", "{\"QueryExecutionId\": \"q-6\"}");
        athena.error(400, "GetQueryExecution", "ThrottlingException", "Rate exceeded");
        athena.error(400, "GetQueryExecution", "TooManyRequestsException", "Slow down");
        athena.answer("GetQueryExecution", execution("q-6", "{\"State\": \"SUCCEEDED\"}"));

        assertThat(queries.run(STATEMENT)).isEqualTo("q-6");

        assertThat(athena.operations())
                .containsExactly("StartQueryExecution", "GetQueryExecution", "GetQueryExecution", "GetQueryExecution");
        assertThat(athena.bodies("GetQueryExecution")).containsOnly(json("{\"QueryExecutionId\": \"q-6\"}"));
        // Half (the jitter) of the throttled base 500 ms, then of 1 s; no poll pause: the answer was SUCCEEDED.
        assertThat(retryWaits).containsExactly(Duration.ofMillis(250), Duration.ofMillis(500));
        assertThat(pollWaits).isEmpty();
    }

    @Test
    void throttlingThatOutlastsTheAttemptsFailsNamingTheQuery() {
        athena.answer("StartQueryExecution", "{\"QueryExecutionId\": \"q-7\"}");
        for (int i = 0; i < 4; i++) {
            athena.error(400, "GetQueryExecution", "ThrottlingException", "Rate exceeded " + i);
        }

        assertThatThrownBy(() -> queries.run(STATEMENT))
                .isInstanceOf(QueryException.class)
                .hasMessage("Cannot read the state of Athena query q-7")
                .cause()
                .hasMessage("Athena GetQueryExecution: ThrottlingException (HTTP 400): Rate exceeded 3");
        assertThat(retryWaits).hasSize(3);
    }

    @Test
    void retriedStartSendsTheSameClientRequestTokenSoAthenaStartsOneQuery() {
        athena.drop("StartQueryExecution");
        athena.error(500, "StartQueryExecution", "InternalServerException", "Internal error");
        athena.answer("StartQueryExecution", "{\"QueryExecutionId\": \"q-8\"}");
        athena.answer("GetQueryExecution", execution("q-8", "{\"State\": \"SUCCEEDED\"}"));

        assertThat(queries.run(STATEMENT)).isEqualTo("q-8");

        List<ObjectNode> starts = athena.bodies("StartQueryExecution");
        assertThat(starts).hasSize(3);
        assertThat(Collections.frequency(starts, starts.get(0))).isEqualTo(3);
        assertThat(starts.get(0).path("ClientRequestToken").asText()).hasSizeBetween(32, 128);
    }

    @Test
    void startRefusedFailsNamingWorkgroupAndStatementWithAthenasError() {
        athena.error(400, "StartQueryExecution", "InvalidRequestException", "WorkGroup tarn is not found.");

        assertThatThrownBy(() -> queries.run(STATEMENT))
                .isInstanceOf(QueryException.class)
                .hasMessage("Cannot start Athena query in workgroup tarn; statement: " + STATEMENT)
                .cause()
                .isInstanceOf(AwsJsonException.class)
                .hasMessage("Athena StartQueryExecution: InvalidRequestException (HTTP 400): WorkGroup tarn is not found.");
        assertThat(athena.operations()).containsExactly("StartQueryExecution");
    }

    @Test
    void stateOutsideTheApiFailsAtOnceInsteadOfWaitingForTheBound() {
        athena.answer("StartQueryExecution", "{\"QueryExecutionId\": \"q-9\"}");
        athena.answer("GetQueryExecution", "{\"QueryExecution\": {\"QueryExecutionId\": \"q-9\"}}");

        assertThatThrownBy(() -> queries.run(STATEMENT))
                .isInstanceOf(QueryException.class)
                .hasMessage("Athena answered GetQueryExecution of query q-9 in workgroup tarn with state ''; statement: "
                        + STATEMENT);
        assertThat(pollWaits).isEmpty();
    }

    private static String execution(String queryId, String status) {
        return "{\"QueryExecution\": {\"QueryExecutionId\": \"%s\", \"Status\": %s}}".formatted(queryId, status);
    }

    private static ObjectNode json(String text) {
        try {
            return (ObjectNode) JSON.readTree(text);
        } catch (Exception e) {
            throw new IllegalArgumentException(text, e);
        }
    }
}
