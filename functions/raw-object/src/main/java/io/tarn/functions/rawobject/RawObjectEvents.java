package io.tarn.functions.rawobject;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;
import com.amazonaws.services.lambda.runtime.events.models.s3.S3EventNotification;
import com.amazonaws.services.lambda.runtime.events.models.s3.S3EventNotification.S3EventNotificationRecord;
import com.amazonaws.services.lambda.runtime.events.models.s3.S3EventNotification.S3ObjectEntity;
import com.amazonaws.services.lambda.runtime.serialization.PojoSerializer;
import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tarn.events.InvalidEventException;
import io.tarn.ingest.RawObjectInvocation;
import io.tarn.ingest.RawObjectInvocation.Message;
import io.tarn.ingest.RawObjectRef;
import io.tarn.ingest.RawObjectResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The RawObject function's events, as the types of {@code aws-lambda-java-events} decoded by the
 * serializer Lambda's Java runtime gives POJO handlers ({@code aws-lambda-java-serialization}), and
 * its answers. Three shapes reach the function:
 *
 * <ul>
 *   <li>an SQS batch ({@link SQSEvent}, {@code Records[0].eventSource} is {@code aws:sqs}) whose
 *       message bodies are EventBridge "Object Created" events (production: S3 -> EventBridge ->
 *       SQS) or S3 notifications; answered with an {@link SQSBatchResponse};
 *   <li>an S3 notification ({@link S3EventNotification}, {@code Records[].s3}), whose keys are
 *       form-encoded: {@code +} is a space and a literal plus is {@code %2B};
 *   <li>an EventBridge event ({@code detail-type}), whose {@code detail.object.key} is not
 *       encoded. The events library models every EventBridge event as {@link ScheduledEvent},
 *       with {@code detail} as a map: S3's detail has no type of its own there.
 * </ul>
 *
 * <p>The function is a stream handler because it takes more than one type: the shape is told from
 * the JSON, then the bytes are decoded as that type.
 */
public final class RawObjectEvents {

    private static final String SQS_EVENT_SOURCE = "aws:sqs";
    private static final String OBJECT_CREATED = "Object Created";
    /** S3 sends this once, to the destination, when a notification is configured. */
    private static final String S3_TEST_EVENT = "s3:TestEvent";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ClassLoader CLASS_LOADER = RawObjectEvents.class.getClassLoader();
    private static final PojoSerializer<SQSEvent> SQS =
            LambdaEventSerializers.serializerFor(SQSEvent.class, CLASS_LOADER);
    private static final PojoSerializer<S3EventNotification> S3 =
            LambdaEventSerializers.serializerFor(S3EventNotification.class, CLASS_LOADER);
    private static final PojoSerializer<ScheduledEvent> EVENT_BRIDGE =
            LambdaEventSerializers.serializerFor(ScheduledEvent.class, CLASS_LOADER);
    private static final PojoSerializer<SQSBatchResponse> BATCH_RESPONSE =
            LambdaEventSerializers.serializerFor(SQSBatchResponse.class, CLASS_LOADER);

    private RawObjectEvents() {}

    /** Builds the serializers now (they are made once, when the class is first used). */
    public static void warmUp() {
        // Calling a static method initialises the class, and so its serializers.
    }

