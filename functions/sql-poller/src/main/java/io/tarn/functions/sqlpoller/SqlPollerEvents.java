package io.tarn.functions.sqlpoller;

import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;
import com.amazonaws.services.lambda.runtime.serialization.PojoSerializer;
import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tarn.events.InvalidEventException;
import io.tarn.poll.PollEvents;
import io.tarn.poll.PollRequest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The SqlPoller function's events. Two are accepted:
 *
 * <ul>
 *   <li>EventBridge's scheduled event ({@code "detail-type": "Scheduled Event"}, a
 *       {@link ScheduledEvent} of the Lambda events library, decoded by the serializer Lambda's
 *       runtime gives POJO handlers): poll every {@code azuresql} dataset. The template's
 *       EventBridge Scheduler target sends the same shape as its input;
 *   <li>Tarn's manual request naming datasets, {@code {"tables": ["invoices"]}}, optionally
 *       with {@code "snapshot_keys": true}
 *       ({@link PollEvents#manualRequest}).
 * </ul>
 */
public final class SqlPollerEvents {

    /** EventBridge's {@code detail-type} of a schedule's event. */
    public static final String SCHEDULED_EVENT = "Scheduled Event";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final PojoSerializer<ScheduledEvent> SCHEDULE =
            LambdaEventSerializers.serializerFor(ScheduledEvent.class, SqlPollerEvents.class.getClassLoader());

    private SqlPollerEvents() {}

    /** Decodes an invocation's payload into what to poll; a shape that is neither event fails saying why. */
    public static PollRequest decode(byte[] event) throws InvalidEventException {
        JsonNode root;
        try {
            root = JSON.readTree(event);
        } catch (JsonProcessingException e) {
            throw new InvalidEventException("the event is not JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new InvalidEventException("the event is not JSON: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw new InvalidEventException("the event is not a JSON object");
        }
        boolean scheduled = root.has("detail-type");
        boolean manual = root.has(PollEvents.TABLES);
        if (scheduled && manual) {
            throw new InvalidEventException("the event has both \"detail-type\" and \"" + PollEvents.TABLES
                    + "\": send either EventBridge's scheduled event or {\"" + PollEvents.TABLES + "\": [...]}");
        }
        if (scheduled) {
            return fromSchedule(schedule(new String(event, StandardCharsets.UTF_8)));
        }
        if (manual) {
            return PollEvents.manualRequest(root.get(PollEvents.TABLES), root.get(PollEvents.SNAPSHOT_KEYS));
        }
        throw new InvalidEventException("expected EventBridge's scheduled event (\"detail-type\": \""
                + SCHEDULED_EVENT + "\") or a manual event {\"" + PollEvents.TABLES + "\": [\"<dataset>\", ...]}");
    }

    /** A scheduled event polls every dataset; another EventBridge event is not for this function. */
    public static PollRequest fromSchedule(ScheduledEvent event) throws InvalidEventException {
        if (!SCHEDULED_EVENT.equals(event.getDetailType())) {
            String detailType = event.getDetailType() == null ? "null" : "\"" + event.getDetailType() + "\"";
            throw new InvalidEventException("an EventBridge event of detail-type " + detailType
                    + " is not for the SqlPoller (expected \"" + SCHEDULED_EVENT + "\")");
        }
        return PollRequest.all();
    }

    private static ScheduledEvent schedule(String json) throws InvalidEventException {
        try {
            return SCHEDULE.fromJson(json);
        } catch (RuntimeException e) {
            throw InvalidEventException.undecodable("the EventBridge event", e);
        }
    }
}
