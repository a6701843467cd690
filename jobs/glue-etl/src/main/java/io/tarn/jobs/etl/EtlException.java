package io.tarn.jobs.etl;

/** A run cannot do what pipeline.yaml asks (a join's SQL is wrong, a table cannot be read); names the join or table. */
public final class EtlException extends RuntimeException {
    public EtlException(String message) {
        super(message);
    }

    public EtlException(String message, Throwable cause) {
        super(message, cause);
    }
}
