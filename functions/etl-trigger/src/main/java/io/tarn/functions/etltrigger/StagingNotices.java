package io.tarn.functions.etltrigger;

import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;
import com.amazonaws.services.lambda.runtime.serialization.PojoSerializer;
import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;
import io.tarn.etl.trigger.StagingChange;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The SQS messages of EtlTrigger, each the EventBridge "Object Created" event of a staging object
 * (the rule in template.yaml sends RawObject's manifests), decoded with the Lambda runtime's own
 * serializer: EventBridge events are {@link ScheduledEvent}s there, whose {@code detail} the
 * library leaves a map ({@code bucket.name}, {@code object.key}).
 */
final class StagingNotices {

    private static final PojoSerializer<ScheduledEvent> EVENTS =
            LambdaEventSerializers.serializerFor(ScheduledEvent.class, StagingNotices.class.getClassLoader());

    /** The changes of a batch, and the messages that are not a staging object's creation (with why). */
    record Decoded(List<StagingChange> changes, List<Undecodable> undecodable) {}

    record Undecodable(String messageId, String reason) {}

    private StagingNotices() {}

    static Decoded decode(SQSEvent event) {
        List<StagingChange> changes = new ArrayList<>();
        List<Undecodable> undecodable = new ArrayList<>();
        List<SQSEvent.SQSMessage> records = event == null || event.getRecords() == null ? List.of() : event.getRecords();
        for (SQSEvent.SQSMessage message : records) {
            String id = message.getMessageId() == null ? "" : message.getMessageId();
            try {
                changes.add(change(id, message.getBody()));
            } catch (RuntimeException e) {
                undecodable.add(new Undecodable(id, "message " + id + ": " + e.getMessage()));
            }
        }
        return new Decoded(changes, undecodable);
    }

    private static StagingChange change(String id, String body) {
        if (body == null || body.isBlank()) {
            throw new IllegalArgumentException("the message has no body");
        }
        ScheduledEvent event;
        try {
            event = EVENTS.fromJson(body);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("the body is not an EventBridge event: " + e.getMessage(), e);
        }
        if (!"Object Created".equals(event.getDetailType())) {
            throw new IllegalArgumentException(
                    "EventBridge event of type '" + event.getDetailType() + "', expected 'Object Created'");
        }
        if (event.getTime() == null) {
            throw new IllegalArgumentException("the EventBridge event has no time");
        }
        Map<String, Object> detail = event.getDetail() == null ? Map.of() : event.getDetail();
        String bucket = text(detail, "bucket", "name");
        String key = text(detail, "object", "key");
        if (bucket == null || key == null) {
            throw new IllegalArgumentException("the EventBridge event lacks detail.bucket.name or detail.object.key");
        }
        // EventBridge's S3 keys are not URL-encoded, unlike those of S3 notifications.
        return new StagingChange(id, bucket, key, Instant.ofEpochMilli(event.getTime().getMillis()));
    }

    private static String text(Map<String, Object> detail, String object, String field) {
        return detail.get(object) instanceof Map<?, ?> map && map.get(field) instanceof String value ? value : null;
    }
}
