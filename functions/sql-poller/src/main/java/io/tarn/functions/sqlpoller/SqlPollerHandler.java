package io.tarn.functions.sqlpoller;

import static java.util.Objects.requireNonNull;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tarn.events.InvalidEventException;
import io.tarn.poll.Deadline;
import io.tarn.poll.PollEvents;
import io.tarn.poll.PollRequest;
import io.tarn.poll.Poller;
import io.tarn.poll.SqlPollerConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;

/**
 * SqlPoller: pulls changed rows of the Azure SQL datasets into the raw bucket. Accepts EventBridge's
 * scheduled event (every dataset) and {@code {"tables": [...]}} (the named ones), see
 * {@link SqlPollerEvents}; answers with the poll's report.
 */
public final class SqlPollerHandler implements RequestStreamHandler {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Poller poller;

    /** Lambda's constructor: real AWS clients, built once per container. */
    public SqlPollerHandler() {
        this(SqlPollerWiring.aws(SqlPollerConfig.fromEnv(System.getenv()))::poll);
    }

    public SqlPollerHandler(Poller poller) {
        this.poller = requireNonNull(poller, "poller is null");
    }

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        PollRequest request;
        try {
            request = SqlPollerEvents.decode(input.readAllBytes());
        } catch (InvalidEventException e) {
            throw new IllegalArgumentException("SqlPoller cannot handle this event: " + e.getMessage(), e);
        }
        Deadline deadline = () -> Duration.ofMillis(context.getRemainingTimeInMillis());
        JSON.writeValue(output, PollEvents.toJson(poller.poll(request, deadline)));
    }
}
