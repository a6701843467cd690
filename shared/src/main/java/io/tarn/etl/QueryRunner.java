package io.tarn.etl;

/** Runs one SQL statement to its end (Athena in AWS). */
public interface QueryRunner {

    /**
     * Runs the statement and waits until it succeeded.
     *
     * @return the query's id
     * @throws QueryException when it cannot be started, fails, is cancelled or does not finish in time;
     *     the message names the query id (once there is one), its state and the reason
     */
    String run(String statement);
}