    /** Decodes an invocation's payload; a shape the function does not take fails saying why. */
    public static RawObjectInvocation decode(byte[] event) throws InvalidEventException {
        JsonNode root;
        try {
            root = JSON.readTree(event);
        } catch (JsonProcessingException e) {
            throw new InvalidEventException("event is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new InvalidEventException("event is not valid JSON: " + e.getMessage());
        }
        String json = new String(event, StandardCharsets.UTF_8);
        JsonNode records = root == null ? null : root.get("Records");
        if (records != null && records.isArray() && !records.isEmpty()
                && SQS_EVENT_SOURCE.equals(records.get(0).path("eventSource").asText(null))) {
            return fromSqs(decode(SQS, json, "SQS batch"));
        }
        return RawObjectInvocation.plain(objects(root, json));
    }

    /**
     * The batch's messages, one unit of work each. A message whose body is not an object event is
     * kept as undecodable, so that it alone is reported failed and the others are processed.
     */
    public static RawObjectInvocation fromSqs(SQSEvent batch) {
        List<Message> messages = new ArrayList<>();
        for (SQSEvent.SQSMessage message : batch.getRecords() == null ? List.<SQSEvent.SQSMessage>of() : batch.getRecords()) {
            Optional<String> messageId = Optional.ofNullable(message.getMessageId());
            try {
                messages.add(Message.of(messageId, body(message)));
            } catch (InvalidEventException e) {
                messages.add(Message.undecodable(messageId, "message " + messageId.orElse("?") + ": " + e.getMessage()));
            }
        }
        return new RawObjectInvocation(true, messages);
    }

    /**
     * The created objects an S3 notification names, keys URL-decoded. Records of other events
     * (removals, restores) are skipped: they name nothing to convert.
     */
    public static List<RawObjectRef> objects(S3EventNotification notification) throws InvalidEventException {
        List<S3EventNotificationRecord> records =
                notification.getRecords() == null ? List.of() : notification.getRecords();
        List<RawObjectRef> objects = new ArrayList<>();
        for (int i = 0; i < records.size(); i++) {
            S3EventNotificationRecord record = records.get(i);
            // The serializer reads an absent field as "": a record without a name is taken as a creation.
            String eventName = record.getEventName();
            if (present(eventName) && !eventName.startsWith("ObjectCreated:")) {
                continue;
            }
            String bucket = record.getS3() == null || record.getS3().getBucket() == null
                    ? null : record.getS3().getBucket().getName();
            S3ObjectEntity object = record.getS3() == null ? null : record.getS3().getObject();
            if (!present(bucket) || object == null || !present(object.getKey())) {
                throw new InvalidEventException("Records[" + i + "].s3 lacks bucket.name or object.key");
            }
            String key;
            try {
                key = object.getUrlDecodedKey();
            } catch (IllegalArgumentException e) {
                throw new InvalidEventException("Records[" + i + "].s3.object.key '" + object.getKey()
                        + "' is not URL-encoded: " + e.getMessage());
            }
            objects.add(new RawObjectRef(bucket, key, optional(object.getVersionId()), optional(object.geteTag())));
        }
        return objects;
    }

    /** The object an EventBridge "Object Created" event names; its key is not encoded. */
    public static List<RawObjectRef> objects(ScheduledEvent event) throws InvalidEventException {
        if (!OBJECT_CREATED.equals(event.getDetailType())) {
            throw new InvalidEventException("EventBridge event of type '" + event.getDetailType()
                    + "', expected '" + OBJECT_CREATED + "'");
        }
        Map<?, ?> detail = event.getDetail() == null ? Map.of() : event.getDetail();
        Map<?, ?> object = map(detail.get("object"));
        String bucket = text(map(detail.get("bucket")), "name");
        String key = text(object, "key");
        if (bucket == null || key == null) {
            throw new InvalidEventException("EventBridge event lacks detail.bucket.name or detail.object.key");
        }
        return List.of(new RawObjectRef(bucket, key,
                Optional.ofNullable(text(object, "version-id")), Optional.ofNullable(text(object, "etag"))));
    }

    /**
     * Writes the function's answer: for an SQS batch, Lambda's partial batch response (the messages
     * SQS must redeliver) as the runtime would encode it; for a plain event, the per-object summary.
     */
    public static void encode(RawObjectResponse response, OutputStream output) throws IOException {
        if (!response.sqsBatch()) {
            JSON.writeValue(output, response.toJson());
            return;
        }
        List<SQSBatchResponse.BatchItemFailure> failures = response.batchItemFailures().stream()
                .map(failure -> new SQSBatchResponse.BatchItemFailure(failure.itemIdentifier()))
                .toList();
        BATCH_RESPONSE.toJson(new SQSBatchResponse(new ArrayList<>(failures)), output);
    }

    private static List<RawObjectRef> body(SQSEvent.SQSMessage message) throws InvalidEventException {
        String body = message.getBody();
        if (body == null) {
            throw new InvalidEventException("SQS message has no body");
        }
        JsonNode event;
        try {
            event = JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw new InvalidEventException("SQS message body is not JSON: " + e.getOriginalMessage());
        }
        return objects(event, body);
    }

    /** The objects of one event that is not a batch: an S3 notification or an EventBridge event. */
    private static List<RawObjectRef> objects(JsonNode event, String json) throws InvalidEventException {
        if (event == null || !event.isObject()) {
            throw new InvalidEventException("event is not a JSON object");
        }
        if (S3_TEST_EVENT.equals(event.path("Event").asText(null))) {
            return List.of();
        }
        if (event.path("Records").isArray()) {
            return objects(s3Notification(event, json));
        }
        if (event.has("detail-type")) {
            return objects(decode(EVENT_BRIDGE, json, "EventBridge event"));
        }
        throw new InvalidEventException("not an S3 object event: expected an SQS batch, an S3 notification "
                + "(Records[].s3) or an EventBridge '" + OBJECT_CREATED + "' event");
    }

    private static S3EventNotification s3Notification(JsonNode event, String json) throws InvalidEventException {
        try {
            return S3.fromJson(json);
        } catch (RuntimeException e) {
            // On any failure the serializer retries with the v2 SDK's S3EventNotification, which is not
            // here, and throws only that ClassNotFoundException: name the record it could not read.
            JsonNode records = event.get("Records");
            for (int i = 0; i < records.size(); i++) {
                JsonNode record = records.get(i);
                if (!record.isObject()) {
                    throw new InvalidEventException("S3 notification does not decode: Records[" + i + "] is not an object");
                }
                if (!record.path("eventTime").isTextual()) {
                    throw new InvalidEventException("S3 notification does not decode: Records[" + i
                            + "] has no eventTime (S3 sends an ISO-8601 time)");
                }
                try {
                    // The record's constructor parses the time as the serializer's call of it does.
                    new S3EventNotificationRecord(null, null, null, record.get("eventTime").asText(), null, null, null, null, null);
                } catch (IllegalArgumentException badTime) {
                    throw new InvalidEventException("S3 notification does not decode: Records[" + i + "].eventTime: "
                            + badTime.getMessage());
                }
            }
            throw InvalidEventException.undecodable("S3 notification", e);
        }
    }

    /** The library's decoding, its failure (a Jackson, org.json or Joda exception, wrapped) as an event error. */
    private static <T> T decode(PojoSerializer<T> serializer, String json, String what) throws InvalidEventException {
        try {
            return serializer.fromJson(json);
        } catch (RuntimeException e) {
            throw InvalidEventException.undecodable(what, e);
        }
    }

    private static Map<?, ?> map(Object value) {
        return value instanceof Map<?, ?> map ? map : Map.of();
    }

    /** A scalar of EventBridge's detail as text, as S3 sends it; null when absent or not a scalar. */
    private static String text(Map<?, ?> map, String field) {
        Object value = map.get(field);
        return value instanceof String || value instanceof Number || value instanceof Boolean
                ? String.valueOf(value) : null;
    }

    private static boolean present(String value) {
        return value != null && !value.isEmpty();
    }

    private static Optional<String> optional(String value) {
        return Optional.ofNullable(value).filter(RawObjectEvents::present);
    }
}
