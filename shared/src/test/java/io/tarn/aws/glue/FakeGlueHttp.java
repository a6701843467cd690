package io.tarn.aws.glue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tarn.aws.json.Backoff;
import io.tarn.aws.json.FakeJsonHttp;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/**
 * Glue's HTTP API in memory, for what moto does not do like Glue and for answers moto cannot be
 * made to give. moto takes any number of partitions per {@code BatchCreatePartition} and answers
 * {@code GetPartitions} in one page; this one refuses batches over Glue's limit of 100, pages by
 * {@code pageSize}, records every request, and answers scripted errors (throttling, access denied,
 * a dropped connection) before its own state (see {@link FakeJsonHttp}).
 */
final class FakeGlueHttp extends FakeJsonHttp {

    static final URI ENDPOINT = URI.create("https://glue.us-east-1.amazonaws.com/");
    static final Instant NOW = Instant.parse("2024-03-01T12:00:00Z");

    private final int pageSize;
    private final Set<String> databases = new HashSet<>();
    private final Map<String, ObjectNode> tables = new HashMap<>();
    private final Map<String, Map<List<String>, ObjectNode>> partitions = new HashMap<>();
    private final Map<List<String>, ObjectNode> refusals = new HashMap<>();

    FakeGlueHttp(int pageSize) {
        // Glue writes its error messages in "message", unlike Athena.
        super(GlueApi.SERVICE, "message");
        this.pageSize = pageSize;
    }

    /** A client of this fake in us-east-1 that records its waits instead of sleeping; jitter is 0.5. */
    GlueApi client(List<Duration> sleeps) {
        return client(new Backoff(6, sleeps::add, () -> 0.5));
    }

    /** A client of this fake in us-east-1 with this backoff. */
    GlueApi client(Backoff backoff) {
        return new GlueApi(
                this,
                StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDEXAMPLE", "secret")),
                "us-east-1",
                ENDPOINT,
                backoff,
                Clock.fixed(NOW, ZoneOffset.UTC));
    }

    /** Makes Glue answer a create of these partition values with this per-partition error. */
    void refuse(List<String> values, String errorCode, String errorMessage) {
        refusals.put(values, JSON.createObjectNode().put("ErrorCode", errorCode).put("ErrorMessage", errorMessage));
    }

    @Override
    protected ObjectNode serve(String operation, ObjectNode body) {
        return switch (operation) {
            case "CreateDatabase" -> createDatabase(body);
            case "CreateTable" -> createTable(body);
            case "GetTable" -> getTable(body);
            case "BatchCreatePartition" -> batchCreatePartition(body);
            case "GetPartitions" -> getPartitions(body);
            default -> throw new AssertionError("The fake does not serve " + operation);
        };
    }

    private ObjectNode createDatabase(ObjectNode body) {
        String name = body.path("DatabaseInput").path("Name").asText();
        if (!databases.add(name)) {
            throw new ServiceError("AlreadyExistsException", "Database " + name + " already exists.");
        }
        return JSON.createObjectNode();
    }

    private ObjectNode createTable(ObjectNode body) {
        String database = body.path("DatabaseName").asText();
        JsonNode input = body.path("TableInput");
        if (!databases.contains(database)) {
            throw new ServiceError("EntityNotFoundException", "Database " + database + " not found.");
        }
        String key = database + "." + input.path("Name").asText();
        if (tables.containsKey(key)) {
            throw new ServiceError("AlreadyExistsException", "Table already exists.");
        }
        // Glue answers a table with what its input had, plus fields of its own.
        ObjectNode table = input.deepCopy();
        table.put("DatabaseName", database).put("CreateTime", NOW.getEpochSecond()).put("IsRegisteredWithLakeFormation", false);
        tables.put(key, table);
        partitions.put(key, new LinkedHashMap<>());
        return JSON.createObjectNode();
    }

    private ObjectNode getTable(ObjectNode body) {
        ObjectNode answer = JSON.createObjectNode();
        answer.set("Table", table(body.path("DatabaseName").asText(), body.path("Name").asText()));
        return answer;
    }

    private ObjectNode batchCreatePartition(ObjectNode body) {
        String database = body.path("DatabaseName").asText();
        String name = body.path("TableName").asText();
        table(database, name);
        Map<List<String>, ObjectNode> existing = partitions.get(database + "." + name);
        JsonNode inputs = body.path("PartitionInputList");
        if (inputs.size() > 100) {
            throw new AssertionError(
                    "Glue refuses more than 100 partitions per BatchCreatePartition, got " + inputs.size());
        }
        ObjectNode answer = JSON.createObjectNode();
        ArrayNode errors = answer.putArray("Errors");
        for (JsonNode input : inputs) {
            List<String> values = new ArrayList<>();
            input.path("Values").forEach(value -> values.add(value.asText()));
            ObjectNode refusal = refusals.get(values);
            if (refusal == null && existing.containsKey(values)) {
                refusal = JSON.createObjectNode()
                        .put("ErrorCode", "AlreadyExistsException")
                        .put("ErrorMessage", "Partition already exists.");
            }
            if (refusal != null) {
                ObjectNode error = errors.addObject();
                error.set("PartitionValues", input.path("Values").deepCopy());
                error.set("ErrorDetail", refusal);
            } else {
                existing.put(values, (ObjectNode) input.deepCopy());
            }
        }
        return answer;
    }

    private ObjectNode getPartitions(ObjectNode body) {
        String database = body.path("DatabaseName").asText();
        String name = body.path("TableName").asText();
        table(database, name);
        List<ObjectNode> all = new ArrayList<>(partitions.get(database + "." + name).values());
        int from = body.hasNonNull("NextToken") ? Integer.parseInt(body.get("NextToken").asText()) : 0;
        int to = Math.min(from + pageSize, all.size());
        ObjectNode answer = JSON.createObjectNode();
        ArrayNode page = answer.putArray("Partitions");
        for (ObjectNode input : all.subList(from, to)) {
            ObjectNode partition = input.deepCopy();
            partition.put("DatabaseName", database).put("TableName", name);
            page.add(partition);
        }
        if (to < all.size()) {
            answer.put("NextToken", Integer.toString(to));
        }
        return answer;
    }

    private ObjectNode table(String database, String name) {
        ObjectNode table = tables.get(database + "." + name);
        if (table == null) {
            throw new ServiceError("EntityNotFoundException", "Table " + name + " not found.");
        }
        return table;
    }
}
