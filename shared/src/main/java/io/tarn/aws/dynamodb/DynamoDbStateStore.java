package io.tarn.aws.dynamodb;

import static java.util.Objects.requireNonNull;

import io.tarn.state.LedgerEntry;
import io.tarn.state.StateStore;
import io.tarn.state.StateStoreException;
import io.tarn.state.Watermark;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ResourceInUseException;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

/**
 * {@link StateStore} over one DynamoDB table shared by all kinds of state (single-table design):
 * every item is keyed by a string partition key {@code pk} whose prefix says what it is. A
 * processed-object ledger entry is the item {@code pk = "object#" + objectId}; a polled table's
 * state is the item {@code pk = "table#" + dataset}, holding its watermark ({@code position},
 * {@code sequence}, {@code committedAt}) and its lease ({@code leaseOwner}, {@code leaseUntil} in
 * epoch milliseconds), each changed by its own conditional update so neither clobbers the other.
 * A staging table's last crawled schema is the item {@code pk = "schema#" + table} ({@code fingerprint},
 * {@code recordedAt} in epoch milliseconds).
 */
public final class DynamoDbStateStore implements StateStore {

    /** The table's only key attribute (partition key, string). */
    public static final String PK = "pk";

    static final String LEDGER_PREFIX = "object#";
    static final String OBJECT_ID = "objectId";
    static final String SOURCE = "source";
    static final String DATASET = "dataset";
    static final String MANIFEST_KEY = "manifestKey";
    static final String ROWS_READ = "rowsRead";
    static final String ROWS_WRITTEN = "rowsWritten";
    static final String ROWS_QUARANTINED = "rowsQuarantined";
    static final String PROCESSED_AT = "processedAt";

    static final String NOT_RECORDED_YET = "attribute_not_exists(" + PK + ")";

    static final String TABLE_PREFIX = "table#";
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

    static final String SCHEMA_PREFIX = "schema#";
    static final String FINGERPRINT = "fingerprint";
    static final String RECORDED_AT = "recordedAt";
    static final String FINGERPRINT_UPDATE = "SET #fingerprint = :fingerprint, #recordedAt = :at";
    static final String NOT_NEWER = "attribute_not_exists(#recordedAt) OR #recordedAt <= :at";

    private final DynamoDbClient dynamoDb;
    private final String table;

    public DynamoDbStateStore(DynamoDbClient dynamoDb, String table) {
        this.dynamoDb = requireNonNull(dynamoDb, "dynamoDb is null");
        this.table = requireNonNull(table, "table is null");
    }

    /**
     * Creates a state table (on-demand capacity, key {@code pk}) and waits until it is active; an
     * existing table is left as it is. For local setups and tests: in AWS the SAM template owns it.
     */
    public static void createTable(DynamoDbClient dynamoDb, String name) {
        requireNonNull(dynamoDb, "dynamoDb is null");
        requireNonNull(name, "name is null");
        try {
            dynamoDb.createTable(request -> request
                    .tableName(name)
                    .billingMode(BillingMode.PAY_PER_REQUEST)
                    .attributeDefinitions(AttributeDefinition.builder()
                            .attributeName(PK)
                            .attributeType(ScalarAttributeType.S)
                            .build())
                    .keySchema(KeySchemaElement.builder().attributeName(PK).keyType(KeyType.HASH).build()));
        } catch (ResourceInUseException e) {
            // Already there (or being created by another caller): waiting below covers both.
        } catch (SdkException e) {
            throw new StateStoreException("Cannot create state table " + name, e);
        }
        try {
            dynamoDb.waiter().waitUntilTableExists(request -> request.tableName(name));
        } catch (SdkException e) {
            throw new StateStoreException("State table " + name + " did not become active", e);
        }
    }

