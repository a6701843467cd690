package io.tarn.ingest;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * What the RawObject function answers: for an SQS batch, the messages to redeliver (the function
 * encodes them as Lambda's partial batch response,
 * {@code {"batchItemFailures":[{"itemIdentifier":"<messageId>"}]}}); for a plain event, a summary
 * of each object ({@link #toJson}, what {@code sam local invoke} prints).
 */
public record RawObjectResponse(boolean sqsBatch, List<ItemFailure> batchItemFailures, List<IngestOutcome> outcomes) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public RawObjectResponse {
        batchItemFailures = List.copyOf(batchItemFailures);
        outcomes = List.copyOf(outcomes);
    }

    public record ItemFailure(String itemIdentifier) {}

    /** The answer as JSON: {@code batchItemFailures} and, for a plain event, each object's {@code results}. */
    public ObjectNode toJson() {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode failures = root.putArray("batchItemFailures");
        batchItemFailures.forEach(f -> failures.addObject().put("itemIdentifier", f.itemIdentifier()));
        if (!sqsBatch) {
            ArrayNode results = root.putArray("results");
            outcomes.forEach(outcome -> results.add(outcomeJson(outcome)));
        }
        return root;
    }

    /** One object's outcome as JSON: the manifest's counts and keys, or why nothing was done. */
    public static ObjectNode outcomeJson(IngestOutcome outcome) {
        ObjectNode node = JSON.createObjectNode();
        node.put("source", outcome.object().uri());
        if (outcome instanceof IngestOutcome.Processed processed) {
            Manifest m = processed.manifest();
            node.put("status", "processed");
            node.put("dataset", m.dataset());
            node.put("rowsRead", m.rowsRead());
            node.put("rowsWritten", m.rowsWritten());
            node.put("rowsQuarantined", m.rowsQuarantined());
            ArrayNode partitions = node.putArray("partitions");
            m.partitions().forEach(p -> partitions.add(String.join("/", p.values())));
            ArrayNode keys = node.putArray("outputKeys");
            m.outputKeys().forEach(keys::add);
            node.put("quarantineKey", m.quarantineKey());
            node.put("manifestKey", m.manifestKey());
        } else if (outcome instanceof IngestOutcome.AlreadyProcessed done) {
            node.put("status", "already-processed");
            node.put("dataset", done.entry().dataset());
            node.put("rowsRead", done.entry().rowsRead());
            node.put("rowsWritten", done.entry().rowsWritten());
            node.put("rowsQuarantined", done.entry().rowsQuarantined());
            node.put("manifestKey", done.entry().manifestKey());
        } else if (outcome instanceof IngestOutcome.Skipped skipped) {
            node.put("status", "skipped");
            node.put("reason", skipped.reason());
        }
        return node;
    }
}
