package io.tarn.ingest;

import static java.util.Objects.requireNonNull;

import io.tarn.events.InvalidEventException;
import io.tarn.events.ObjectCreatedEvents;
import io.tarn.events.ObjectCreatedEvents.Invocation;
import io.tarn.events.ObjectCreatedEvents.Message;
import io.tarn.log.JsonLogger;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs the RawObject service over one invocation's event. In an SQS batch every message stands
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

    public RawObjectResponse handle(InputStream event) throws InvalidEventException {
        Invocation invocation = ObjectCreatedEvents.decode(event);
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