    @Override
    public Optional<LedgerEntry> findProcessed(String objectId) {
        requireNonNull(objectId, "objectId is null");
        // Strongly consistent: a replay that arrives right after the first run finished must see
        // its entry, or it would redo the work.
        Map<String, AttributeValue> item = consistentGet(Map.of(PK, s(LEDGER_PREFIX + objectId)),
                "the ledger entry of object " + objectId);
        if (item == null || item.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(toEntry(objectId, item));
    }

    @Override
    public boolean recordProcessed(LedgerEntry entry) {
        requireNonNull(entry, "entry is null");
        try {
            dynamoDb.putItem(request -> request
                    .tableName(table)
                    .item(toItem(entry))
                    .conditionExpression(NOT_RECORDED_YET));
            return true;
        } catch (ConditionalCheckFailedException e) {
            // Someone recorded it first: a concurrent invocation for the same object, a replay, or
            // our own earlier attempt whose response the SDK's retry did not see. In every case the
            // object is recorded and the first entry stays; the caller only learns it was not this call.
            return false;
        } catch (SdkException e) {
            throw new StateStoreException(
                    "Cannot record object %s as processed in table %s".formatted(entry.objectId(), table), e);
        }
    }

    @Override
    public Optional<Watermark> watermark(String dataset) {
        requireNonNull(dataset, "dataset is null");
        // Strongly consistent: a poll must start from the latest commit, or it would read (and
        // try to commit) a range that is already committed.
        Map<String, AttributeValue> item = consistentGet(tableKey(dataset), "the watermark of dataset " + dataset);
        if (item == null || !item.containsKey(SEQUENCE)) {
            return Optional.empty();
        }
        String what = "Watermark of dataset " + dataset;
        String committedAt = string(what, item, COMMITTED_AT);
        try {
            return Optional.of(new Watermark(dataset, string(what, item, POSITION), number(what, item, SEQUENCE),
                    Instant.parse(committedAt)));
        } catch (DateTimeParseException e) {
            throw new StateStoreException("%s in table %s has %s '%s', not an ISO-8601 instant"
                    .formatted(what, table, COMMITTED_AT, committedAt), e);
        }
    }

    @Override
    public boolean advanceWatermark(String dataset, long expectedSequence, Watermark next) {
        requireNonNull(dataset, "dataset is null");
        requireNonNull(next, "next is null");
        StateStore.checkAdvance(dataset, expectedSequence, next);
        Map<String, AttributeValue> values = new HashMap<>();
        values.put(":position", s(next.position()));
        values.put(":next", n(next.sequence()));
        values.put(":committedAt", s(next.committedAt().toString()));
        if (expectedSequence != Watermark.NONE) {
            values.put(":expected", n(expectedSequence));
        }
        try {
            dynamoDb.updateItem(request -> request
                    .tableName(table)
                    .key(tableKey(dataset))
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
                    .formatted(dataset, next.position(), table), e);
        }
    }

    @Override
    public boolean acquireLease(String dataset, String owner, Instant now, Instant until) {
        requireNonNull(dataset, "dataset is null");
        requireNonNull(owner, "owner is null");
        requireNonNull(now, "now is null");
        requireNonNull(until, "until is null");
        try {
            dynamoDb.updateItem(request -> request
                    .tableName(table)
                    .key(tableKey(dataset))
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
                    .formatted(dataset, owner, table), e);
        }
    }

    @Override
    public void releaseLease(String dataset, String owner) {
        requireNonNull(dataset, "dataset is null");
        requireNonNull(owner, "owner is null");
        try {
            dynamoDb.updateItem(request -> request
                    .tableName(table)
                    .key(tableKey(dataset))
                    .updateExpression(LEASE_RELEASE)
                    .conditionExpression(LEASE_OURS)
                    .expressionAttributeNames(Map.of("#leaseOwner", LEASE_OWNER, "#leaseUntil", LEASE_UNTIL))
                    .expressionAttributeValues(Map.of(":owner", s(owner))));
        } catch (ConditionalCheckFailedException e) {
            // The lease expired and another poller took it: it is theirs now, nothing to give back.
        } catch (SdkException e) {
            throw new StateStoreException("Cannot release the lease on dataset %s for %s in table %s"
                    .formatted(dataset, owner, table), e);
        }
    }

    @Override
    public Optional<String> schemaFingerprint(String table) {
        requireNonNull(table, "table is null");
        // Strongly consistent: a check right after a crawl's success must see what it recorded.
        Map<String, AttributeValue> item = consistentGet(schemaKey(table), "the schema fingerprint of table " + table);
        if (item == null || item.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(string("Schema fingerprint of table " + table, item, FINGERPRINT));
    }

    @Override
    public void recordSchemaFingerprint(String table, String fingerprint, Instant at) {
        requireNonNull(table, "table is null");
        requireNonNull(fingerprint, "fingerprint is null");
        requireNonNull(at, "at is null");
        try {
            dynamoDb.updateItem(request -> request
                    .tableName(this.table)
                    .key(schemaKey(table))
                    .updateExpression(FINGERPRINT_UPDATE)
                    .conditionExpression(NOT_NEWER)
                    .expressionAttributeNames(Map.of("#fingerprint", FINGERPRINT, "#recordedAt", RECORDED_AT))
                    .expressionAttributeValues(Map.of(":fingerprint", s(fingerprint), ":at", n(at.toEpochMilli()))));
        } catch (ConditionalCheckFailedException e) {
            // A newer crawl already recorded its fingerprint: this older record must not replace it.
        } catch (SdkException e) {
            throw new StateStoreException("Cannot record schema fingerprint %s of table %s in table %s"
                    .formatted(fingerprint, table, this.table), e);
        }
    }

    private static Map<String, AttributeValue> schemaKey(String table) {
        return Map.of(PK, s(SCHEMA_PREFIX + table));
    }

    private static Map<String, AttributeValue> tableKey(String dataset) {
        return Map.of(PK, s(TABLE_PREFIX + dataset));
    }

    private static Map<String, AttributeValue> toItem(LedgerEntry entry) {
        return Map.of(
                PK, s(LEDGER_PREFIX + entry.objectId()),
                OBJECT_ID, s(entry.objectId()),
                SOURCE, s(entry.source()),
                DATASET, s(entry.dataset()),
                MANIFEST_KEY, s(entry.manifestKey()),
                ROWS_READ, n(entry.rowsRead()),
                ROWS_WRITTEN, n(entry.rowsWritten()),
                ROWS_QUARANTINED, n(entry.rowsQuarantined()),
                PROCESSED_AT, s(entry.processedAt().toString()));
    }

    private LedgerEntry toEntry(String objectId, Map<String, AttributeValue> item) {
        String what = "Ledger entry of object " + objectId;
        String processedAt = string(what, item, PROCESSED_AT);
        try {
            return new LedgerEntry(
                    string(what, item, OBJECT_ID),
                    string(what, item, SOURCE),
                    string(what, item, DATASET),
                    string(what, item, MANIFEST_KEY),
                    number(what, item, ROWS_READ),
                    number(what, item, ROWS_WRITTEN),
                    number(what, item, ROWS_QUARANTINED),
                    Instant.parse(processedAt));
        } catch (DateTimeParseException e) {
            throw new StateStoreException("%s in table %s has %s '%s', not an ISO-8601 instant"
                    .formatted(what, table, PROCESSED_AT, processedAt), e);
        }
    }

    private String string(String what, Map<String, AttributeValue> item, String attribute) {
        AttributeValue value = item.get(attribute);
        if (value == null || value.s() == null) {
            throw malformed(what, attribute, "string");
        }
        return value.s();
    }

    private long number(String what, Map<String, AttributeValue> item, String attribute) {
        AttributeValue value = item.get(attribute);
        if (value == null || value.n() == null) {
            throw malformed(what, attribute, "number");
        }
        try {
            return Long.parseLong(value.n());
        } catch (NumberFormatException e) {
            throw new StateStoreException("%s in table %s has %s %s, not a whole number"
                    .formatted(what, table, attribute, value.n()), e);
        }
    }

    private StateStoreException malformed(String what, String attribute, String type) {
        return new StateStoreException("%s in table %s lacks the %s attribute %s"
                .formatted(what, table, type, attribute), null);
    }

    private static AttributeValue s(String value) {
        return AttributeValue.fromS(value);
    }

    private static AttributeValue n(long value) {
        return AttributeValue.fromN(Long.toString(value));
    }

    /** A strongly consistent GetItem; {@code what} names the item in the error. */
    private Map<String, AttributeValue> consistentGet(Map<String, AttributeValue> key, String what) {
        try {
            return dynamoDb.getItem(request -> request.tableName(table).key(key).consistentRead(true)).item();
        } catch (SdkException e) {
            throw new StateStoreException("Cannot read %s from table %s".formatted(what, table), e);
        }
    }
}
