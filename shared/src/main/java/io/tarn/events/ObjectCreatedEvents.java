package io.tarn.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tarn.ingest.RawObjectRef;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Decodes the three shapes in which an "object created" reaches the RawObject function:
 * <ul>
 *   <li>an SQS batch whose message bodies are EventBridge "Object Created" events (production:
 *       S3 -> EventBridge -> SQS), or S3 notifications;</li>
 *   <li>an S3 notification ({@code Records[].s3}), where keys are form-encoded: {@code +} is a
 *       space and a literal plus is {@code %2B};</li>
 *   <li>a single EventBridge event, whose {@code detail.object.key} is not encoded.</li>
 * </ul>
 */
public final class ObjectCreatedEvents {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ObjectCreatedEvents() {}

    /**
     * One unit of work: a whole plain event, or one SQS message of a batch.
     *
     * @param messageId the SQS message id, reported back when this message fails
     * @param error why the message could not be decoded; such a message is reported as failed, so
     *     SQS keeps it and moves it to the dead-letter queue after its retries
     */
    public record Message(Optional<String> messageId, List<RawObjectRef> objects, Optional<String> error) {
        public Message {
            objects = List.copyOf(objects);
        }
    }

    /** The decoded invocation: its messages, and whether it is an SQS batch. */
    public record Invocation(boolean sqsBatch, List<Message> messages) {
        public Invocation {
            messages = List.copyOf(messages);
        }
    }

    public static Invocation decode(InputStream json) throws InvalidEventException {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (IOException e) {
            throw new InvalidEventException("event is not valid JSON: " + e.getMessage());
        }
        return decode(root);
    }

    public static Invocation decode(String json) throws InvalidEventException {
        try {
            return decode(JSON.readTree(json));
        } catch (JsonProcessingException e) {
            throw new InvalidEventException("event is not valid JSON: " + e.getOriginalMessage());
        }
    }

    private static Invocation decode(JsonNode root) throws InvalidEventException {
        if (root == null || !root.isObject()) {
            throw new InvalidEventException("event is not a JSON object");
        }
        JsonNode records = root.get("Records");
        if (records != null && records.isArray() && !records.isEmpty()
                && "aws:sqs".equals(text(records.get(0), "eventSource"))) {
            List<Message> messages = new ArrayList<>();
            for (JsonNode record : records) {
                Optional<String> messageId = Optional.ofNullable(text(record, "messageId"));
                try {
                    String body = text(record, "body");
                    if (body == null) {
                        throw new InvalidEventException("SQS message has no body");
                    }
                    JsonNode inner;
                    try {
                        inner = JSON.readTree(body);
                    } catch (JsonProcessingException e) {
                        throw new InvalidEventException("SQS message body is not JSON: " + e.getOriginalMessage());
                    }
                    messages.add(new Message(messageId, objects(inner), Optional.empty()));
                } catch (InvalidEventException e) {
                    messages.add(new Message(messageId, List.of(),
                            Optional.of("message " + messageId.orElse("?") + ": " + e.getMessage())));
                }
            }
            return new Invocation(true, messages);
        }
        return new Invocation(false, List.of(new Message(Optional.empty(), objects(root), Optional.empty())));
    }

    private static List<RawObjectRef> objects(JsonNode event) throws InvalidEventException {
        if (event == null || !event.isObject()) {
            throw new InvalidEventException("event is not a JSON object");
        }
        if ("s3:TestEvent".equals(text(event, "Event"))) {
            return List.of(); // S3 sends this once when a notification is configured
        }
        JsonNode records = event.get("Records");
        if (records != null && records.isArray()) {
            List<RawObjectRef> objects = new ArrayList<>();
            for (int i = 0; i < records.size(); i++) {
                JsonNode record = records.get(i);
                String eventName = text(record, "eventName");
                if (eventName != null && !eventName.startsWith("ObjectCreated:")) {
                    continue;
                }
                JsonNode s3 = record.get("s3");
                String bucket = text(path(s3, "bucket"), "name");
                String key = text(path(s3, "object"), "key");
                if (bucket == null || key == null) {
                    throw new InvalidEventException("Records[" + i + "].s3 lacks bucket.name or object.key");
                }
                JsonNode object = path(s3, "object");
                objects.add(new RawObjectRef(bucket, URLDecoder.decode(key, StandardCharsets.UTF_8),
                        Optional.ofNullable(text(object, "versionId")), Optional.ofNullable(text(object, "eTag"))));
            }
            return objects;
        }
        if (event.has("detail-type")) {
            String detailType = text(event, "detail-type");
            if (!"Object Created".equals(detailType)) {
                throw new InvalidEventException("EventBridge event of type '" + detailType + "', expected 'Object Created'");
            }
            JsonNode detail = event.get("detail");
            String bucket = text(path(detail, "bucket"), "name");
            JsonNode object = path(detail, "object");
            String key = text(object, "key");
            if (bucket == null || key == null) {
                throw new InvalidEventException("EventBridge event lacks detail.bucket.name or detail.object.key");
            }
            return List.of(new RawObjectRef(bucket, key,
                    Optional.ofNullable(text(object, "version-id")), Optional.ofNullable(text(object, "etag"))));
        }
        throw new InvalidEventException(
                "not an S3 object event: expected an SQS batch, an S3 notification (Records[].s3) or an EventBridge 'Object Created' event");
    }

    private static JsonNode path(JsonNode node, String field) {
        return node == null ? null : node.get(field);
    }

    private static String text(JsonNode node, String field) {
        if (node == null) {
            return null;
        }
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }
}
