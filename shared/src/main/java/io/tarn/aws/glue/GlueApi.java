package io.tarn.aws.glue;

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
import software.amazon.awssdk.regions.PartitionMetadata;
import software.amazon.awssdk.regions.Region;

/**
 * A small client of the AWS Glue API: JSON 1.1 requests signed with SigV4, answers as Jackson
 * trees, retries with jittered exponential backoff on throttling, server errors and lost
 * connections.
 *
 * <p>It replaces the SDK's {@code GlueClient} for the few operations Tarn calls: the SDK's Glue
 * module carries thousands of model classes (7 MB of a function jar) and the client's setup adds to
 * every cold start. Request and answer shapes are those of the
 * <a href="https://docs.aws.amazon.com/glue/latest/webapi/API_Operations.html">Glue API reference</a>.
 *
 * <p>A retried call may have succeeded on an attempt whose answer was lost: a create then fails
 * with {@code AlreadyExistsException}, which callers must treat as the outcome they wanted.
 */
public final class GlueApi implements AutoCloseable {

    /** The SigV4 signing name of Glue. */
    public static final String SIGNING_NAME = "glue";

    static final String CONTENT_TYPE = "application/x-amz-json-1.1";
    static final String TARGET_PREFIX = "AWSGlue.";

    private static final ObjectMapper JSON = new ObjectMapper();

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
     * @param endpoint Glue's endpoint in the region ({@link #endpoint(String)}) or a local server's
     * @param maxAttempts attempts per call, the first included
     */
    public GlueApi(SdkHttpClient http, AwsCredentialsProvider credentials, String region, URI endpoint,
            int maxAttempts) {
        this(http, credentials, region, endpoint, Backoff.standard(maxAttempts), Clock.systemUTC());
    }

    GlueApi(SdkHttpClient http, AwsCredentialsProvider credentials, String region, URI endpoint, Backoff backoff,
            Clock clock) {
        this.http = requireNonNull(http, "http is null");
        this.credentials = requireNonNull(credentials, "credentials is null");
        this.region = requireNonNull(region, "region is null");
        this.endpoint = requireNonNull(endpoint, "endpoint is null");
        this.backoff = requireNonNull(backoff, "backoff is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    /** Glue's public endpoint in a region, e.g. {@code https://glue.eu-west-1.amazonaws.com/}. */
    public static URI endpoint(String region) {
        requireNonNull(region, "region is null");
        // The partition's DNS suffix: amazonaws.com, or amazonaws.com.cn in the China regions.
        String suffix = PartitionMetadata.of(Region.of(region)).dnsSuffix();
        return URI.create("https://glue." + region + "." + suffix + "/");
    }

    /**
     * Calls a Glue operation, retrying throttling, server errors and lost connections up to the
     * attempt limit.
     *
     * @param operation the operation's name, e.g. {@code GetTable}
     * @param request the request body, as in the API reference
     * @return the answer's body ({@code {}} for operations that answer nothing)
     * @throws GlueException Glue's error, or the last one when no attempt succeeded
     */
    public ObjectNode call(String operation, ObjectNode request) {
        requireNonNull(operation, "operation is null");
        requireNonNull(request, "request is null");
        byte[] body = serialize(request);
        for (int attempt = 1; ; attempt++) {
            try {
                return send(operation, body);
            } catch (GlueException e) {
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
    public void close() {
        http.close();
    }

    private ObjectNode send(String operation, byte[] body) {
        String path = endpoint.getRawPath() == null || endpoint.getRawPath().isEmpty() ? "/" : endpoint.getRawPath();
        SdkHttpFullRequest request = SdkHttpFullRequest.builder()
                .method(SdkHttpMethod.POST)
                .uri(endpoint)
                .encodedPath(path)
                .putHeader("Content-Type", CONTENT_TYPE)
                .putHeader("X-Amz-Target", TARGET_PREFIX + operation)
                .putHeader("Content-Length", Integer.toString(body.length))
                .build();
        AwsCredentials identity;
        try {
            identity = credentials.resolveCredentials();
        } catch (SdkClientException e) {
            throw GlueException.unsigned(operation, e);
        }
        // Signed on every attempt: credentials may have been refreshed and the signature's date moves on.
        SignedRequest signed = signer.sign(sign -> sign
                .identity(identity)
                .request(request)
                .payload(ContentStreamProvider.fromByteArrayUnsafe(body))
                .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, SIGNING_NAME)
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
            throw GlueException.unanswered(operation, endpoint.toString(), e);
        }

        JsonNode json = parse(answer);
        if (status / 100 == 2) {
            if (answer.length == 0) {
                return object();
            }
            if (json == null || !json.isObject()) {
                throw GlueException.unreadable(operation, status);
            }
            return (ObjectNode) json;
        }
        throw GlueException.answered(
                operation, status, errorType(json, errorTypeHeader.orElse(null)), errorMessage(json));
    }

    private void pause(Duration delay, GlueException failure) {
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

    /** Glue writes {@code message}; other JSON 1.1 services and proxies write {@code Message}. */
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

    private static byte[] serialize(ObjectNode request) {
        try {
            return JSON.writeValueAsBytes(request);
        } catch (JsonProcessingException e) {
            // A tree of plain JSON nodes always serializes.
            throw new IllegalStateException("Cannot serialize a Glue request", e);
        }
    }
}
