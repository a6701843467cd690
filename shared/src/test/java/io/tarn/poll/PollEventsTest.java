package io.tarn.poll;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tarn.events.InvalidEventException;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The SqlPoller's own shapes: the manual request's {@code tables} and the response. Which event is
 * which, and EventBridge's scheduled event, are the function's (SqlPollerEventsTest).
 */
class PollEventsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void manualRequestKeepsTheOrderAndPollsANameGivenTwiceOnce() throws Exception {
        assertThat(PollEvents.manualRequest(json("[\"invoices\", \"accounts\", \" invoices \"]")))
                .isEqualTo(new PollRequest(List.of("invoices", "accounts")));
    }

    @Test
    void emptyTablesIsRefusedRatherThanPollingEverything() {
        assertThatThrownBy(() -> PollEvents.manualRequest(json("[]")))
                .isInstanceOf(InvalidEventException.class)
                .hasMessage("\"tables\" must be a non-empty array of dataset names, got []");
    }

    @Test
    void tablesAsAStringIsRefused() {
        assertThatThrownBy(() -> PollEvents.manualRequest(json("\"invoices\"")))
                .isInstanceOf(InvalidEventException.class)
                .hasMessage("\"tables\" must be a non-empty array of dataset names, got \"invoices\"");
    }

    @Test
    void nonTextOrBlankTableNameIsRefused() {
        assertThatThrownBy(() -> PollEvents.manualRequest(json("[\"invoices\", 7]")))
                .isInstanceOf(InvalidEventException.class)
                .hasMessage("\"tables\" must hold dataset names, got 7");
        assertThatThrownBy(() -> PollEvents.manualRequest(json("[\" \"]")))
                .isInstanceOf(InvalidEventException.class)
                .hasMessage("\"tables\" must hold dataset names, got \" \"");
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

    private static JsonNode json(String text) throws Exception {
        return JSON.readTree(text);
    }
}
