package io.tarn.functions.rawobject;

import static java.util.Objects.requireNonNull;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import io.tarn.events.InvalidEventException;
import io.tarn.ingest.RawObjectConfig;
import io.tarn.ingest.RawObjectEventProcessor;
import io.tarn.ingest.RawObjectResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * RawObject: converts raw CSV objects named by S3 "object created" events into staging Parquet.
 * Accepts an SQS batch of EventBridge events (with partial batch failures), an S3 notification
 * or a single EventBridge event ({@link RawObjectEvents}).
 */
public final class RawObjectHandler implements RequestStreamHandler {

    private final RawObjectEventProcessor processor;

    /** Lambda's constructor: real AWS clients, built once per container. */
    public RawObjectHandler() {
        this(RawObjectWiring.aws(RawObjectConfig.fromEnv(System.getenv())));
    }

    public RawObjectHandler(RawObjectEventProcessor processor) {
        this.processor = requireNonNull(processor, "processor is null");
    }

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        RawObjectResponse response;
        try {
            response = processor.handle(RawObjectEvents.decode(input.readAllBytes()));
        } catch (InvalidEventException e) {
            throw new IllegalArgumentException("RawObject cannot handle this event: " + e.getMessage(), e);
        }
        RawObjectEvents.encode(response, output);
    }
}
