package io.tarn.aws.dynamodb;

import static io.tarn.aws.dynamodb.StateTable.n;
import static io.tarn.aws.dynamodb.StateTable.s;
import static java.util.Objects.requireNonNull;

import io.tarn.state.StateStoreException;
import io.tarn.state.Watermark;
import io.tarn.state.Watermarks;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

/**
 * {@link Watermarks} in the {@link StateTable}: a polled table's state is the item
 * {@code pk = "table#" + dataset}, holding its watermark ({@code position}, {@code sequence},
 * {@code committedAt}) and its lease ({@code leaseOwner}, {@code leaseUntil} in epoch
 * milliseconds), each changed by its own conditional update so neither clobbers the other.
 */
public final class DynamoDbWatermarks implements Watermarks {

    static final String PREFIX = "table#";
    static final String POSITION = "position";
    static final String SEQUENCE = "sequence";
    static final String COMMITTED_AT = "committedAt";
    static final String LEASE_OWNER = "leaseOwner";
    static final String LEASE_UNTIL = "leaseUntil";

    static final String ADVANCE_UPDATE = "SET #position = :position, #sequence = :next, #committedAt = :committedAt";
    static final String FIRST_WATERMARK = "attribute_not_exists(#sequence)";
    static final String SAME_SEQUENCE = "#sequence = :expected";
    static final String LEASE_UPDATE = "SET #leaseOwner = :owner, #leaseUntil = :until";
    static final String LEASE_AVAILABLE =
            "attribute_not_exists(#leaseOwner) OR #leaseOwner = :owner OR #leaseUntil <= :now";
    static final String LEASE_RELEASE = "REMOVE #leaseOwner, #leaseUntil";
    static final String LEASE_OURS = "#leaseOwner = :owner";

    private final StateTable table;

    public DynamoDbWatermarks(StateTable table) {
        this.table = requireNonNull(table, "table is null");
    }

    @Override
    public Optional<Watermark> watermark(String dataset) {
        requireNonNull(dataset, "dataset is null");
        // Strongly consistent: a poll must start from the latest commit, or it would read (and
        // try to commit) a range that is already committed.
        Map<String, AttributeValue> item = table.consistentGet(key(dataset), "the watermark of dataset " + dataset);
        if (item == null || !item.containsKey(SEQUENCE)) {
            return Optional.empty();
        }
        String what = "Watermark of dataset " + dataset;
        return Optional.of(new Watermark(dataset, table.string(what, item, POSITION), table.number(what, item, SEQUENCE),
                table.instant(what, item, COMMITTED_AT)));
    }

    @Override
    public boolean advanceWatermark(String dataset, long expectedSequence, Watermark next) {
        requireNonNull(dataset, "dataset is null");
        requireNonNull(next, "next is null");
        Watermarks.checkAdvance(dataset, expectedSequence, next);
        Map<String, AttributeValue> values = new HashMap<>();
        values.put(":position", s(next.position()));
        values.put(":next", n(next.sequence()));
        values.put(":committedAt", s(next.committedAt().toString()));
        if (expectedSequence != Watermark.NONE) {
            values.put(":expected", n(expectedSequence));
        }
        try {
            table.client().updateItem(request -> request
                    .tableName(table.name())
                    .key(key(dataset))
                    .updateExpression(ADVANCE_UPDATE)
                    .conditionExpression(expectedSequence == Watermark.NONE ? FIRST_WATERMARK : SAME_SEQUENCE)
                    .expressionAttributeNames(Map.of(
                            "#position", POSITION, "#sequence", SEQUENCE, "#committedAt", COMMITTED_AT))
                    .expressionAttributeValues(values));
            return true;
        } catch (ConditionalCheckFailedException e) {
            // Another poller committed first (or our own earlier attempt, retried by the SDK after a
            // lost response). The caller re-reads the watermark before doing anything else.
            return false;
        } catch (SdkException e) {
            throw new StateStoreException("Cannot advance the watermark of dataset %s to %s in table %s"
                    .formatted(dataset, next.position(), table.name()), e);
        }
    }

    @Override
    public boolean acquireLease(String dataset, String owner, Instant now, Instant until) {
        requireNonNull(dataset, "dataset is null");
        requireNonNull(owner, "owner is null");
        requireNonNull(now, "now is null");
        requireNonNull(until, "until is null");
        try {
            table.client().updateItem(request -> request
                    .tableName(table.name())
                    .key(key(dataset))
                    .updateExpression(LEASE_UPDATE)
                    .conditionExpression(LEASE_AVAILABLE)
                    .expressionAttributeNames(Map.of("#leaseOwner", LEASE_OWNER, "#leaseUntil", LEASE_UNTIL))
                    .expressionAttributeValues(Map.of(
                            ":owner", s(owner),
                            ":until", n(until.toEpochMilli()),
                            ":now", n(now.toEpochMilli()))));
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        } catch (SdkException e) {
            throw new StateStoreException("Cannot take the lease on dataset %s for %s in table %s"
                    .formatted(dataset, owner, table.name()), e);
        }
    }

    @Override
    public void releaseLease(String dataset, String owner) {
        requireNonNull(dataset, "dataset is null");
        requireNonNull(owner, "owner is null");
        try {
            table.client().updateItem(request -> request
                    .tableName(table.name())
                    .key(key(dataset))
                    .updateExpression(LEASE_RELEASE)
                    .conditionExpression(LEASE_OURS)
                    .expressionAttributeNames(Map.of("#leaseOwner", LEASE_OWNER, "#leaseUntil", LEASE_UNTIL))
                    .expressionAttributeValues(Map.of(":owner", s(owner))));
        } catch (ConditionalCheckFailedException e) {
            // The lease expired and another poller took it: it is theirs now, nothing to give back.
        } catch (SdkException e) {
            throw new StateStoreException("Cannot release the lease on dataset %s for %s in table %s"
                    .formatted(dataset, owner, table.name()), e);
        }
    }

    private static Map<String, AttributeValue> key(String dataset) {
        return StateTable.key(PREFIX + dataset);
    }
}
