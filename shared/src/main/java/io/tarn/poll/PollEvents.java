package io.tarn.poll;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tarn.events.InvalidEventException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The SqlPoller's own message shapes: the manual request and the response.
 *
 * <p>The manual request names datasets, for a backfill or an on-demand run:
 * {@code {"tables": ["invoices"]}}, optionally with {@code "snapshot_keys": true} to take a key
 * snapshot of those tables now (see {@link PollRequest#snapshotKeys()}). EventBridge's scheduled event (poll every dataset) is an AWS
 * event, decoded by the function with the Lambda events library.
 *
 * <p>The response is the {@link PollReport} as JSON ({@link #toJson}).
 */
public final class PollEvents {

    /** The manual request's field: a non-empty array of dataset names. */
    public static final String TABLES = "tables";
    /** The manual request's optional field: {@code true} takes a key snapshot of those tables now. */
    public static final String SNAPSHOT_KEYS = "snapshot_keys";

    private static final ObjectMapper JSON = new ObjectMapper();

    private PollEvents() {}

    /**
     * The manual request for the value of its {@value #TABLES} field: those datasets, each once, in
     * the order given. Anything but a non-empty array of names fails saying what it got.
     */
    public static PollRequest manualRequest(JsonNode tables) throws InvalidEventException {
        return manualRequest(tables, null);
    }

    /**
     * The manual request for its {@value #TABLES} and {@value #SNAPSHOT_KEYS} fields (the latter
     * absent, or a boolean).
     */
    public static PollRequest manualRequest(JsonNode tables, JsonNode snapshotKeys) throws InvalidEventException {
        if (snapshotKeys != null && !snapshotKeys.isBoolean()) {
            throw new InvalidEventException("\"" + SNAPSHOT_KEYS + "\" must be true or false, got " + snapshotKeys);
        }
        if (tables == null || !tables.isArray() || tables.isEmpty()) {
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
        return new PollRequest(new ArrayList<>(names), snapshotKeys != null && snapshotKeys.asBoolean());
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
            table.keySnapshot().ifPresent(outcome -> node.put("keySnapshot", outcome));
        }
        return root;
    }
}
