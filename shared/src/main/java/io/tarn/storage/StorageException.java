package io.tarn.storage;

/** A storage request failed after the client's retries. */
public class StorageException extends RuntimeException {
    public StorageException(String message, Throwable cause) {
        super(message, cause);
    }
}
