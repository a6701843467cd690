package io.tarn.typing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;

/**
 * Top-level fields of a MongoDB document as DMS writes it in document mode: relaxed or canonical
 * extended JSON, where a date is {@code {"$date": ...}} and numbers may be wrapped as
 * {@code {"$numberLong": "..."}}. Fields come back as the text a CSV field would hold.
 */
final class JsonDocument {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final JsonNode root;

    private JsonDocument(JsonNode root) {
        this.root = root;
    }

    static JsonDocument parse(String text) throws RowRejectedException {
        try {
            JsonNode root = JSON.readTree(text);
            if (root == null || !root.isObject()) {
                throw new RowRejectedException("document is not a JSON object");
            }
            return new JsonDocument(root);
        } catch (JsonProcessingException e) {
            throw new RowRejectedException("document is not valid JSON: " + e.getOriginalMessage());
        }
    }

    /** The field as text, or null when absent or JSON null. */
    String field(String name) {
        return text(root.get(name));
    }

    private static String text(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return null;
        }
        if (node.isValueNode()) {
            return node.asText();
        }
        if (node.isObject() && node.size() == 1) {
            String wrapper = node.fieldNames().next();
            JsonNode inner = node.get(wrapper);
            switch (wrapper) {
                case "$date" -> {
                    if (inner.isNumber()) {
                        return Instant.ofEpochMilli(inner.asLong()).toString();
                    }
                    if (inner.isObject() && inner.has("$numberLong")) {
                        return Instant.ofEpochMilli(Long.parseLong(inner.get("$numberLong").asText())).toString();
                    }
                    return inner.asText();
                }
                case "$oid", "$numberLong", "$numberInt", "$numberDouble", "$numberDecimal", "$symbol" -> {
                    return inner.asText();
                }
                default -> {
                    return node.toString();
                }
            }
        }
        return node.toString();
    }
}
