package io.tarn.aws.glue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tarn.aws.json.Backoff;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.AbortableInputStream;
import software.amazon.awssdk.http.ExecutableHttpRequest;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpFullResponse;
import software.amazon.awssdk.http.SdkHttpRequest;

/**
 * Glue's HTTP API in memory, for what moto does not do like Glue and for answers moto cannot be
 * made to give. moto takes any number of partitions per {@code BatchCreatePartition} and answers
 * {@code GetPartitions} in one page; this one refuses batches over Glue's limit of 100, pages by
 * {@code pageSize}, records every request, and answers scripted errors (throttling, access denied,
 * a dropped connection) before its own state.
 */
final class FakeGlueHttp implements SdkHttpClient {

    static final URI ENDPOINT = URI.create("https://glue.us-east-1.amazonaws.com/");
    static final Instant NOW = Instant.parse("2024-03-01T12:00:00Z");

    /** One request as Glue received it. */
    record Call(String operation, ObjectNode body, SdkHttpRequest request) {}

    final List<Call> calls = new ArrayList<>();

    private static final ObjectMapper JSON = new ObjectMapper();

    private sealed interface Scripted permits Answer, Drop {}

    private record Answer(int status, Map<String, String> headers, String body) implements Scripted {}

    private record Drop() implements Scripted {}

    private final int pageSize;
    private final Map<String, Deque<Scripted>> scripted = new HashMap<>();
    private final Set<String> databases = new HashSet<>();
    private final Map<String, ObjectNode> tables = new HashMap<>();
    private final Map<String, Map<List<String>, ObjectNode>> partitions = new HashMap<>();
    private final Map<List<String>, ObjectNode> refusals = new HashMap<>();

    FakeGlueHttp(int pageSize) {
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

    /** The next {@code operation} gets this answer instead of the fake's own. */
    void answer(int status, String operation, Map<String, String> headers, String body) {
        scripted.computeIfAbsent(operation, o -> new ArrayDeque<>()).add(new Answer(status, headers, body));
    }

    /** The next {@code operation} gets this error, in Glue's JSON shape. */
    void error(int status, String operation, String type, String message) {
        answer(status, operation, Map.of(), JSON.createObjectNode().put("__type", type).put("message", message).toString());
    }

    /** The next {@code operation} loses its connection before any answer. */
    void drop(String operation) {
        scripted.computeIfAbsent(operation, o -> new ArrayDeque<>()).add(new Drop());
    }

    /** Makes Glue answer a create of these partition values with this per-partition error. */
    void refuse(List<String> values, String errorCode, String errorMessage) {
        refusals.put(values, JSON.createObjectNode().put("ErrorCode", errorCode).put("ErrorMessage", errorMessage));
    }

    /** The operations called, in order. */
    List<String> operations() {
        return calls.stream().map(Call::operation).toList();
    }

    /** The bodies of the requests to one operation, in order. */
    List<ObjectNode> bodies(String operation) {
        return calls.stream().filter(call -> call.operation().equals(operation)).map(Call::body).toList();
    }

    @Override
    public ExecutableHttpRequest prepareRequest(HttpExecuteRequest request) {
        return new ExecutableHttpRequest() {
            @Override
            public HttpExecuteResponse call() throws IOException {
                return handle(request);
            }

            @Override
            public void abort() {}
        };
    }

    @Override
    public String clientName() {
        return "FakeGlue";
    }

    @Override
    public void close() {}

    private HttpExecuteResponse handle(HttpExecuteRequest execute) throws IOException {
        SdkHttpRequest request = execute.httpRequest();
        String target = request.firstMatchingHeader("X-Amz-Target").orElseThrow();
        String operation = target.substring(GlueApi.TARGET_PREFIX.length());
        ObjectNode body;
        try (InputStream in = execute.contentStreamProvider().orElseThrow().newStream()) {
            body = (ObjectNode) JSON.readTree(in);
        }
        calls.add(new Call(operation, body, request));

        Deque<Scripted> next = scripted.get(operation);
        if (next != null && !next.isEmpty()) {
            Scripted answer = next.poll();
            if (answer instanceof Answer a) {
                return respond(a.status(), a.headers(), a.body());
            }
            throw new IOException("Connection reset");
        }
        try {
            return respond(200, Map.of(), serve(operation, body).toString());
        } catch (GlueError e) {
            return respond(400, Map.of(),
                    JSON.createObjectNode().put("__type", e.type).put("message", e.getMessage()).toString());
        }
    }

    private ObjectNode serve(String operation, ObjectNode body) {
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
            throw new GlueError("AlreadyExistsException", "Database " + name + " already exists.");
        }
        return JSON.createObjectNode();
    }

    private ObjectNode createTable(ObjectNode body) {
        String database = body.path("DatabaseName").asText();
        JsonNode input = body.path("TableInput");
        if (!databases.contains(database)) {
            throw new GlueError("EntityNotFoundException", "Database " + database + " not found.");
        }
        String key = database + "." + input.path("Name").asText();
        if (tables.containsKey(key)) {
            throw new GlueError("AlreadyExistsException", "Table already exists.");
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
            throw new GlueError("EntityNotFoundException", "Table " + name + " not found.");
        }
        return table;
    }

    private static HttpExecuteResponse respond(int status, Map<String, String> headers, String body) {
        SdkHttpFullResponse.Builder response = SdkHttpFullResponse.builder()
                .statusCode(status)
                .putHeader("Content-Type", GlueApi.CONTENT_TYPE)
                .putHeader("x-amzn-RequestId", "fake-request");
        headers.forEach(response::putHeader);
        return HttpExecuteResponse.builder()
                .response(response.build())
                .responseBody(AbortableInputStream.create(
                        new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8))))
                .build();
    }

    /** An error the fake answers as Glue would. */
    private static final class GlueError extends RuntimeException {
        private final String type;

        GlueError(String type, String message) {
            super(message);
            this.type = type;
        }
    }
}
