package io.tarn.aws.athena;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tarn.aws.AwsClients;
import io.tarn.aws.AwsSettings;
import io.tarn.embedded.FaultInjectingProxy;
import io.tarn.embedded.MotoServer;
import io.tarn.embedded.MutableClock;
import io.tarn.etl.QueryException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.athena.AthenaClient;
import software.amazon.awssdk.services.athena.model.GetQueryExecutionRequest;
import software.amazon.awssdk.services.athena.model.InvalidRequestException;
import software.amazon.awssdk.services.athena.model.QueryExecution;
import software.amazon.awssdk.services.athena.model.StartQueryExecutionRequest;
import software.amazon.awssdk.services.athena.model.StopQueryExecutionRequest;

/**
 * {@link AthenaQueries} on moto's Athena over HTTP with the SDK client the functions build, whose
 * queries move from QUEUED to RUNNING to SUCCEEDED as moto's state manager says and are
 * CANCELLED by a stop; the ends moto cannot give (FAILED, CANCELLED by someone else, a state
 * outside the API, a stop refused) on {@link FakeAthena}. Time is a clock that the poll pauses
 * move on: nothing really waits.
 */
class AthenaQueriesTest {

    private static final String STATEMENT = "ALTER TABLE `orders` ADD IF NOT EXISTS PARTITION (`account_id` = 'a1')"
            + " LOCATION 's3://staging/orders/account_id=a1/'";
    private static final String EXECUTION_MODEL = "athena::execution";

    private static MotoServer moto;
    private static AthenaClient athena;
    private static String workgroup;

    private final MutableClock clock = new MutableClock(Instant.parse("2024-06-01T02:10:00Z"));
    /** The adapter's waits between polls of a query, each moving the clock on. */
    private final List<Duration> pollWaits = new ArrayList<>();

    @BeforeAll
    static void startMoto() {
        moto = MotoServer.shared();
        athena = moto.client(AthenaClient.builder());
        workgroup = "tarn-" + UUID.randomUUID().toString().substring(0, 8);
        athena.createWorkGroup(r -> r.name(workgroup));
    }

    @AfterAll
    static void closeClient() {
        athena.close();
    }

    @AfterEach
    void defaultTransition() {
        moto.unsetTransition(EXECUTION_MODEL);
    }

    @Test
    void queuedThenRunningThenSucceededStartsOnceInTheWorkgroupAndDatabaseAndPollsWithGrowingPauses() {
        // Each state lasts two reads: QUEUED, RUNNING, RUNNING, SUCCEEDED.
        moto.setTransition(EXECUTION_MODEL, "{\"progression\": \"manual\", \"times\": 2}");
        List<String> before = executions();

        String queryId = queries(athena, Duration.ofSeconds(10)).run(STATEMENT);

        List<String> started = new ArrayList<>(executions());
        started.removeAll(before);
        assertThat(started).containsExactly(queryId);
        QueryExecution execution = athena.getQueryExecution(r -> r.queryExecutionId(queryId)).queryExecution();
        assertThat(execution.query()).isEqualTo(STATEMENT);
        assertThat(execution.workGroup()).isEqualTo(workgroup);
        assertThat(execution.queryExecutionContext().database()).isEqualTo("tarn_lake");
        assertThat(execution.status().stateAsString()).isEqualTo("SUCCEEDED");
        assertThat(pollWaits).containsExactly(Duration.ofMillis(200), Duration.ofMillis(400), Duration.ofMillis(800));
    }

    @Test
    void queryStillQueuedAtTheBoundIsStoppedAndReported() {
        moto.setTransition(EXECUTION_MODEL, "{\"progression\": \"manual\", \"times\": 1000}");
        List<String> before = executions();

        assertThatThrownBy(() -> queries(athena, Duration.ofSeconds(10)).run(STATEMENT))
                .isInstanceOf(QueryException.class)
                .hasMessageMatching("Athena query [0-9a-f-]{36} in workgroup " + workgroup
                        + " still QUEUED after PT10S; statement: .*")
                .hasNoSuppressedExceptions();

        // Polls at 0, 0.2, 0.6, 1.4, 3, 6.2 and 10 s: the last pause is cut to end at the bound.
        assertThat(pollWaits).containsExactly(Duration.ofMillis(200), Duration.ofMillis(400), Duration.ofMillis(800),
                Duration.ofMillis(1600), Duration.ofMillis(3200), Duration.ofMillis(3800));
        List<String> started = new ArrayList<>(executions());
        started.removeAll(before);
        assertThat(started).singleElement().satisfies(id -> assertThat(
                athena.getQueryExecution(r -> r.queryExecutionId(id)).queryExecution().status().stateAsString())
                .as("stopped by StopQueryExecution").isEqualTo("CANCELLED"));
    }

