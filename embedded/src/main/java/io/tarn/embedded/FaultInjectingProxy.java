package io.tarn.embedded;

import static java.util.Objects.requireNonNull;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * An HTTP reverse proxy on 127.0.0.1 in front of an S3 endpoint that answers chosen requests with
 * {@code 503 SlowDown}, the way S3 throttles, instead of forwarding them. Everything else is passed
 * through: method, path, query, headers, body, status and response headers (ETag included).
 *
 * <p>The proxy changes the Host header, so the server behind it must not check signatures (start
 * {@link EmbeddedS3} {@link EmbeddedS3.Builder#withoutAuthorization() without authorization}).
 */
public final class FaultInjectingProxy implements AutoCloseable {

    static final String SLOW_DOWN_BODY = """
            <?xml version="1.0" encoding="UTF-8"?>
            <Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message>\
            <RequestId>%s</RequestId></Error>""";

    // Hop-by-hop headers, and those java.net.http.HttpClient sets itself and refuses to take.
    private static final Set<String> NOT_FORWARDED = Set.of(
            "host", "connection", "content-length", "expect", "upgrade", "transfer-encoding", "keep-alive",
            "te", "trailer", "proxy-connection", "proxy-authorization", "date");

    private final URI target;
    private final HttpServer server;
    private final ExecutorService executor;
    private final HttpClient client;
    private final List<Rule> rules = new ArrayList<>();
    private final List<Request> seen = new ArrayList<>();
    private final List<Request> failed = new ArrayList<>();

    private FaultInjectingProxy(URI target) {
        this.target = requireNonNull(target, "target is null");
        this.executor = Executors.newCachedThreadPool(runnable -> {
            Thread thread = new Thread(runnable, "fault-injecting-proxy");
            thread.setDaemon(true);
            return thread;
        });
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(Duration.ofSeconds(5))
                .executor(executor)
                .build();
        try {
            this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new IllegalStateException("Cannot start the fault-injecting proxy for " + target, e);
        }
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    /** Starts a proxy on a free port of 127.0.0.1 that forwards to {@code target}. */
    public static FaultInjectingProxy start(URI target) {
        return new FaultInjectingProxy(target);
    }

    /** The base URI to give a client as its endpoint override. */
    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /**
     * Answers the first {@code count} requests that match with 503 SlowDown; later matching
     * requests are forwarded. Rules are checked in the order they were added.
     */
    public synchronized FaultInjectingProxy failFirst(int count, Predicate<Request> matching) {
        if (count < 0) {
            throw new IllegalArgumentException("count must not be negative: " + count);
        }
        rules.add(new Rule(requireNonNull(matching, "matching is null"), new AtomicInteger(count)));
        return this;
    }

    /** Every request received, in arrival order, failed or forwarded. */
    public synchronized List<Request> requests() {
        return List.copyOf(seen);
    }

    /** The requests that were answered with SlowDown, in arrival order. */
    public synchronized List<Request> failedRequests() {
        return List.copyOf(failed);
    }

    public synchronized int requestsSeen() {
        return seen.size();
    }

    public synchronized int failuresInjected() {
        return failed.size();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            URI uri = exchange.getRequestURI();
            Request request = new Request(exchange.getRequestMethod(), uri.getRawPath(), uri.getRawQuery(),
                    exchange.getRequestHeaders().getFirst("X-Amz-Target"));
            // Read the body in full before answering, as S3 does, so the client sees a clean response.
            byte[] body = exchange.getRequestBody().readAllBytes();
            if (inject(request)) {
                slowDown(exchange);
            } else {
                forward(exchange, request, body);
            }
        }
    }

    private synchronized boolean inject(Request request) {
        seen.add(request);
        for (Rule rule : rules) {
            if (rule.matching().test(request) && rule.remaining().get() > 0) {
                rule.remaining().decrementAndGet();
                failed.add(request);
                return true;
            }
        }
        return false;
    }

    private static void slowDown(HttpExchange exchange) throws IOException {
        String requestId = UUID.randomUUID().toString();
        byte[] bytes = SLOW_DOWN_BODY.formatted(requestId).getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/xml");
        exchange.getResponseHeaders().set("x-amz-request-id", requestId);
        if ("HEAD".equals(exchange.getRequestMethod())) {
            // A HEAD response has no body: the client has only the status to go by, as with S3.
            exchange.sendResponseHeaders(503, -1);
            return;
        }
        exchange.sendResponseHeaders(503, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private void forward(HttpExchange exchange, Request request, byte[] body) throws IOException {
        String query = request.query() == null ? "" : "?" + request.query();
        HttpRequest.Builder upstream = HttpRequest.newBuilder(URI.create(base() + request.path() + query))
                .method(request.method(), body.length == 0
                        ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(body));
        for (Map.Entry<String, List<String>> header : exchange.getRequestHeaders().entrySet()) {
            if (!NOT_FORWARDED.contains(header.getKey().toLowerCase(Locale.ROOT))) {
                header.getValue().forEach(value -> upstream.header(header.getKey(), value));
            }
        }
        HttpResponse<InputStream> response;
        try {
            response = client.send(upstream.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("Interrupted while forwarding " + request, e);
        }
        response.headers().map().forEach((name, values) -> {
            if (!NOT_FORWARDED.contains(name.toLowerCase(Locale.ROOT))) {
                exchange.getResponseHeaders().put(name, values);
            }
        });
        long length = response.headers().firstValueAsLong("Content-Length").orElse(-1);
        boolean noBody = "HEAD".equals(request.method()) || response.statusCode() == 204
                || response.statusCode() == 304 || length == 0;
        try (InputStream in = response.body()) {
            if (noBody) {
                // HttpServer leaves a HEAD response's Content-Length to us: it is the object's size.
                if (length >= 0 && "HEAD".equals(request.method())) {
                    exchange.getResponseHeaders().set("Content-Length", Long.toString(length));
                }
                exchange.sendResponseHeaders(response.statusCode(), -1);
                return;
            }
            // Length 0 tells HttpServer to send the body chunked, for an upstream body of unknown length.
            exchange.sendResponseHeaders(response.statusCode(), Math.max(length, 0));
            try (OutputStream out = exchange.getResponseBody()) {
                in.transferTo(out);
            }
        }
    }

    private String base() {
        String base = target.toString();
        return base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    }

    /**
     * A request as the proxy saw it: method, raw (still encoded) path, raw query or null, and the
     * {@code X-Amz-Target} header of a JSON protocol call ({@code DynamoDB_20120810.GetItem}) or null.
     */
    public record Request(String method, String path, String query, String target) {

        /** Whether this is a request with that method, e.g. {@code "PUT"}. */
        public boolean is(String httpMethod) {
            return method.equalsIgnoreCase(httpMethod);
        }
    }

    private record Rule(Predicate<Request> matching, AtomicInteger remaining) {}
}
