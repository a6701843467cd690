package io.tarn.etl.trigger;

/** Starts executions of the ETL state machine (Step Functions in AWS). */
public interface EtlExecutions {

    /**
     * Starts an execution unless one of that name exists.
     *
     * @param name the execution name, which is the ETL run id
     * @param input the execution's input, a JSON object
     * @return {@code true} when this call started it (or found it running with the same input, which
     *     Step Functions answers alike), {@code false} when an execution of that name already exists
     * @throws EtlTriggerException when the execution could not be started; nothing was started
     */
    boolean start(String name, String input);
}
