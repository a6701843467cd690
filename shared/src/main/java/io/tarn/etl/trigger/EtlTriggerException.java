package io.tarn.etl.trigger;

/** An ETL execution could not be started; the notices that asked for it are to be delivered again. */
public final class EtlTriggerException extends RuntimeException {

    public EtlTriggerException(String message, Throwable cause) {
        super(message, cause);
    }
}
