package io.tarn.jobs.etl;

/** A job argument is missing or wrong; the message names the argument and what it expects. */
public final class EtlArgumentException extends IllegalArgumentException {
    public EtlArgumentException(String argument, String message) {
        super("argument " + argument + ": " + message);
    }
}
