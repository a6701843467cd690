package io.tarn.aws.json;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.http.AbortableInputStream;
import software.amazon.awssdk.http.ExecutableHttpRequest;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpFullResponse;
import software.amazon.awssdk.http.SdkHttpRequest;

/**
 * An AWS JSON 1.1 service at the HTTP level, for the answers a local server cannot be made to give:
 * it records every request and answers each operation from its script first (an answer, an error
 * in the service's JSON shape, or a dropped connection), in order, then from {@link #serve}, which
 * a subclass overrides to keep state ({@code FakeGlueHttp}). Without either, a call is a test
 * error naming the operation.
 */
public class FakeJsonHttp implements SdkHttpClient {

    /** One request as the service received it. */
    public record Call(String operation, ObjectNode body, SdkHttpRequest request) {}

    /** Every request received, in order. */
    public final List<Call> calls = new ArrayList<>();

    protected static final ObjectMapper JSON = new ObjectMapper();

    private sealed interface Scripted permits Answer, Drop {}

    private record Answer(int status, Map<String, String> headers, String body) implements Scripted {}

    private record Drop() implements Scripted {}

    private final AwsJsonService service;
    private final String messageMember;
    private final Map<String, Deque<Scripted>> scripted = new HashMap<>();

    /**
     * @param messageMember the member errors carry their message in: Glue writes {@code message},
     *     Athena {@code Message}
     */
    public FakeJsonHttp(AwsJsonService service, String messageMember) {
        this.service = requireNonNull(service, "service is null");
        this.messageMember = requireNonNull(messageMember, "messageMember is null");
    }

    /** The next {@code operation} gets this answer. */
    public void answer(int status, String operation, Map<String, String> headers, String body) {
        scripted.computeIfAbsent(operation, o -> new ArrayDeque<>()).add(new Answer(status, headers, body));
    }

    /** The next {@code operation} gets this JSON body with HTTP 200. */
    public void answer(String operation, String body) {
        answer(200, operation, Map.of(), body);
    }

    /** The next {@code operation} gets this error, in the service's JSON shape. */
    public void error(int status, String operation, String type, String message) {
        answer(status, operation, Map.of(), errorBody(type, message));
    }

    /** The next {@code operation} loses its connection before any answer. */
    public void drop(String operation) {
        scripted.computeIfAbsent(operation, o -> new ArrayDeque<>()).add(new Drop());
    }

    /** The operations called, in order. */
    public List<String> operations() {
        return calls.stream().map(Call::operation).toList();
    }

    /** The bodies of the requests to one operation, in order. */
    public List<ObjectNode> bodies(String operation) {
        return calls.stream().filter(call -> call.operation().equals(operation)).map(Call::body).toList();
    }

    /**
     * The answer to a call nothing was scripted for.
     *
     * @throws ServiceError answered as the service's error (HTTP 400)
     */
    protected ObjectNode serve(String operation, ObjectNode body) {
        throw new AssertionError("Nothing scripted for " + service.name() + " " + operation);
    }

    /** An error {@link #serve} answers as the service would. */
    protected static final class ServiceError extends RuntimeException {
        private final String type;

        public ServiceError(String type, String message) {
            super(message);
            this.type = requireNonNull(type, "type is null");
        }
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
        return "Fake" + service.name();
    }

    @Override
    public void close() {}

    private HttpExecuteResponse handle(HttpExecuteRequest execute) throws IOException {
        SdkHttpRequest request = execute.httpRequest();
        String target = request.firstMatchingHeader("X-Amz-Target").orElseThrow();
        if (!target.startsWith(service.targetPrefix())) {
            throw new AssertionError("Not a " + service.name() + " target: " + target);
        }
        String operation = target.substring(service.targetPrefix().length());
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
        } catch (ServiceError e) {
            return respond(400, Map.of(), errorBody(e.type, e.getMessage()));
        }
    }

    private String errorBody(String type, String message) {
        return JSON.createObjectNode().put("__type", type).put(messageMember, message).toString();
    }

    private static HttpExecuteResponse respond(int status, Map<String, String> headers, String body) {
        SdkHttpFullResponse.Builder response = SdkHttpFullResponse.builder()
                .statusCode(status)
                .putHeader("Content-Type", AwsJsonClient.CONTENT_TYPE)
                .putHeader("x-amzn-RequestId", "fake-request");
        headers.forEach(response::putHeader);
        return HttpExecuteResponse.builder()
                .response(response.build())
                .responseBody(AbortableInputStream.create(
                        new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8))))
                .build();
    }
}
