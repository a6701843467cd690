package io.tarn.functions.sqlpoller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tarn.aws.AwsSettings;
import io.tarn.embedded.LambdaContext;
import io.tarn.poll.Deadline;
import io.tarn.poll.PollReport;
import io.tarn.poll.PollRequest;
import io.tarn.poll.SqlPollerConfig;
import io.tarn.poll.SqlPollerService;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The handler over a recording poller: what it asks for per event (the files in {@code events/}
 * that {@code sam local invoke} uses), the deadline it passes, and the response it writes. The
 * poll itself is SqlPollerService's and is tested in shared.
 */
class SqlPollerHandlerTest {

    private static final Path EVENTS = Path.of("../../events");
    private static final ObjectMapper JSON = new ObjectMapper();

    private static final PollReport REPORT = new PollReport(List.of(
            new PollReport.TableReport("accounts", "rowversion", 1, 3, List.of("azuresql/dbo/accounts/p-1.csv"),
                    "", "0x00000000000007D3", true, Optional.empty()),
            new PollReport.TableReport("invoices", "timestamp", 2, 20_000,
                    List.of("azuresql/dbo/invoices/p-1.csv", "azuresql/dbo/invoices/p-2.csv"),
                    "", "2024-06-01T10:00:00Z|9001", false, Optional.of("less than PT1M left"))));

    private final List<PollRequest> requests = new ArrayList<>();
    private final List<Deadline> deadlines = new ArrayList<>();
    private final SqlPollerHandler handler = new SqlPollerHandler((request, deadline) -> {
        requests.add(request);
        deadlines.add(deadline);
        return REPORT;
    });

    @Test
    void scheduledEventPollsEveryDatasetAndAnswersWithTheReport() throws IOException {
        JsonNode response = invoke(Files.readAllBytes(EVENTS.resolve("schedule.json")), LambdaContext.withRemaining(() -> 840_000));

        assertThat(requests).containsExactly(PollRequest.all());
        assertThat(response.toString()).isEqualTo("{\"tables\":["
                + "{\"dataset\":\"accounts\",\"strategy\":\"rowversion\",\"pages\":1,\"rows\":3,"
                + "\"objectKeys\":[\"azuresql/dbo/accounts/p-1.csv\"],\"watermarkBefore\":\"\","
                + "\"watermarkAfter\":\"0x00000000000007D3\",\"caughtUp\":true,\"stoppedBecause\":null},"
                + "{\"dataset\":\"invoices\",\"strategy\":\"timestamp\",\"pages\":2,\"rows\":20000,"
                + "\"objectKeys\":[\"azuresql/dbo/invoices/p-1.csv\",\"azuresql/dbo/invoices/p-2.csv\"],"
                + "\"watermarkBefore\":\"\",\"watermarkAfter\":\"2024-06-01T10:00:00Z|9001\",\"caughtUp\":false,"
                + "\"stoppedBecause\":\"less than PT1M left\"}]}");
    }

    @Test
    void manualEventPollsOnlyTheNamedDatasets() throws IOException {
        invoke(Files.readAllBytes(EVENTS.resolve("poll-manual.json")), LambdaContext.withRemaining(() -> 60_000));

        assertThat(requests).containsExactly(new PollRequest(List.of("invoices")));
    }

    @Test
    void deadlineReadsTheContextsRemainingTimeEachTimeItIsAsked() throws IOException {
        AtomicInteger remaining = new AtomicInteger(900_000);

        invoke(Files.readAllBytes(EVENTS.resolve("schedule.json")), LambdaContext.withRemaining(remaining::get));

        Deadline deadline = deadlines.get(0);
        assertThat(deadline.remaining()).isEqualTo(Duration.ofMinutes(15));
        remaining.set(45_000);
        assertThat(deadline.remaining()).isEqualTo(Duration.ofSeconds(45));
    }

    @Test
    void eventOfAnotherShapeFailsTheInvocationSayingWhyAndPollsNothing() {
        byte[] s3Event = "{\"Records\": [{\"eventSource\": \"aws:s3\"}]}".getBytes(StandardCharsets.UTF_8);

        assertThatThrownBy(() -> invoke(s3Event, LambdaContext.withRemaining(() -> 60_000)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("SqlPoller cannot handle this event: expected EventBridge's scheduled event"
                        + " (\"detail-type\": \"Scheduled Event\") or a manual event {\"tables\": [\"<dataset>\", ...]}");
        assertThat(requests).isEmpty();
    }

    @Test
    void awsWiringBuildsThePollerFromTheFunctionsEnvironmentWithoutCallingAws() {
        // Nothing is called at construction (the secret is read on first use), so an endpoint where
        // nothing listens proves the wiring makes no call at cold start.
        SqlPollerConfig config = SqlPollerConfig.fromEnv(Map.of(
                SqlPollerConfig.AWS_REGION, "us-east-1",
                SqlPollerConfig.RAW_BUCKET, "tarn-raw",
                SqlPollerConfig.STATE_TABLE, "tarn-state",
                SqlPollerConfig.DB_SECRET_ARN, "arn:aws:secretsmanager:us-east-1:123456789012:secret:tarn/azuresql-AbCdEf"));

        SqlPollerService service = SqlPollerWiring.aws(
                config, AwsSettings.local(URI.create("http://127.0.0.1:9"), "us-east-1", "test", "test"));

        assertThat(new SqlPollerHandler(service::poll)).isNotNull();
    }

    private JsonNode invoke(byte[] event, LambdaContext context) throws IOException {
        ByteArrayOutputStream response = new ByteArrayOutputStream();
        handler.handleRequest(new ByteArrayInputStream(event), response, context);
        return JSON.readTree(response.toByteArray());
    }
}
