package io.tarn.ingest;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Optional;

/**
 * One invocation of the RawObject function, decoded from whichever event shape announced the
 * objects (the function module decodes the Lambda event types into this).
 *
 * @param sqsBatch whether the invocation is an SQS batch: its messages then succeed or fail one by
 *     one, and the answer is Lambda's partial batch response
 * @param messages the units of work: one per SQS message, or the whole plain event as one
 */
public record RawObjectInvocation(boolean sqsBatch, List<Message> messages) {

    public RawObjectInvocation {
        messages = List.copyOf(messages);
    }

    /** A plain S3 notification or EventBridge event: one message, no message id. */
    public static RawObjectInvocation plain(List<RawObjectRef> objects) {
        return new RawObjectInvocation(false, List.of(Message.of(Optional.empty(), objects)));
    }

    /**
     * One unit of work: a whole plain event, or one SQS message of a batch.
     *
     * @param messageId the SQS message id, reported back when this message fails
     * @param objects the objects the message announces, keys already decoded; none for S3's test
     *     event or a notification of another kind of event
     * @param error why the message could not be decoded; such a message is reported as failed, so
     *     SQS keeps it and moves it to the dead-letter queue after its retries
     */
    public record Message(Optional<String> messageId, List<RawObjectRef> objects, Optional<String> error) {

        public Message {
            requireNonNull(messageId, "messageId is null");
            requireNonNull(error, "error is null");
            objects = List.copyOf(objects);
        }

        public static Message of(Optional<String> messageId, List<RawObjectRef> objects) {
            return new Message(messageId, objects, Optional.empty());
        }

        public static Message undecodable(Optional<String> messageId, String error) {
            return new Message(messageId, List.of(), Optional.of(error));
        }
    }
}
