package io.tarn.functions.rawobject;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;
import com.amazonaws.services.lambda.runtime.events.models.s3.S3EventNotification;
import com.amazonaws.services.lambda.runtime.tests.EventLoader;
import com.amazonaws.services.lambda.runtime.tests.annotations.Event;
import io.tarn.events.InvalidEventException;
import io.tarn.ingest.RawObjectInvocation;
import io.tarn.ingest.RawObjectInvocation.Message;
import io.tarn.ingest.RawObjectRef;
import io.tarn.ingest.RawObjectResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;

/**
 * The RawObject function's events: the files of {@code events/} loaded into the events library's
 * types by aws-lambda-java-tests (as Lambda's runtime would decode them for a POJO handler), the
 * same files as the bytes the stream handler gets, and the shapes around them.
 */
class RawObjectEventsTest {

    @ParameterizedTest
    @Event(value = "s3-put.json", type = S3EventNotification.class)
    void theSampleS3NotificationNamesTheOrdersFullLoad(S3EventNotification notification) throws Exception {
        assertThat(RawObjectEvents.objects(notification))
                .containsExactly(RawObjectRef.of("tarn-raw", "dms/shop/orders/LOAD00000001.csv"));
    }

    @ParameterizedTest
    @Event(value = "eventbridge-object-created.json", type = ScheduledEvent.class)
    void theSampleEventBridgeEventNamesTheOrdersCdcFile(ScheduledEvent event) throws Exception {
        assertThat(RawObjectEvents.objects(event))
                .containsExactly(RawObjectRef.of("tarn-raw", "dms/shop/orders/20240601-1200000000.csv"));
    }

    @ParameterizedTest
    @Event(value = "sqs-eventbridge-batch.json", type = SQSEvent.class)
    void everyMessageOfTheSampleSqsBatchNamesItsObject(SQSEvent batch) {
        RawObjectInvocation invocation = RawObjectEvents.fromSqs(batch);

        assertThat(invocation.sqsBatch()).isTrue();
        assertThat(invocation.messages()).containsExactly(
                Message.of(Optional.of("059f36b4-87a3-44ab-83d2-661975874700"),
                        List.of(RawObjectRef.of("tarn-raw", "dms/app/events/LOAD00000001.csv"))),
                Message.of(Optional.of("059f36b4-87a3-44ab-83d2-661975874701"),
                        List.of(RawObjectRef.of("tarn-raw", "azuresql/dbo/accounts/sample-accounts.csv"))),
                Message.of(Optional.of("059f36b4-87a3-44ab-83d2-661975874702"),
                        List.of(RawObjectRef.of("tarn-raw", "azuresql/dbo/invoices/sample-invoices.csv"))));
    }

    @Test
    void theHandlersBytesOfEachSampleDecodeAsTheLibraryLoadsThem() throws Exception {
        assertThat(RawObjectEvents.decode(bytes("s3-put.json"))).isEqualTo(RawObjectInvocation.plain(
                RawObjectEvents.objects(EventLoader.loadEvent("s3-put.json", S3EventNotification.class))));
        assertThat(RawObjectEvents.decode(bytes("eventbridge-object-created.json"))).isEqualTo(RawObjectInvocation.plain(
                RawObjectEvents.objects(EventLoader.loadEvent("eventbridge-object-created.json", ScheduledEvent.class))));
        assertThat(RawObjectEvents.decode(bytes("sqs-eventbridge-batch.json")))
                .isEqualTo(RawObjectEvents.fromSqs(EventLoader.loadSQSEvent("sqs-eventbridge-batch.json")));
    }

    @Test
    void s3NotificationKeysAreFormDecodedAndCarryVersionAndETag() throws Exception {
        String event = """
                {"Records":[{"eventSource":"aws:s3","eventTime":"2024-06-01T09:01:02.000Z","eventName":"ObjectCreated:Put",
                 "s3":{"bucket":{"name":"raw"},"object":{"key":"dms/shop/orders/a+b%2Bc%3D.csv","eTag":"abc","versionId":"v1"}}}]}""";

        assertThat(decode(event)).isEqualTo(RawObjectInvocation.plain(List.of(
                new RawObjectRef("raw", "dms/shop/orders/a b+c=.csv", Optional.of("v1"), Optional.of("abc")))));
    }