    @Test
    void startInAWorkgroupAthenaDoesNotKnowFailsWithAthenasWords() {
        AthenaQueries elsewhere = new AthenaQueries(athena, "no-such-workgroup", "tarn_lake", pollWaits::add, clock,
                Duration.ofSeconds(10));

        assertThatThrownBy(() -> elsewhere.run(STATEMENT))
                .isInstanceOf(QueryException.class)
                .hasMessage("Athena refused the query in workgroup no-such-workgroup: WorkGroup does not exist;"
                        + " statement: " + STATEMENT)
                .hasCauseInstanceOf(InvalidRequestException.class);
    }

    @Test
    void startAnsweredWithServiceUnavailableIsRetriedByTheSdkClientAndStartsOneQuery() {
        List<String> before = executions();
        try (FaultInjectingProxy proxy = FaultInjectingProxy.start(moto.endpoint());
                AthenaClient throughProxy = new AwsClients(AwsSettings.local(proxy.endpoint(), "us-east-1", "test", "test")).build(AthenaClient.builder())) {
            proxy.failFirst(1, request -> "AmazonAthena.StartQueryExecution".equals(request.target()));

            String queryId = queries(throughProxy, Duration.ofSeconds(10)).run(STATEMENT);

            assertThat(proxy.requests()).extracting(FaultInjectingProxy.Request::target).containsExactly(
                    "AmazonAthena.StartQueryExecution", "AmazonAthena.StartQueryExecution",
                    "AmazonAthena.GetQueryExecution");
            List<String> started = new ArrayList<>(executions());
            started.removeAll(before);
            assertThat(started).containsExactly(queryId);
        }
    }

    @Test
    void startRequestNamesStatementWorkgroupDatabaseAndAFreshTokenPerRun() {
        FakeAthena fake = new FakeAthena().started("q-1").then("SUCCEEDED").started("q-2").then("SUCCEEDED");
        AthenaQueries queries = queries(fake, Duration.ofSeconds(10));

        assertThat(queries.run(STATEMENT)).isEqualTo("q-1");
        assertThat(queries.run(STATEMENT)).isEqualTo("q-2");

        assertThat(fake.operations()).containsExactly(
                "StartQueryExecution", "GetQueryExecution", "StartQueryExecution", "GetQueryExecution");
        List<StartQueryExecutionRequest> starts = fake.requests(StartQueryExecutionRequest.class);
        // A fresh token per statement run: checked for Athena's bounds and set aside.
        assertThat(starts).extracting(StartQueryExecutionRequest::clientRequestToken)
                .allSatisfy(token -> assertThat(token).hasSizeBetween(32, 128))
                .doesNotHaveDuplicates();
        assertThat(starts.get(0).toBuilder().clientRequestToken(null).build())
                .isEqualTo(StartQueryExecutionRequest.builder()
                        .queryString(STATEMENT)
                        .workGroup("tarn")
                        .queryExecutionContext(c -> c.database("tarn_lake"))
                        .build());
        assertThat(fake.requests(GetQueryExecutionRequest.class)).containsExactly(
                GetQueryExecutionRequest.builder().queryExecutionId("q-1").build(),
                GetQueryExecutionRequest.builder().queryExecutionId("q-2").build());
    }

    @Test
    void failedQueryFailsNamingQueryWorkgroupStateReasonAndTheStatementsStart() {
        String statement = "MSCK REPAIR TABLE `orders` -- " + "x".repeat(400);
        FakeAthena fake = new FakeAthena().started("q-2").then("RUNNING")
                .then("FAILED", "FAILED: SemanticException [Error 10001]: Table not found tarn_lake.orders");

        assertThatThrownBy(() -> queries(fake, Duration.ofSeconds(10)).run(statement))
                .isInstanceOf(QueryException.class)
                .hasMessage("Athena query q-2 in workgroup tarn FAILED: FAILED: SemanticException [Error 10001]:"
                        + " Table not found tarn_lake.orders; statement: " + statement.substring(0, 300)
                        + "... (430 chars)")
                .hasNoCause();
        assertThat(fake.operations()).containsExactly("StartQueryExecution", "GetQueryExecution", "GetQueryExecution");
    }

