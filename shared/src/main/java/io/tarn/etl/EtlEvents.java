package io.tarn.etl;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tarn.events.InvalidEventException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The events the ETL state machine sends to crawler refresh and partition repair, decoded into
 * their records. A bad event fails with one message naming the field.
 */
public final class EtlEvents {

    public static final String ACTION = "action";
    public static final String RUN_ID = "runId";
    public static final String ATTEMPT = "attempt";
    public static final String TABLES = "tables";

    private static final ObjectMapper JSON = new ObjectMapper();

    private EtlEvents() {}

    /** {@code {"action": "check"|"start"|"status", "runId": "...", "attempt": n}}. */
    public static CrawlerRefreshRequest crawlerRefresh(InputStream event) throws InvalidEventException, IOException {
        JsonNode root = object(event);
        JsonNode action = root.get(ACTION);
        CrawlerRefreshRequest.Action parsed = Arrays.stream(CrawlerRefreshRequest.Action.values())
                .filter(a -> action != null && action.isTextual() && a.name().toLowerCase(Locale.ROOT).equals(action.asText()))
                .findFirst()
                .orElseThrow(() -> new InvalidEventException("\"" + ACTION + "\" must be one of "
                        + Arrays.stream(CrawlerRefreshRequest.Action.values())
                                .map(a -> a.name().toLowerCase(Locale.ROOT))
                                .collect(Collectors.joining(", "))
                        + ", got " + action));
        Optional<String> runId = root.has(RUN_ID) || parsed != CrawlerRefreshRequest.Action.START
                ? Optional.of(runId(root)) : Optional.empty();
        JsonNode attempt = root.get(ATTEMPT);
        if (attempt != null && !attempt.isNull() && !(attempt.canConvertToInt() && attempt.isIntegralNumber()
                && attempt.asInt() >= 0)) {
            throw new InvalidEventException("\"" + ATTEMPT + "\" must be a whole number, 0 or more, got " + attempt);
        }
        return new CrawlerRefreshRequest(parsed, runId, attempt == null || attempt.isNull() ? 0 : attempt.asInt());
    }

    /** {@code {"runId": "...", "tables": ["<table>", ...]}}, {@code tables} optional. */
    public static PartitionRepairRequest partitionRepair(InputStream event) throws InvalidEventException, IOException {
        JsonNode root = object(event);
        String runId = runId(root);
        JsonNode tables = root.get(TABLES);
        if (tables == null || tables.isNull()) {
            return new PartitionRepairRequest(runId, List.of());
        }
        if (!tables.isArray()) {
            throw new InvalidEventException("\"" + TABLES + "\" must be an array of table names, got " + tables);
        }
        // A name given twice is repaired once, in its first position.
        Set<String> names = new LinkedHashSet<>();
        for (JsonNode name : tables) {
            if (!name.isTextual() || name.asText().isBlank()) {
                throw new InvalidEventException("\"" + TABLES + "\" must hold table names, got " + name);
            }
            names.add(name.asText().trim());
        }
        return new PartitionRepairRequest(runId, new ArrayList<>(names));
    }

    private static JsonNode object(InputStream event) throws InvalidEventException, IOException {
        JsonNode root;
        try {
            root = JSON.readTree(event);
        } catch (JsonProcessingException e) {
            throw new InvalidEventException("the event is not JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw new InvalidEventException("the event is not a JSON object");
        }
        return root;
    }

    private static String runId(JsonNode root) throws InvalidEventException {
        JsonNode runId = root.get(RUN_ID);
        if (runId == null || runId.isNull()) {
            throw new InvalidEventException("\"" + RUN_ID + "\" is missing: the ETL run's id (the execution name)");
        }
        if (!runId.isTextual()) {
            throw new InvalidEventException("\"" + RUN_ID + "\" must be a string, got " + runId);
        }
        try {
            return RunManifest.checkRunId(runId.asText());
        } catch (IllegalArgumentException e) {
            throw new InvalidEventException("\"" + RUN_ID + "\" is invalid: " + e.getMessage());
        }
    }
}