    @Test
    void eventBridgeKeysAreTakenAsTheyAreWithVersionAndETag() throws Exception {
        String event = """
                {"detail-type":"Object Created","source":"aws.s3","detail":{"bucket":{"name":"raw"},
                 "object":{"key":"dms/a+b%2B.csv","etag":"e","version-id":"v"}}}""";

        assertThat(decode(event)).isEqualTo(RawObjectInvocation.plain(List.of(
                new RawObjectRef("raw", "dms/a+b%2B.csv", Optional.of("v"), Optional.of("e")))));
    }

    @Test
    void anUndecodableSqsMessageIsReportedAloneAndTheOthersStillDecode() throws Exception {
        String event = """
                {"Records":[
                 {"messageId":"m1","eventSource":"aws:sqs","body":"not json"},
                 {"messageId":"m2","eventSource":"aws:sqs","body":"{\\"detail-type\\":\\"Object Created\\",\\"detail\\":{\\"bucket\\":{\\"name\\":\\"raw\\"},\\"object\\":{\\"key\\":\\"k\\"}}}"},
                 {"messageId":"m3","eventSource":"aws:sqs"}]}""";

        assertThat(decode(event).messages()).containsExactly(
                Message.undecodable(Optional.of("m1"), "message m1: SQS message body is not JSON: Unrecognized token 'not': "
                        + "was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')"),
                Message.of(Optional.of("m2"), List.of(RawObjectRef.of("raw", "k"))),
                Message.undecodable(Optional.of("m3"), "message m3: SQS message has no body"));
    }

    @Test
    void sqsMessagesMayHoldS3NotificationsOrS3sTestEventAndAnotherEventBridgeTypeFailsAlone() throws Exception {
        String event = """
                {"Records":[
                 {"messageId":"m1","eventSource":"aws:sqs","body":"{\\"Records\\":[{\\"eventTime\\":\\"2024-06-01T09:01:02Z\\",\\"eventName\\":\\"ObjectCreated:Put\\",\\"s3\\":{\\"bucket\\":{\\"name\\":\\"raw\\"},\\"object\\":{\\"key\\":\\"a+b.csv\\",\\"eTag\\":\\"e1\\"}}}]}"},
                 {"messageId":"m2","eventSource":"aws:sqs","body":"{\\"Service\\":\\"Amazon S3\\",\\"Event\\":\\"s3:TestEvent\\",\\"Bucket\\":\\"raw\\"}"},
                 {"messageId":"m3","eventSource":"aws:sqs","body":"{\\"detail-type\\":\\"Object Deleted\\",\\"detail\\":{}}"}]}""";

        RawObjectInvocation invocation = decode(event);

        assertThat(invocation.sqsBatch()).isTrue();
        assertThat(invocation.messages()).containsExactly(
                Message.of(Optional.of("m1"), List.of(new RawObjectRef("raw", "a b.csv", Optional.empty(), Optional.of("e1")))),
                Message.of(Optional.of("m2"), List.of()),
                Message.undecodable(Optional.of("m3"), "message m3: EventBridge event of type 'Object Deleted', expected 'Object Created'"));
    }

    @Test
    void theS3TestEventAndOtherEventNamesCarryNoObject() throws Exception {
        assertThat(decode("{\"Service\":\"Amazon S3\",\"Event\":\"s3:TestEvent\",\"Bucket\":\"raw\"}"))
                .isEqualTo(RawObjectInvocation.plain(List.of()));
        assertThat(decode("""
                {"Records":[{"eventSource":"aws:s3","eventTime":"2024-06-01T09:01:02Z","eventName":"ObjectRemoved:Delete",
                 "s3":{"bucket":{"name":"raw"},"object":{"key":"k"}}}]}""")).isEqualTo(RawObjectInvocation.plain(List.of()));
    }

    @Test
    void otherShapesAreRefusedWithWhatWasExpected() {
        assertThatThrownBy(() -> decode("{\"hello\":1}"))
                .isInstanceOf(InvalidEventException.class)
                .hasMessage("not an S3 object event: expected an SQS batch, an S3 notification (Records[].s3) "
                        + "or an EventBridge 'Object Created' event");
        assertThatThrownBy(() -> decode("{\"detail-type\":\"Object Deleted\",\"detail\":{}}"))
                .isInstanceOf(InvalidEventException.class)
                .hasMessage("EventBridge event of type 'Object Deleted', expected 'Object Created'");
        assertThatThrownBy(() -> decode("[1]"))
                .isInstanceOf(InvalidEventException.class)
                .hasMessage("event is not a JSON object");
        assertThatThrownBy(() -> decode("[1,2"))
                .isInstanceOf(InvalidEventException.class)
                .hasMessageStartingWith("event is not valid JSON: Unexpected end-of-input: expected close marker for Array");
    }

