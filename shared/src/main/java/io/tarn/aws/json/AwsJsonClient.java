package io.tarn.aws.json;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.AbortableInputStream;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpFullRequest;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;

/**
 * A small client of an AWS JSON 1.1 API (Glue, Athena): requests signed with SigV4, answers as
 * Jackson trees, retries with jittered exponential backoff on throttling, server errors and lost
 * connections. {@link AwsJsonService} says which service; {@code GlueApi} and {@code AthenaApi}
 * fix it.
 *
 * <p>It replaces the SDK's clients for the few operations Tarn calls: the SDK's Glue module
 * carries thousands of model classes (7 MB of a function jar), Athena's hundreds, and every SDK
 * client's setup adds to each cold start. Request and answer shapes are those of the services' API
 * references.
 *
 * <p>A retried call may have succeeded on an attempt whose answer was lost: a create then fails
 * with {@code AlreadyExistsException}, which callers must treat as the outcome they wanted. The
 * request body is serialised once, so every attempt sends the same bytes (and the same idempotency
 * token, where the operation takes one).
 */
public class AwsJsonClient implements AutoCloseable {

    /** The content type of every request. */
    public static final String CONTENT_TYPE = "application/x-amz-json-1.1";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final AwsJsonService service;
    private final SdkHttpClient http;
    private final AwsCredentialsProvider credentials;
    private final String region;
    private final URI endpoint;
    private final Backoff backoff;
    private final Clock clock;
    private final AwsV4HttpSigner signer = AwsV4HttpSigner.create();

    /**
     * A client that owns {@code http} (closing this closes it).
     *
     * @param region the signing region, e.g. {@code eu-west-1}
     * @param endpoint the service's endpoint in the region ({@link AwsJsonService#endpoint}) or a local server's
     * @param backoff attempts per call and waits between them
     * @param clock the signature's date
     */
    protected AwsJsonClient(AwsJsonService service, SdkHttpClient http, AwsCredentialsProvider credentials,
            String region, URI endpoint, Backoff backoff, Clock clock) {
        this.service = requireNonNull(service, "service is null");
        this.http = requireNonNull(http, "http is null");
        this.credentials = requireNonNull(credentials, "credentials is null");
        this.region = requireNonNull(region, "region is null");
        this.endpoint = requireNonNull(endpoint, "endpoint is null");
        this.backoff = requireNonNull(backoff, "backoff is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    /** The service this client calls. */
    public final AwsJsonService service() {
        return service;
    }

    /**
     * Calls an operation, retrying throttling, server errors and lost connections up to the
     * attempt limit.
     *
     * @param operation the operation's name, e.g. {@code GetTable}
     * @param request the request body, as in the API reference
     * @return the answer's body ({@code {}} for operations that answer nothing)
     * @throws AwsJsonException the service's error, or the last one when no attempt succeeded
     */
    public final ObjectNode call(String operation, ObjectNode request) {
        requireNonNull(operation, "operation is null");
        requireNonNull(request, "request is null");
        byte[] body = serialize(request);
        for (int attempt = 1; ; attempt++) {
            try {
                return send(operation, body);
            } catch (AwsJsonException e) {
                if (!e.retryable() || attempt == backoff.maxAttempts()) {
                    throw e;
                }
                pause(backoff.delay(attempt, e.throttled()), e);
            }
        }
    }

    /** An empty JSON object to build a request in. */
    public static ObjectNode object() {
        return JSON.createObjectNode();
    }

    @Override
    public final void close() {
        http.close();
    }

    private ObjectNode send(String operation, byte[] body) {
        String path = endpoint.getRawPath() == null || endpoint.getRawPath().isEmpty() ? "/" : endpoint.getRawPath();
        SdkHttpFullRequest request = SdkHttpFullRequest.builder()
                .method(SdkHttpMethod.POST)
                .uri(endpoint)
                .encodedPath(path)
                .putHeader("Content-Type", CONTENT_TYPE)
                .putHeader("X-Amz-Target", service.targetPrefix() + operation)
                .putHeader("Content-Length", Integer.toString(body.length))
                .build();
        AwsCredentials identity;
        try {
            identity = credentials.resolveCredentials();
        } catch (SdkClientException e) {
            throw AwsJsonException.unsigned(service.name(), operation, e);
        }
        // Signed on every attempt: credentials may have been refreshed and the signature's date moves on.
        SignedRequest signed = signer.sign(sign -> sign
                .identity(identity)
                .request(request)
                .payload(ContentStreamProvider.fromByteArrayUnsafe(body))
                .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, service.signingName())
                .putProperty(AwsV4HttpSigner.REGION_NAME, region)
                .putProperty(HttpSigner.SIGNING_CLOCK, clock));

        int status;
        byte[] answer;
        Optional<String> errorTypeHeader;
        try {
            HttpExecuteResponse response = http.prepareRequest(HttpExecuteRequest.builder()
                            .request(signed.request())
                            .contentStreamProvider(signed.payload().orElse(null))
                            .build())
                    .call();
            status = response.httpResponse().statusCode();
            errorTypeHeader = response.httpResponse().firstMatchingHeader("X-Amzn-ErrorType");
            answer = readAll(response.responseBody());
        } catch (IOException | UncheckedIOException e) {
            throw AwsJsonException.unanswered(service.name(), operation, endpoint.toString(), e);
        }

        JsonNode json = parse(answer);
        if (status / 100 == 2) {
            if (answer.length == 0) {
                return object();
            }
            if (json == null || !json.isObject()) {
                throw AwsJsonException.unreadable(service.name(), operation, status);
            }
            return (ObjectNode) json;
        }
        throw AwsJsonException.answered(
                service.name(), operation, status, errorType(json, errorTypeHeader.orElse(null)), errorMessage(json));
    }

    private void pause(Duration delay, AwsJsonException failure) {
        try {
            backoff.sleeper().sleep(delay);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            failure.addSuppressed(interrupted);
            throw failure;
        }
    }

    /**
     * The error type from the body's {@code __type} or else the {@code X-Amzn-ErrorType} header,
     * without the namespace before {@code #} ({@code com.amazonaws.glue#EntityNotFoundException})
     * or the URL after {@code :} that the header may carry.
     */
    private static String errorType(JsonNode body, String header) {
        String type = body != null && body.hasNonNull("__type") ? body.get("__type").asText() : header;
        if (type == null || type.isEmpty()) {
            return null;
        }
        type = type.substring(type.lastIndexOf('#') + 1);
        int colon = type.indexOf(':');
        return colon < 0 ? type : type.substring(0, colon);
    }

    /** Glue writes {@code message}; Athena, other JSON 1.1 services and proxies write {@code Message}. */
    private static String errorMessage(JsonNode body) {
        if (body == null) {
            return null;
        }
        JsonNode message = body.hasNonNull("message") ? body.get("message") : body.get("Message");
        return message == null || message.isNull() ? null : message.asText();
    }

    /** The parsed body, or null when it is empty or not JSON (a proxy's HTML error page). */
    private static JsonNode parse(byte[] body) {
        if (body.length == 0) {
            return null;
        }
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            return null;
        }
    }

    private static byte[] readAll(Optional<AbortableInputStream> body) throws IOException {
        if (body.isEmpty()) {
            return new byte[0];
        }
        try (InputStream in = body.get()) {
            return in.readAllBytes();
        }
    }

    private byte[] serialize(ObjectNode request) {
        try {
            return JSON.writeValueAsBytes(request);
        } catch (JsonProcessingException e) {
            // A tree of plain JSON nodes always serializes.
            throw new IllegalStateException("Cannot serialize a " + service.name() + " request", e);
        }
    }
}
