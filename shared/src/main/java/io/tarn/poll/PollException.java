package io.tarn.poll;

/** Polling a source table failed (the database, the upload or the state store); the message names the dataset. */
public class PollException extends RuntimeException {
    public PollException(String message, Throwable cause) {
        super(message, cause);
    }
}