    @Test
    void s3RecordsTheLibraryCannotReadAreNamedWithWhatIsWrong() {
        // The events library's record parses eventTime, which S3 always sends.
        assertThatThrownBy(() -> decode("""
                {"Records":[{"eventName":"ObjectCreated:Put","s3":{"bucket":{"name":"raw"},"object":{"key":"k"}}}]}"""))
                .isInstanceOf(InvalidEventException.class)
                .hasMessage("S3 notification does not decode: Records[0] has no eventTime (S3 sends an ISO-8601 time)");
        assertThatThrownBy(() -> decode("""
                {"Records":[{"eventTime":"2024-06-01T09:01:02Z","s3":{"bucket":{"name":"raw"},"object":{"key":"k"}}},
                 {"eventTime":"yesterday"}]}"""))
                .isInstanceOf(InvalidEventException.class)
                .hasMessage("S3 notification does not decode: Records[1].eventTime: Invalid format: \"yesterday\"");
        assertThatThrownBy(() -> decode("{\"Records\":[\"s3\"]}"))
                .isInstanceOf(InvalidEventException.class)
                .hasMessage("S3 notification does not decode: Records[0] is not an object");
    }

    @Test
    void s3RecordsWithoutBucketOrKeyOrWithABadEncodingAreRefused() {
        assertThatThrownBy(() -> decode("""
                {"Records":[{"eventTime":"2024-06-01T09:01:02Z","eventName":"ObjectCreated:Put","s3":{"bucket":{"name":"raw"}}}]}"""))
                .isInstanceOf(InvalidEventException.class)
                .hasMessage("Records[0].s3 lacks bucket.name or object.key");
        assertThatThrownBy(() -> decode("""
                {"Records":[{"eventTime":"2024-06-01T09:01:02Z","s3":{"bucket":{"name":"raw"},"object":{"key":"dms/100%.csv"}}}]}"""))
                .isInstanceOf(InvalidEventException.class)
                .hasMessage("Records[0].s3.object.key 'dms/100%.csv' is not URL-encoded: "
                        + "URLDecoder: Illegal hex characters in escape (%) pattern - Error at index 0 in: \".c\"");
    }

    @Test
    void eventBridgeEventsWithoutBucketOrKeyOrWithAnUnreadableDetailAreRefused() {
        assertThatThrownBy(() -> decode("{\"detail-type\":\"Object Created\",\"detail\":{\"bucket\":{\"name\":\"raw\"}}}"))
                .isInstanceOf(InvalidEventException.class)
                .hasMessage("EventBridge event lacks detail.bucket.name or detail.object.key");
        assertThatThrownBy(() -> decode("{\"detail-type\":\"Object Created\",\"time\":\"noon\",\"detail\":{}}"))
                .isInstanceOf(InvalidEventException.class)
                .hasMessage("EventBridge event does not decode: Invalid format: \"noon\"");
    }

    @Test
    void anSqsBatchIsAnsweredWithLambdasPartialBatchResponse() throws IOException {
        assertThat(encode(new RawObjectResponse(true, List.of(new RawObjectResponse.ItemFailure("m1"),
                new RawObjectResponse.ItemFailure("m3")), List.of())))
                .isEqualTo("{\"batchItemFailures\":[{\"itemIdentifier\":\"m1\"},{\"itemIdentifier\":\"m3\"}]}");
        assertThat(encode(new RawObjectResponse(true, List.of(), List.of()))).isEqualTo("{\"batchItemFailures\":[]}");
    }

    @Test
    void aPlainEventIsAnsweredWithEachObjectsResult() throws IOException {
        assertThat(encode(new RawObjectResponse(false, List.of(), List.of())))
                .isEqualTo("{\"batchItemFailures\":[],\"results\":[]}");
    }

    private static RawObjectInvocation decode(String event) throws InvalidEventException {
        return RawObjectEvents.decode(event.getBytes(StandardCharsets.UTF_8));
    }

    private static String encode(RawObjectResponse response) throws IOException {
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        RawObjectEvents.encode(response, output);
        return output.toString(StandardCharsets.UTF_8);
    }

    /** A sample event's bytes, from the test class path (events/), as Lambda hands them to the handler. */
    private static byte[] bytes(String event) throws IOException {
        try (InputStream in = RawObjectEventsTest.class.getResourceAsStream("/" + event)) {
            assertThat(in).as("events/%s on the test class path", event).isNotNull();
            return in.readAllBytes();
        }
    }
}
