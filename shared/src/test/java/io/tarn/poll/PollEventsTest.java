package io.tarn.poll;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tarn.events.InvalidEventException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The SqlPoller's events, from the same files {@code sam local invoke -e} uses. */
class PollEventsTest {

    private static final Path EVENTS = Path.of("../events");

    @Test
    void eventBridgeScheduledEventPollsEveryDataset() throws Exception {
        try (InputStream event = Files.newInputStream(EVENTS.resolve("schedule.json"))) {
            assertThat(PollEvents.decode(event)).isEqualTo(PollRequest.all());
        }
    }

    @Test
    void manualEventPollsTheNamedDatasets() throws Exception {
        try (InputStream event = Files.newInputStream(EVENTS.resolve("poll-manual.json"))) {
            assertThat(PollEvents.decode(event)).isEqualTo(new PollRequest(List.of("invoices")));
        }
    }

    @Test
    void manualEventKeepsTheOrderAndPollsANameGivenTwiceOnce() throws Exception {
        assertThat(decode("{\"tables\": [\"invoices\", \"accounts\", \"invoices\"]}"))
                .isEqualTo(new PollRequest(List.of("invoices", "accounts")));
    }

    @Test
    void otherEventBridgeEventIsRefusedNamingItsDetailType() {
        assertThatThrownBy(() -> decode("{\"detail-type\": \"Object Created\", \"source\": \"aws.s3\"}"))
                .isInstanceOf(InvalidEventException.class)
                .hasMessage("an EventBridge event of detail-type \"Object Created\" is not for the SqlPoller"
                        + " (expected \"Scheduled Event\")");
    }

    @Test
    void emptyTablesIsRefusedRatherThanPollingEverything() {
        assertThatThrownBy(() -> decode("{\"tables\": []}"))
                .isInstanceOf(InvalidEventException.class)
                .hasMessage("\"tables\" must be a non-empty array of dataset names, got []");
    }

    @Test
    void tablesAsAStringIsRefused() {
        assertThatThrownBy(() -> decode("{\"tables\": \"invoices\"}"))
                .isInstanceOf(InvalidEventException.class)
                .hasMessage("\"tables\" must be a non-empty array of dataset names, got \"invoices\"");
    }

    @Test
    void nonTextOrBlankTableNameIsRefused() {
        assertThatThrownBy(() -> decode("{\"tables\": [\"invoices\", 7]}"))
                .isInstanceOf(InvalidEventException.class)
                .hasMessage("\"tables\" must hold dataset names, got 7");
        assertThatThrownBy(() -> decode("{\"tables\": [\" \"]}"))
                .isInstanceOf(InvalidEventException.class)
                .hasMessage("\"tables\" must hold dataset names, got \" \"");
    }

    @Test
    void eventWithBothShapesIsRefused() {
        assertThatThrownBy(() -> decode("{\"detail-type\": \"Scheduled Event\", \"tables\": [\"invoices\"]}"))
                .isInstanceOf(InvalidEventException.class)
                .hasMessageStartingWith("the event has both \"detail-type\" and \"tables\"");
    }

    @Test
    void unknownShapeIsRefusedSayingWhatIsExpected() {
        assertThatThrownBy(() -> decode("{\"Records\": []}"))
                .isInstanceOf(InvalidEventException.class)
                .hasMessage("expected EventBridge's scheduled event (\"detail-type\": \"Scheduled Event\")"
                        + " or a manual event {\"tables\": [\"<dataset>\", ...]}");
        assertThatThrownBy(() -> decode("[\"invoices\"]"))
                .isInstanceOf(InvalidEventException.class)
                .hasMessage("the event is not a JSON object");
    }

    @Test
    void nonJsonIsRefused() {
        assertThatThrownBy(() -> decode("poll invoices"))
                .isInstanceOf(InvalidEventException.class)
                .hasMessageStartingWith("the event is not JSON: ");
    }

    @Test
    void reportIsEncodedTableByTableWithNullWhenNotStopped() {
        PollReport report = new PollReport(List.of(
                new PollReport.TableReport("accounts", "rowversion", 2, 15_000, List.of("a/1.csv", "a/2.csv"),
                        "", "0x00000000000007D1", true, Optional.empty()),
                new PollReport.TableReport("invoices", "timestamp", 0, 0, List.of(), "2024-06-01T00:00:00Z|9001",
                        "2024-06-01T00:00:00Z|9001", false, Optional.of("lease held by sql-poller-2"))));

        assertThat(PollEvents.toJson(report).toString()).isEqualTo("{\"tables\":["
                + "{\"dataset\":\"accounts\",\"strategy\":\"rowversion\",\"pages\":2,\"rows\":15000,"
                + "\"objectKeys\":[\"a/1.csv\",\"a/2.csv\"],\"watermarkBefore\":\"\",\"watermarkAfter\":\"0x00000000000007D1\","
                + "\"caughtUp\":true,\"stoppedBecause\":null},"
                + "{\"dataset\":\"invoices\",\"strategy\":\"timestamp\",\"pages\":0,\"rows\":0,\"objectKeys\":[],"
                + "\"watermarkBefore\":\"2024-06-01T00:00:00Z|9001\",\"watermarkAfter\":\"2024-06-01T00:00:00Z|9001\","
                + "\"caughtUp\":false,\"stoppedBecause\":\"lease held by sql-poller-2\"}]}");
    }

    private static PollRequest decode(String json) throws InvalidEventException, IOException {
        return PollEvents.decode(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)));
    }
}
