package io.tarn.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tarn.events.ObjectCreatedEvents.Invocation;
import io.tarn.ingest.RawObjectRef;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ObjectCreatedEventsTest {

    private static final Path EVENTS = Path.of("../events");

    @Test
    void decodesTheSampleS3Notification() throws Exception {
        Invocation invocation = ObjectCreatedEvents.decode(Files.readString(EVENTS.resolve("s3-put.json")));

        assertThat(invocation.sqsBatch()).isFalse();
        assertThat(invocation.messages()).singleElement().satisfies(message ->
                assertThat(message.objects()).containsExactly(RawObjectRef.of("tarn-raw", "dms/shop/orders/LOAD00000001.csv")));
    }

    @Test
    void decodesTheSampleEventBridgeEvent() throws Exception {
        Invocation invocation = ObjectCreatedEvents.decode(Files.readString(EVENTS.resolve("eventbridge-object-created.json")));

        assertThat(invocation.messages().get(0).objects())
                .containsExactly(RawObjectRef.of("tarn-raw", "dms/shop/orders/20240601-1200000000.csv"));
    }

    @Test
    void decodesEveryMessageOfTheSampleSqsBatch() throws Exception {
        Invocation invocation = ObjectCreatedEvents.decode(Files.readString(EVENTS.resolve("sqs-eventbridge-batch.json")));

        assertThat(invocation.sqsBatch()).isTrue();
        assertThat(invocation.messages()).hasSize(3).allSatisfy(m -> assertThat(m.error()).isEmpty());
        assertThat(invocation.messages()).extracting(m -> m.objects().get(0).key()).containsExactly(
                "dms/app/events/LOAD00000001.csv", "azuresql/dbo/accounts/sample-accounts.csv",
                "azuresql/dbo/invoices/sample-invoices.csv");
        assertThat(invocation.messages().get(0).messageId()).contains("059f36b4-87a3-44ab-83d2-661975874700");
    }

    @Test
    void s3NotificationKeysAreFormDecodedAndCarryVersionAndETag() throws Exception {
        String event = """
                {"Records":[{"eventSource":"aws:s3","eventName":"ObjectCreated:Put","s3":{"bucket":{"name":"raw"},
                 "object":{"key":"dms/shop/orders/a+b%2Bc%3D.csv","eTag":"abc","versionId":"v1"}}}]}""";

        assertThat(ObjectCreatedEvents.decode(event).messages().get(0).objects()).containsExactly(
                new RawObjectRef("raw", "dms/shop/orders/a b+c=.csv", Optional.of("v1"), Optional.of("abc")));
    }

    @Test
    void eventBridgeKeysAreTakenAsTheyAre() throws Exception {
        String event = """
                {"detail-type":"Object Created","source":"aws.s3","detail":{"bucket":{"name":"raw"},
                 "object":{"key":"dms/a+b%2B.csv","etag":"e","version-id":"v"}}}""";

        assertThat(ObjectCreatedEvents.decode(event).messages().get(0).objects()).containsExactly(
                new RawObjectRef("raw", "dms/a+b%2B.csv", Optional.of("v"), Optional.of("e")));
    }

    @Test
    void anUndecodableSqsMessageIsReportedAloneAndTheOthersStillDecode() throws Exception {
        String event = """
                {"Records":[
                 {"messageId":"m1","eventSource":"aws:sqs","body":"not json"},
                 {"messageId":"m2","eventSource":"aws:sqs","body":"{\\"detail-type\\":\\"Object Created\\",\\"detail\\":{\\"bucket\\":{\\"name\\":\\"raw\\"},\\"object\\":{\\"key\\":\\"k\\"}}}"}]}""";

        Invocation invocation = ObjectCreatedEvents.decode(event);

        assertThat(invocation.messages().get(0).error()).hasValueSatisfying(e -> assertThat(e).startsWith("message m1: SQS message body is not JSON"));
        assertThat(invocation.messages().get(1).objects()).containsExactly(RawObjectRef.of("raw", "k"));
    }

    @Test
    void theS3TestEventAndOtherEventNamesCarryNoObject() throws Exception {
        assertThat(ObjectCreatedEvents.decode("{\"Event\":\"s3:TestEvent\",\"Bucket\":\"raw\"}").messages().get(0).objects()).isEmpty();
        assertThat(ObjectCreatedEvents.decode("""
                {"Records":[{"eventSource":"aws:s3","eventName":"ObjectRemoved:Delete","s3":{"bucket":{"name":"raw"},"object":{"key":"k"}}}]}""")
                .messages().get(0).objects()).isEmpty();
    }

    @Test
    void otherShapesAreRefusedWithWhatWasExpected() {
        assertThatThrownBy(() -> ObjectCreatedEvents.decode("{\"hello\":1}"))
                .isInstanceOf(InvalidEventException.class)
                .hasMessage("not an S3 object event: expected an SQS batch, an S3 notification (Records[].s3) "
                        + "or an EventBridge 'Object Created' event");
        assertThatThrownBy(() -> ObjectCreatedEvents.decode("{\"detail-type\":\"Object Deleted\",\"detail\":{}}"))
                .hasMessage("EventBridge event of type 'Object Deleted', expected 'Object Created'");
        assertThatThrownBy(() -> ObjectCreatedEvents.decode("[1,2"))
                .hasMessageStartingWith("event is not valid JSON");
    }
}
