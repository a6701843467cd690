package io.tarn.etl;

/** A statement did not run to success; the message names the query, its state and the reason. */
public class QueryException extends RuntimeException {
    public QueryException(String message, Throwable cause) {
        super(message, cause);
    }
}
