package io.tarn.aws.athena;

import static java.util.Objects.requireNonNull;

import io.tarn.etl.QueryException;
import io.tarn.etl.QueryRunner;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.athena.AthenaClient;
import software.amazon.awssdk.services.athena.model.InvalidRequestException;
import software.amazon.awssdk.services.athena.model.QueryExecution;
import software.amazon.awssdk.services.athena.model.QueryExecutionStatus;

/**
 * {@link QueryRunner} over Athena: StartQueryExecution in a workgroup with the Glue database as
 * the query's database, then GetQueryExecution with growing pauses until the query succeeded,
 * failed, was cancelled, or {@code maxWait} passed (the query is then stopped). The polling is the
 * query's own progress, not a retry: each call's throttling and server errors are retried by the
 * SDK client (see {@code AwsClients}).
 */
public final class AthenaQueries implements QueryRunner {

    /** DDL on the catalog takes seconds; a query still queued or running after this is reported, not awaited. */
    public static final Duration DEFAULT_MAX_WAIT = Duration.ofMinutes(10);
    static final Duration FIRST_POLL = Duration.ofMillis(200);
    static final Duration MAX_POLL = Duration.ofSeconds(5);

    private final AthenaClient athena;
    private final String workgroup;
    private final String database;
    private final Sleeper sleeper;
    private final Clock clock;
    private final Duration maxWait;

    public AthenaQueries(AthenaClient athena, String workgroup, String database) {
        this(athena, workgroup, database, delay -> Thread.sleep(delay.toMillis()), Clock.systemUTC(), DEFAULT_MAX_WAIT);
    }

    /**
     * @param sleeper waits between polls (a clock-moving recorder in tests)
     * @param maxWait how long a query may stay queued or running before it is stopped and reported
     */
    public AthenaQueries(AthenaClient athena, String workgroup, String database, Sleeper sleeper, Clock clock,
            Duration maxWait) {
        this.athena = requireNonNull(athena, "athena is null");
        this.workgroup = requireNonNull(workgroup, "workgroup is null");
        this.database = requireNonNull(database, "database is null");
        this.sleeper = requireNonNull(sleeper, "sleeper is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.maxWait = requireNonNull(maxWait, "maxWait is null");
    }

    @Override
    public String run(String statement) {
        requireNonNull(statement, "statement is null");
        String queryId = start(statement);
        Instant giveUp = clock.instant().plus(maxWait);
        Duration pause = FIRST_POLL;
        while (true) {
            QueryExecutionStatus status = status(queryId);
            String state = status == null || status.stateAsString() == null ? "" : status.stateAsString();
            switch (state) {
                case "SUCCEEDED":
                    return queryId;
                case "FAILED":
                case "CANCELLED":
                    throw new QueryException("Athena query %s in workgroup %s %s: %s; statement: %s".formatted(
                            queryId, workgroup, state,
                            status.stateChangeReason() == null ? "no reason given" : status.stateChangeReason(),
                            abbreviate(statement)), null);
                case "QUEUED":
                case "RUNNING":
                    Duration left = Duration.between(clock.instant(), giveUp);
                    if (left.isNegative() || left.isZero()) {
                        throw stop(queryId, new QueryException(
                                "Athena query %s in workgroup %s still %s after %s; statement: %s".formatted(
                                        queryId, workgroup, state, maxWait, abbreviate(statement)), null));
                    }
                    // The last pause ends at the bound, so the query gets its full time and no more.
                    pause(queryId, pause.compareTo(left) < 0 ? pause : left);
                    pause = pause.multipliedBy(2).compareTo(MAX_POLL) > 0 ? MAX_POLL : pause.multipliedBy(2);
                    break;
                default:
                    // Not a state of the API: waiting would only end at the bound, with a wrong message.
                    throw new QueryException(("Athena answered GetQueryExecution of query %s in workgroup %s"
                            + " with state '%s'; statement: %s").formatted(
                                    queryId, workgroup, state, abbreviate(statement)), null);
            }
        }
    }

    /**
     * Stops a query given up on: left running, it would hold one of the workgroup's concurrent
     * queries and race the same statement started again by the state machine's retry. Athena
     * answers a stop of a query that has just finished with success, so the race is harmless; a
     * failed stop is kept with the timeout, not thrown instead of it.
     */
    private QueryException stop(String queryId, QueryException timeout) {
        try {
            athena.stopQueryExecution(r -> r.queryExecutionId(queryId));
        } catch (SdkException e) {
            timeout.addSuppressed(e);
        }
        return timeout;
    }

    private String start(String statement) {
        // One token per statement run, the same on each of the SDK client's retries (one request
        // object): a retry after a lost answer returns the first query, not a second one.
        // Deliberately not derived from the statement across invocations: Athena answers a reused
        // token with the query it first started, so a query that FAILED would come back on every
        // retry of the state machine and a transient failure could never be retried. The
        // statements run here (ADD IF NOT EXISTS PARTITION, MSCK REPAIR) may run twice.
        String token = UUID.randomUUID().toString();
        String id;
        try {
            id = athena.startQueryExecution(r -> r.queryString(statement)
                            .workGroup(workgroup)
                            .clientRequestToken(token)
                            .queryExecutionContext(c -> c.database(database)))
                    .queryExecutionId();
        } catch (InvalidRequestException e) {
            // Athena's own words say what is wrong: no such workgroup, a syntax error, a bad name.
            throw new QueryException("Athena refused the query in workgroup %s: %s; statement: %s".formatted(
                    workgroup, e.awsErrorDetails() == null ? e.getMessage() : e.awsErrorDetails().errorMessage(),
                    abbreviate(statement)), e);
        } catch (SdkException e) {
            throw new QueryException("Cannot start Athena query in workgroup %s; statement: %s"
                    .formatted(workgroup, abbreviate(statement)), e);
        }
        if (id == null || id.isEmpty()) {
            throw new QueryException("Athena answered StartQueryExecution without a QueryExecutionId; statement: "
                    + abbreviate(statement), null);
        }
        return id;
    }

    private QueryExecutionStatus status(String queryId) {
        try {
            QueryExecution execution = athena.getQueryExecution(r -> r.queryExecutionId(queryId)).queryExecution();
            return execution == null ? null : execution.status();
        } catch (SdkException e) {
            throw new QueryException("Cannot read the state of Athena query " + queryId, e);
        }
    }

    private void pause(String queryId, Duration pause) {
        try {
            sleeper.sleep(pause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new QueryException("Interrupted while waiting for Athena query " + queryId, e);
        }
    }

    /** Statements can be 256 KB; errors carry their start. */
    private static String abbreviate(String statement) {
        return statement.length() <= 300 ? statement : statement.substring(0, 300) + "... (" + statement.length() + " chars)";
    }

    /** Waits between polls of a query. */
    @FunctionalInterface
    public interface Sleeper {
        void sleep(Duration delay) throws InterruptedException;
    }
}
