package io.tarn.functions.crawlerrefresh;

import static java.util.Objects.requireNonNull;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tarn.etl.CrawlerRefreshConfig;
import io.tarn.etl.CrawlerRefreshRequest;
import io.tarn.etl.CrawlerRefreshResponse;
import io.tarn.etl.EtlEvents;
import io.tarn.events.InvalidEventException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.function.Function;

/**
 * CrawlerRefresh, a step of the ETL state machine: {@code {"action": "check"|"start"|"status",
 * "runId": "...", "attempt": n}} in, the action's answer out (see {@link CrawlerRefreshResponse}).
 */
public final class CrawlerRefreshHandler implements RequestStreamHandler {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Function<CrawlerRefreshRequest, CrawlerRefreshResponse> service;

    /** Lambda's constructor: real AWS clients, built once per container. */
    public CrawlerRefreshHandler() {
        this(CrawlerRefreshWiring.aws(CrawlerRefreshConfig.fromEnv(System.getenv()))::handle);
    }

    public CrawlerRefreshHandler(Function<CrawlerRefreshRequest, CrawlerRefreshResponse> service) {
        this.service = requireNonNull(service, "service is null");
    }

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        CrawlerRefreshRequest request;
        try {
            request = EtlEvents.crawlerRefresh(input);
        } catch (InvalidEventException e) {
            throw new IllegalArgumentException("CrawlerRefresh cannot handle this event: " + e.getMessage(), e);
        }
        JSON.writeValue(output, service.apply(request));
    }
}
