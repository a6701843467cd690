package io.tarn.ingest;

import static java.util.Objects.requireNonNull;

import io.tarn.events.InvalidEventException;
import io.tarn.ingest.RawObjectInvocation.Message;
import io.tarn.log.JsonLogger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs the RawObject service over one decoded invocation. In an SQS batch every message stands
 * alone: a failing message is reported in {@code batchItemFailures} (SQS redelivers only those,
 * and moves them to the dead-letter queue after the queue's retries) while the others complete.
 * A plain S3 or EventBridge invocation fails as a whole, so Lambda's async retries apply.
 */
public final class RawObjectEventProcessor {

    private final RawObjectService service;
    private final JsonLogger log;

    public RawObjectEventProcessor(RawObjectService service, JsonLogger log) {
        this.service = requireNonNull(service, "service is null");
        this.log = requireNonNull(log, "log is null");
    }

    /**
     * Processes every object of the invocation.
     *
     * @throws InvalidEventException when a plain invocation's message could not be decoded (an SQS
     *     batch reports such a message in {@code batchItemFailures} instead)
     */
    public RawObjectResponse handle(RawObjectInvocation invocation) throws InvalidEventException {
        requireNonNull(invocation, "invocation is null");
        List<RawObjectResponse.ItemFailure> failures = new ArrayList<>();
        List<IngestOutcome> outcomes = new ArrayList<>();
        for (Message message : invocation.messages()) {
            if (message.error().isPresent()) {
                if (!invocation.sqsBatch()) {
                    throw new InvalidEventException(message.error().get());
                }
                log.error("undecodable message", Map.of("error", message.error().get()));
                failures.add(new RawObjectResponse.ItemFailure(message.messageId().orElse("")));
                continue;
            }
            for (RawObjectRef object : message.objects()) {
                try {
                    outcomes.add(service.process(object));
                } catch (RuntimeException e) {
                    if (!invocation.sqsBatch()) {
                        throw e;
                    }
                    Map<String, Object> fields = new LinkedHashMap<>();
                    fields.put("source", object.uri());
                    fields.put("messageId", message.messageId().orElse(""));
                    fields.put("error", e.toString());
                    log.error("raw object failed; the message will be redelivered", fields);
                    failures.add(new RawObjectResponse.ItemFailure(message.messageId().orElse("")));
                    break; // the rest of this message is redone with it
                }
            }
        }
        return new RawObjectResponse(invocation.sqsBatch(), failures, outcomes);
    }
}
