package io.tarn.aws.dynamodb;

import static java.util.Objects.requireNonNull;

import io.tarn.state.StateStoreException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ResourceInUseException;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

/**
 * The one DynamoDB table that holds every kind of Tarn's state (single-table design): every item
 * is keyed by a string partition key {@code pk} whose prefix says what it is, so the ledger
 * ({@link DynamoDbLedger}), the watermarks and leases ({@link DynamoDbWatermarks}) and the schema
 * fingerprints ({@link DynamoDbSchemaFingerprints}) share it without touching each other's items.
 * This class holds what they share: the key, consistent reads, attribute decoding with errors
 * that name the item and the table.
 */
public final class StateTable {

    /** The table's only key attribute (partition key, string). */
    public static final String PK = "pk";

    private final DynamoDbClient dynamoDb;
    private final String name;

    public StateTable(DynamoDbClient dynamoDb, String name) {
        this.dynamoDb = requireNonNull(dynamoDb, "dynamoDb is null");
        this.name = requireNonNull(name, "name is null");
    }

    /**
     * Creates a state table (on-demand capacity, key {@code pk}) and waits until it is active; an
     * existing table is left as it is. For local setups and tests: in AWS the SAM template owns it.
     */
    public static void create(DynamoDbClient dynamoDb, String name) {
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

    DynamoDbClient client() {
        return dynamoDb;
    }

    String name() {
        return name;
    }

    static Map<String, AttributeValue> key(String value) {
        return Map.of(PK, s(value));
    }

    String string(String what, Map<String, AttributeValue> item, String attribute) {
        AttributeValue value = item.get(attribute);
        if (value == null || value.s() == null) {
            throw malformed(what, attribute, "string");
        }
        return value.s();
    }

    long number(String what, Map<String, AttributeValue> item, String attribute) {
        AttributeValue value = item.get(attribute);
        if (value == null || value.n() == null) {
            throw malformed(what, attribute, "number");
        }
        try {
            return Long.parseLong(value.n());
        } catch (NumberFormatException e) {
            throw new StateStoreException("%s in table %s has %s %s, not a whole number"
                    .formatted(what, name, attribute, value.n()), e);
        }
    }

    /** An ISO-8601 instant kept as a string attribute. */
    Instant instant(String what, Map<String, AttributeValue> item, String attribute) {
        String text = string(what, item, attribute);
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw new StateStoreException("%s in table %s has %s '%s', not an ISO-8601 instant"
                    .formatted(what, name, attribute, text), e);
        }
    }

    StateStoreException malformed(String what, String attribute, String type) {
        return new StateStoreException("%s in table %s lacks the %s attribute %s"
                .formatted(what, name, type, attribute), null);
    }

    static AttributeValue s(String value) {
        return AttributeValue.fromS(value);
    }

    static AttributeValue n(long value) {
        return AttributeValue.fromN(Long.toString(value));
    }

    /** A strongly consistent GetItem; {@code what} names the item in the error. */
    Map<String, AttributeValue> consistentGet(Map<String, AttributeValue> key, String what) {
        try {
            return dynamoDb.getItem(request -> request.tableName(name).key(key).consistentRead(true)).item();
        } catch (SdkException e) {
            throw new StateStoreException("Cannot read %s from table %s".formatted(what, name), e);
        }
    }
}
