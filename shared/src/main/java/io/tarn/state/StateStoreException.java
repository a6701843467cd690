package io.tarn.state;

/** A state store request failed after the client's retries. */
public class StateStoreException extends RuntimeException {
    public StateStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
