package io.tarn.aws.glue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tarn.aws.json.AwsJsonException;
import io.tarn.aws.json.Backoff;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;

/** {@link GlueApi}'s requests, error answers and retries, on a fake Glue at the HTTP level. */
class GlueApiTest {

    private final FakeGlueHttp glue = new FakeGlueHttp(100);
    private final List<Duration> sleeps = new ArrayList<>();
    private final GlueApi api = glue.client(sleeps);

    @Test
    void postsSignedJson11ToTheEndpoint() {
        ObjectNode request = GlueApi.object();
        request.putObject("DatabaseInput").put("Name", "lake");

        api.call("CreateDatabase", request);

        assertThat(glue.calls).hasSize(1);
        assertThat(glue.calls.get(0).body()).isEqualTo(request);
        SdkHttpRequest sent = glue.calls.get(0).request();
        assertThat(sent.method()).isEqualTo(SdkHttpMethod.POST);
        assertThat(sent.getUri()).isEqualTo(URI.create("https://glue.us-east-1.amazonaws.com/"));
        assertThat(sent.firstMatchingHeader("Content-Type")).contains("application/x-amz-json-1.1");
        assertThat(sent.firstMatchingHeader("X-Amz-Target")).contains("AWSGlue.CreateDatabase");
        assertThat(sent.firstMatchingHeader("Content-Length")).contains("33");
        assertThat(sent.firstMatchingHeader("X-Amz-Date")).contains("20240301T120000Z");
        assertThat(sent.firstMatchingHeader("Authorization")).hasValueSatisfying(authorization -> assertThat(authorization)
                .startsWith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240301/us-east-1/glue/aws4_request, "
                        + "SignedHeaders=content-length;content-type;host;x-amz-content-sha256;x-amz-date;x-amz-target, "
                        + "Signature=")
                .matches(".*Signature=[0-9a-f]{64}"));
        assertThat(sent.firstMatchingHeader("X-Amz-Security-Token")).isEmpty();
    }

    @Test
    void sessionCredentialsSendTheirToken() {
        GlueApi withSession = new GlueApi(
                glue,
                StaticCredentialsProvider.create(AwsSessionCredentials.create("ASIAEXAMPLE", "secret", "the-token")),
                "eu-west-1",
                GlueApi.endpoint("eu-west-1"),
                new Backoff(1, sleeps::add, () -> 0.5),
                Clock.fixed(FakeGlueHttp.NOW, ZoneOffset.UTC));

        withSession.call("CreateDatabase", GlueApi.object().set("DatabaseInput", GlueApi.object().put("Name", "lake")));

        SdkHttpRequest sent = glue.calls.get(0).request();
        assertThat(sent.firstMatchingHeader("X-Amz-Security-Token")).contains("the-token");
        assertThat(sent.firstMatchingHeader("Authorization")).hasValueSatisfying(authorization -> assertThat(authorization)
                .startsWith("AWS4-HMAC-SHA256 Credential=ASIAEXAMPLE/20240301/eu-west-1/glue/aws4_request, "));
    }

    @Test
    void endpointIsInTheRegionsPartition() {
        assertThat(GlueApi.endpoint("eu-west-1")).isEqualTo(URI.create("https://glue.eu-west-1.amazonaws.com/"));
        assertThat(GlueApi.endpoint("cn-north-1")).isEqualTo(URI.create("https://glue.cn-north-1.amazonaws.com.cn/"));
    }

    @Test
    void answersTheResponseBody() {
        glue.answer(200, "GetTable", Map.of(), "{\"Table\":{\"Name\":\"orders\",\"CreateTime\":1.7093E9}}");

        ObjectNode answer = api.call("GetTable", tableRequest());

        assertThat(answer.at("/Table/Name").asText()).isEqualTo("orders");
    }

    @Test
    void emptySuccessBodyIsAnEmptyObject() {
        glue.answer(200, "DeleteTable", Map.of(), "");

        assertThat(api.call("DeleteTable", GlueApi.object())).isEmpty();
    }

    @Test
    void errorAnswerBecomesAwsJsonExceptionWithTheTypeWithoutNamespace() {
        glue.answer(400, "GetTable", Map.of(),
                "{\"__type\":\"com.amazonaws.glue#AccessDeniedException\",\"Message\":\"Not authorized on orders\"}");

        assertThatThrownBy(() -> api.call("GetTable", tableRequest()))
                .isInstanceOfSatisfying(AwsJsonException.class, e -> {
                    assertThat(e.operation()).isEqualTo("GetTable");
                    assertThat(e.statusCode()).isEqualTo(400);
                    assertThat(e.errorType()).contains("AccessDeniedException");
                    assertThat(e.errorMessage()).contains("Not authorized on orders");
                    assertThat(e.is("AccessDeniedException")).isTrue();
                })
                .hasMessage("Glue GetTable: AccessDeniedException (HTTP 400): Not authorized on orders");
        // Not a throttle: tried once.
        assertThat(glue.calls).hasSize(1);
        assertThat(sleeps).isEmpty();
    }

    @Test
    void errorTypeComesFromTheHeaderWhenTheBodyHasNone() {
        glue.answer(400, "GetTable",
                Map.of("X-Amzn-ErrorType", "ValidationException:http://internal.amazon.com/coral/validate/"),
                "{\"message\":\"1 validation error detected\"}");

        assertThatThrownBy(() -> api.call("GetTable", tableRequest()))
                .isInstanceOf(AwsJsonException.class)
                .hasMessage("Glue GetTable: ValidationException (HTTP 400): 1 validation error detected");
    }

    @Test
    void throttlingIsRetriedWithGrowingJitteredDelaysUntilItSucceeds() {
        glue.error(400, "CreateDatabase", "ThrottlingException", "Rate exceeded");
        glue.error(429, "CreateDatabase", "TooManyRequestsException", "Slow down");

        api.call("CreateDatabase", GlueApi.object().set("DatabaseInput", GlueApi.object().put("Name", "lake")));

        assertThat(glue.operations()).containsExactly("CreateDatabase", "CreateDatabase", "CreateDatabase");
        // Half (the jitter) of 500 ms, then of 1 s.
        assertThat(sleeps).containsExactly(Duration.ofMillis(250), Duration.ofMillis(500));
    }

    @Test
    void serverErrorsAndLostConnectionsAreRetriedFromTheShorterBase() {
        glue.answer(503, "CreateDatabase", Map.of(), "<html>Service Unavailable</html>");
        glue.drop("CreateDatabase");

        api.call("CreateDatabase", GlueApi.object().set("DatabaseInput", GlueApi.object().put("Name", "lake")));

        assertThat(glue.calls).hasSize(3);
        assertThat(sleeps).containsExactly(Duration.ofMillis(50), Duration.ofMillis(100));
    }

    @Test
    void givesUpAfterTheAttemptLimitWithTheLastError() {
        for (int i = 0; i < 5; i++) {
            glue.error(500, "GetTable", "InternalServiceException", "Internal error " + i);
        }
        glue.drop("GetTable");

        assertThatThrownBy(() -> api.call("GetTable", tableRequest()))
                .isInstanceOf(AwsJsonException.class)
                .hasMessage("Glue GetTable: no answer from https://glue.us-east-1.amazonaws.com/")
                .hasRootCauseMessage("Connection reset");
        assertThat(glue.calls).hasSize(6);
        assertThat(sleeps).hasSize(5);
    }

    @Test
    void serverErrorWithoutTypeNamesTheStatus() {
        GlueApi once = glue.client(new Backoff(1, sleeps::add, () -> 0.5));
        glue.answer(502, "GetTable", Map.of(), "<html>Bad Gateway</html>");

        assertThatThrownBy(() -> once.call("GetTable", tableRequest()))
                .isInstanceOfSatisfying(AwsJsonException.class, e -> assertThat(e.errorType()).isEmpty())
                .hasMessage("Glue GetTable: no error type (HTTP 502)");
    }

    @Test
    void successWithABodyThatIsNotJsonFailsWithoutRetry() {
        glue.answer(200, "GetTable", Map.of(), "<html>Captive portal</html>");

        assertThatThrownBy(() -> api.call("GetTable", tableRequest()))
                .isInstanceOf(AwsJsonException.class)
                .hasMessage("Glue GetTable: HTTP 200 with a body that is not a JSON object");
        assertThat(glue.calls).hasSize(1);
    }

    @Test
    void interruptedWhileWaitingStopsWithTheErrorAndKeepsTheInterrupt() {
        GlueApi interrupted = glue.client(new Backoff(6, delay -> {
            throw new InterruptedException();
        }, () -> 0.5));
        glue.error(400, "GetTable", "ThrottlingException", "Rate exceeded");

        try {
            assertThatThrownBy(() -> interrupted.call("GetTable", tableRequest()))
                    .isInstanceOf(AwsJsonException.class)
                    .hasMessage("Glue GetTable: ThrottlingException (HTTP 400): Rate exceeded");
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
        } finally {
            Thread.interrupted();
        }
        assertThat(glue.calls).hasSize(1);
    }

    @Test
    void missingCredentialsFailWithoutSendingOrRetrying() {
        GlueApi unsigned = new GlueApi(glue, () -> {
                    throw SdkClientException.create("Unable to load credentials from any of the providers");
                },
                "us-east-1", FakeGlueHttp.ENDPOINT, new Backoff(6, sleeps::add, () -> 0.5), Clock.systemUTC());

        assertThatThrownBy(() -> unsigned.call("GetTable", tableRequest()))
                .isInstanceOf(AwsJsonException.class)
                .hasMessage("Glue GetTable: no credentials to sign the request with")
                .hasRootCauseMessage("Unable to load credentials from any of the providers");
        assertThat(glue.calls).isEmpty();
        assertThat(sleeps).isEmpty();
    }

    @Test
    void delaysDoubleUpToTwentySeconds() {
        Backoff full = new Backoff(6, delay -> {}, () -> 1.0);

        assertThat(full.delay(1, false)).isEqualTo(Duration.ofMillis(100));
        assertThat(full.delay(3, false)).isEqualTo(Duration.ofMillis(400));
        assertThat(full.delay(1, true)).isEqualTo(Duration.ofMillis(500));
        assertThat(full.delay(6, true)).isEqualTo(Duration.ofSeconds(16));
        assertThat(full.delay(7, true)).isEqualTo(Duration.ofSeconds(20));
        assertThat(full.delay(100, true)).isEqualTo(Duration.ofSeconds(20));
    }

    @Test
    void backoffNeedsAtLeastOneAttempt() {
        assertThatThrownBy(() -> new Backoff(0, delay -> {}, () -> 0.5))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxAttempts is 0, must be at least 1");
    }

    private static ObjectNode tableRequest() {
        return GlueApi.object().put("DatabaseName", "lake").put("TableName", "orders");
    }
}