    @Test
    void queryCancelledBySomeoneElseFailsSayingNoReasonWasGivenAndIsNotStopped() {
        FakeAthena fake = new FakeAthena().started("q-3").then("CANCELLED");

        assertThatThrownBy(() -> queries(fake, Duration.ofSeconds(10)).run(STATEMENT))
                .isInstanceOf(QueryException.class)
                .hasMessage("Athena query q-3 in workgroup tarn CANCELLED: no reason given; statement: " + STATEMENT);
        assertThat(fake.operations()).containsExactly("StartQueryExecution", "GetQueryExecution");
    }

    @Test
    void queryRunningAtTheBoundIsStoppedByItsId() {
        FakeAthena fake = new FakeAthena().started("q-4").then("RUNNING").then("RUNNING");

        assertThatThrownBy(() -> queries(fake, Duration.ofMillis(200)).run(STATEMENT))
                .isInstanceOf(QueryException.class)
                .hasMessage("Athena query q-4 in workgroup tarn still RUNNING after PT0.2S; statement: " + STATEMENT);
        assertThat(fake.operations())
                .containsExactly("StartQueryExecution", "GetQueryExecution", "GetQueryExecution", "StopQueryExecution");
        assertThat(fake.requests(StopQueryExecutionRequest.class))
                .containsExactly(StopQueryExecutionRequest.builder().queryExecutionId("q-4").build());
    }

    @Test
    void aFailedStopIsKeptWithTheTimeoutNotThrownInsteadOfIt() {
        InvalidRequestException refused = FakeAthena.invalidRequest("Not authorized to stop q-5");
        FakeAthena fake = new FakeAthena().started("q-5").then("QUEUED").fail("StopQueryExecution", refused);

        assertThatThrownBy(() -> queries(fake, Duration.ZERO).run(STATEMENT))
                .isInstanceOf(QueryException.class)
                .hasMessage("Athena query q-5 in workgroup tarn still QUEUED after PT0S; statement: " + STATEMENT)
                .satisfies(e -> assertThat(e.getSuppressed()).containsExactly(refused));
        assertThat(pollWaits).isEmpty();
    }

    @Test
    void throttlingTheClientGaveUpOnFailsNamingTheQuery() {
        var throttled = FakeAthena.tooManyRequests("Rate exceeded");
        FakeAthena fake = new FakeAthena().started("q-7").fail("GetQueryExecution", throttled);

        assertThatThrownBy(() -> queries(fake, Duration.ofSeconds(10)).run(STATEMENT))
                .isInstanceOf(QueryException.class)
                .hasMessage("Cannot read the state of Athena query q-7")
                .cause()
                .isSameAs(throttled);
        // One call: retrying throttling is the SDK client's job (see the retried start above).
        assertThat(fake.operations()).containsExactly("StartQueryExecution", "GetQueryExecution");
    }

    @Test
    void stateOutsideTheApiFailsAtOnceInsteadOfWaitingForTheBound() {
        FakeAthena fake = new FakeAthena().started("q-9").then(null);

        assertThatThrownBy(() -> queries(fake, Duration.ofSeconds(10)).run(STATEMENT))
                .isInstanceOf(QueryException.class)
                .hasMessage("Athena answered GetQueryExecution of query q-9 in workgroup tarn with state ''; statement: "
                        + STATEMENT);
        assertThat(pollWaits).isEmpty();
    }

    @Test
    void constructorRequiresItsParts() {
        assertThatThrownBy(() -> new AthenaQueries(null, "tarn", "tarn_lake"))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("athena is null");
        assertThatThrownBy(() -> new AthenaQueries(new FakeAthena(), null, "tarn_lake"))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("workgroup is null");
    }

    /** Queries in this class's workgroup on moto, or in "tarn" on a fake, in database tarn_lake. */
    private AthenaQueries queries(AthenaClient client, Duration maxWait) {
        return new AthenaQueries(client, client instanceof FakeAthena ? "tarn" : workgroup, "tarn_lake",
                delay -> {
                    pollWaits.add(delay);
                    clock.advance(delay);
                },
                clock, maxWait);
    }

    /** The ids of every query moto's Athena has in this class's workgroup. */
    private static List<String> executions() {
        return athena.listQueryExecutions(r -> r.workGroup(workgroup)).queryExecutionIds();
    }
}
