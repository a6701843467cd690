package io.tarn.pipeline;

/** pipeline.yaml is unreadable or invalid; the message names the file, dataset and field. */
public class PipelineConfigException extends RuntimeException {
    public PipelineConfigException(String message) {
        super(message);
    }

    public PipelineConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
