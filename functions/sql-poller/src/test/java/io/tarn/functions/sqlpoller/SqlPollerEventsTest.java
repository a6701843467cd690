package io.tarn.functions.sqlpoller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;
import com.amazonaws.services.lambda.runtime.tests.EventLoader;
import com.amazonaws.services.lambda.runtime.tests.annotations.Event;
import io.tarn.events.InvalidEventException;
import io.tarn.poll.PollRequest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;

/**
 * The SqlPoller's events: EventBridge's scheduled event from {@code events/} loaded into the events
 * library's type by aws-lambda-java-tests, the same files as the bytes the stream handler gets, and
 * the shapes it refuses.
 */
class SqlPollerEventsTest {

    @ParameterizedTest
    @Event(value = "schedule.json", type = ScheduledEvent.class)
    void eventBridgeScheduledEventPollsEveryDataset(ScheduledEvent event) throws Exception {
        assertThat(event.getSource()).isEqualTo("aws.events");
        assertThat(SqlPollerEvents.fromSchedule(event)).isEqualTo(PollRequest.all());
    }

    @Test
    void theHandlersBytesOfTheScheduleDecodeAsTheLibraryLoadsThem() throws Exception {
        assertThat(SqlPollerEvents.decode(bytes("schedule.json")))
                .isEqualTo(SqlPollerEvents.fromSchedule(EventLoader.loadScheduledEvent("schedule.json")));
    }

    @Test
    void manualEventPollsTheNamedDatasets() throws Exception {
        assertThat(SqlPollerEvents.decode(bytes("poll-manual.json"))).isEqualTo(new PollRequest(List.of("invoices")));
    }

    @Test
    void theSchedulersInputOfTheTemplateIsAScheduledEvent() throws Exception {
        // EventBridge Scheduler sends its input as it is; template.yaml gives it a schedule rule's shape.
        assertThat(decode("{\"detail-type\": \"Scheduled Event\", \"source\": \"tarn.scheduler\", \"detail\": {}}"))
                .isEqualTo(PollRequest.all());
    }

    @Test
    void manualEventKeepsTheOrderAndPollsANameGivenTwiceOnce() throws Exception {
        assertThat(decode("{\"tables\": [\"invoices\", \"accounts\", \"invoices\"]}"))
                .isEqualTo(new PollRequest(List.of("invoices", "accounts")));
    }

    @Test
    void emptyTablesIsRefusedRatherThanPollingEverything() {
        assertThatThrownBy(() -> decode("{\"tables\": []}"))
                .isInstanceOf(InvalidEventException.class)
                .hasMessage("\"tables\" must be a non-empty array of dataset names, got []");
    }

    @Test
    void otherEventBridgeEventIsRefusedNamingItsDetailType() {
        assertThatThrownBy(() -> decode("{\"detail-type\": \"Object Created\", \"source\": \"aws.s3\"}"))
                .isInstanceOf(InvalidEventException.class)
                .hasMessage("an EventBridge event of detail-type \"Object Created\" is not for the SqlPoller"
                        + " (expected \"Scheduled Event\")");
    }

    @Test
    void eventBridgeEventTheLibraryCannotReadIsRefusedSayingWhy() {
        assertThatThrownBy(() -> decode("{\"detail-type\": \"Scheduled Event\", \"time\": \"at noon\"}"))
                .isInstanceOf(InvalidEventException.class)
                .hasMessage("the EventBridge event does not decode: Invalid format: \"at noon\"");
    }

    @Test
    void eventWithBothShapesIsRefused() {
        assertThatThrownBy(() -> decode("{\"detail-type\": \"Scheduled Event\", \"tables\": [\"invoices\"]}"))
                .isInstanceOf(InvalidEventException.class)
                .hasMessage("the event has both \"detail-type\" and \"tables\": send either EventBridge's scheduled"
                        + " event or {\"tables\": [...]}");
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
                .hasMessage("the event is not JSON: Unrecognized token 'poll': was expecting"
                        + " (JSON String, Number, Array, Object or token 'null', 'true' or 'false')");
    }

    private static PollRequest decode(String json) throws InvalidEventException {
        return SqlPollerEvents.decode(json.getBytes(StandardCharsets.UTF_8));
    }

    /** A sample event's bytes, from the test class path (events/), as Lambda hands them to the handler. */
    private static byte[] bytes(String event) throws IOException {
        try (InputStream in = SqlPollerEventsTest.class.getResourceAsStream("/" + event)) {
            assertThat(in).as("events/%s on the test class path", event).isNotNull();
            return in.readAllBytes();
        }
    }
}
