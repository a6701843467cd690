package io.tarn.poll;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tarn.events.InvalidEventException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The SqlPoller function's events and response.
 *
 * <p>Two events are accepted:
 *
 * <ul>
 *   <li>EventBridge's scheduled event ({@code "detail-type": "Scheduled Event"}): poll every
 *       {@code azuresql} dataset;
 *   <li>a manual event naming datasets, for a backfill or an on-demand run:
 *       {@code {"tables": ["invoices"]}}.
 * </ul>
 *
 * <p>The response is the {@link PollReport} as JSON ({@link #toJson}).
 */
public final class PollEvents {

    /** EventBridge's {@code detail-type} of a schedule rule's event. */
    public static final String SCHEDULED_EVENT = "Scheduled Event";
    /** The manual event's field: a non-empty array of dataset names. */
    public static final String TABLES = "tables";

    private static final ObjectMapper JSON = new ObjectMapper();

    private PollEvents() {}

    /** Decodes an event into what to poll; a shape that is neither event fails saying why. */
    public static PollRequest decode(InputStream event) throws InvalidEventException, IOException {
        JsonNode root;
        try {
            root = JSON.readTree(event);
        } catch (JsonProcessingException e) {
            throw new InvalidEventException("the event is not JSON: " + e.getOriginalMessage());
        }
        return decode(root);
    }

    /** Decodes a parsed event; see {@link #decode(InputStream)}. */
    public static PollRequest decode(JsonNode root) throws InvalidEventException {
        if (root == null || !root.isObject()) {
            throw new InvalidEventException("the event is not a JSON object");
        }
        JsonNode detailType = root.get("detail-type");
        JsonNode tables = root.get(TABLES);
        if (detailType != null && tables != null) {
            throw new InvalidEventException("the event has both \"detail-type\" and \"" + TABLES
                    + "\": send either EventBridge's scheduled event or {\"" + TABLES + "\": [...]}");
        }
        if (detailType != null) {
            if (!SCHEDULED_EVENT.equals(detailType.asText(null))) {
                throw new InvalidEventException("an EventBridge event of detail-type " + detailType
                        + " is not for the SqlPoller (expected \"" + SCHEDULED_EVENT + "\")");
            }
            return PollRequest.all();
        }
        if (tables != null) {
            return new PollRequest(tableNames(tables));
        }
        throw new InvalidEventException("expected EventBridge's scheduled event (\"detail-type\": \""
                + SCHEDULED_EVENT + "\") or a manual event {\"" + TABLES + "\": [\"<dataset>\", ...]}");
    }

    private static List<String> tableNames(JsonNode tables) throws InvalidEventException {
        if (!tables.isArray() || tables.isEmpty()) {
            throw new InvalidEventException("\"" + TABLES + "\" must be a non-empty array of dataset names, got " + tables);
        }
        // A name given twice is polled once, in its first position.
        Set<String> names = new LinkedHashSet<>();
        for (JsonNode name : tables) {
            if (!name.isTextual() || name.asText().isBlank()) {
                throw new InvalidEventException("\"" + TABLES + "\" must hold dataset names, got " + name);
            }
            names.add(name.asText().trim());
        }
        return new ArrayList<>(names);
    }

    /** The function's response: every table's report, keys in the order written. */
    public static ObjectNode toJson(PollReport report) {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode tables = root.putArray("tables");
        for (PollReport.TableReport table : report.tables()) {
            ObjectNode node = tables.addObject();
            node.put("dataset", table.dataset());
            node.put("strategy", table.strategy());
            node.put("pages", table.pages());
            node.put("rows", table.rows());
            ArrayNode keys = node.putArray("objectKeys");
            table.objectKeys().forEach(keys::add);
            node.put("watermarkBefore", table.watermarkBefore());
            node.put("watermarkAfter", table.watermarkAfter());
            node.put("caughtUp", table.caughtUp());
            node.put("stoppedBecause", table.stoppedBecause().orElse(null));
        }
        return root;
    }
}
