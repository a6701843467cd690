package io.tarn.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import io.tarn.embedded.FaultInjectingProxy.Request;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Plain HTTP against the proxy, without the SDK's retries in the way. */
class FaultInjectingProxyTest {

    @TempDir
    Path root;

    private EmbeddedS3 server;
    private FaultInjectingProxy proxy;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() {
        server = EmbeddedS3.builder(root).withoutAuthorization().start();
        server.createBucket("raw");
        proxy = FaultInjectingProxy.start(server.endpoint());
    }

    @AfterEach
    void stop() {
        proxy.close();
        server.close();
    }

    @Test
    void matchingRequestsGetSlowDownUntilTheCountIsUsedUp() throws Exception {
        proxy.failFirst(1, r -> r.is("PUT"));

        HttpResponse<String> throttled = send(put("/raw/a.csv", "1,2\n"));
        HttpResponse<String> forwarded = send(put("/raw/a.csv", "1,2\n"));

        assertThat(throttled.statusCode()).isEqualTo(503);
        assertThat(throttled.headers().firstValue("Content-Type")).hasValue("application/xml");
        assertThat(throttled.body())
                .contains("<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message>");
        assertThat(forwarded.statusCode()).isEqualTo(200);
        assertThat(server.fileOf("raw", "a.csv")).hasContent("1,2");
        assertThat(proxy.failuresInjected()).isEqualTo(1);
        assertThat(proxy.requests()).containsExactly(
                new Request("PUT", "/raw/a.csv", null, null), new Request("PUT", "/raw/a.csv", null, null));
    }

    @Test
    void forwardedResponsesKeepStatusHeadersAndBody() throws Exception {
        HttpResponse<String> put = send(put("/raw/b.csv", "hello"));
        HttpResponse<String> head = send(request("/raw/b.csv?x-id=HeadObject").method("HEAD", HttpRequest.BodyPublishers.noBody()));
        HttpResponse<String> get = send(request("/raw/b.csv").GET());
        HttpResponse<String> missing = send(request("/raw/nothing.csv").GET());

        String eTag = "\"5d41402abc4b2a76b9719d911017c592\"";
        assertThat(put.headers().firstValue("ETag")).hasValue(eTag);
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.headers().firstValue("Content-Length")).hasValue("5");
        assertThat(head.headers().firstValue("ETag")).hasValue(eTag);
        assertThat(get.body()).isEqualTo("hello");
        assertThat(get.headers().firstValue("ETag")).hasValue(eTag);
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(missing.body()).contains("<Code>NoSuchKey</Code>");
        assertThat(proxy.requests()).extracting(Request::query).containsExactly(null, "x-id=HeadObject", null, null);
        assertThat(proxy.failuresInjected()).isZero();
    }

    private HttpRequest.Builder put(String path, String body) {
        return request(path).PUT(HttpRequest.BodyPublishers.ofString(body));
    }

    private HttpRequest.Builder request(String pathAndQuery) {
        return HttpRequest.newBuilder(URI.create(proxy.endpoint() + pathAndQuery));
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
