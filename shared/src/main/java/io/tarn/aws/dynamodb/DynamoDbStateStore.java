package io.tarn.aws.dynamodb;

import static java.util.Objects.requireNonNull;

import io.tarn.state.LedgerEntry;
import io.tarn.state.StateStore;
import io.tarn.state.StateStoreException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
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
 * processed-object ledger entry is the item {@code pk = "object#" + objectId}.
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
        Map<String, AttributeValue> item;
        try {
            // Strongly consistent: a replay that arrives right after the first run finished must see
            // its entry, or it would redo the work.
            item = dynamoDb.getItem(request -> request
                            .tableName(table)
                            .key(Map.of(PK, s(LEDGER_PREFIX + objectId)))
                            .consistentRead(true))
                    .item();
        } catch (SdkException e) {
            throw new StateStoreException(
                    "Cannot read the ledger entry of object %s from table %s".formatted(objectId, table), e);
        }
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
        String processedAt = string(objectId, item, PROCESSED_AT);
        try {
            return new LedgerEntry(
                    string(objectId, item, OBJECT_ID),
                    string(objectId, item, SOURCE),
                    string(objectId, item, DATASET),
                    string(objectId, item, MANIFEST_KEY),
                    number(objectId, item, ROWS_READ),
                    number(objectId, item, ROWS_WRITTEN),
                    number(objectId, item, ROWS_QUARANTINED),
                    Instant.parse(processedAt));
        } catch (DateTimeParseException e) {
            throw new StateStoreException("Ledger entry of object %s in table %s has %s '%s', not an ISO-8601 instant"
                    .formatted(objectId, table, PROCESSED_AT, processedAt), e);
        }
    }

    private String string(String objectId, Map<String, AttributeValue> item, String attribute) {
        AttributeValue value = item.get(attribute);
        if (value == null || value.s() == null) {
            throw malformed(objectId, attribute, "string");
        }
        return value.s();
    }

    private long number(String objectId, Map<String, AttributeValue> item, String attribute) {
        AttributeValue value = item.get(attribute);
        if (value == null || value.n() == null) {
            throw malformed(objectId, attribute, "number");
        }
        try {
            return Long.parseLong(value.n());
        } catch (NumberFormatException e) {
            throw new StateStoreException("Ledger entry of object %s in table %s has %s %s, not a whole number"
                    .formatted(objectId, table, attribute, value.n()), e);
        }
    }

    private StateStoreException malformed(String objectId, String attribute, String type) {
        return new StateStoreException("Ledger entry of object %s in table %s lacks the %s attribute %s"
                .formatted(objectId, table, type, attribute), null);
    }

    private static AttributeValue s(String value) {
        return AttributeValue.fromS(value);
    }

    private static AttributeValue n(long value) {
        return AttributeValue.fromN(Long.toString(value));
    }
}
