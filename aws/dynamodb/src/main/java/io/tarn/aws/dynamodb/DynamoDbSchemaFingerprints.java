package io.tarn.aws.dynamodb;

import static io.tarn.aws.dynamodb.StateTable.n;
import static io.tarn.aws.dynamodb.StateTable.s;
import static java.util.Objects.requireNonNull;

import io.tarn.state.SchemaFingerprints;
import io.tarn.state.StateStoreException;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

/**
 * {@link SchemaFingerprints} in the {@link StateTable}: a staging table's last crawled schema is
 * the item {@code pk = "schema#" + table} ({@code fingerprint}, {@code recordedAt} in epoch
 * milliseconds), replaced only by a record at least as recent.
 */
public final class DynamoDbSchemaFingerprints implements SchemaFingerprints {

    static final String PREFIX = "schema#";
    static final String FINGERPRINT = "fingerprint";
    static final String RECORDED_AT = "recordedAt";
    static final String FINGERPRINT_UPDATE = "SET #fingerprint = :fingerprint, #recordedAt = :at";
    static final String NOT_NEWER = "attribute_not_exists(#recordedAt) OR #recordedAt <= :at";

    private final StateTable table;

    public DynamoDbSchemaFingerprints(StateTable table) {
        this.table = requireNonNull(table, "table is null");
    }

    @Override
    public Optional<String> schemaFingerprint(String stagingTable) {
        requireNonNull(stagingTable, "stagingTable is null");
        // Strongly consistent: a check right after a crawl's success must see what it recorded.
        Map<String, AttributeValue> item = table.consistentGet(StateTable.key(PREFIX + stagingTable),
                "the schema fingerprint of table " + stagingTable);
        if (item == null || item.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(table.string("Schema fingerprint of table " + stagingTable, item, FINGERPRINT));
    }

    @Override
    public void recordSchemaFingerprint(String stagingTable, String fingerprint, Instant at) {
        requireNonNull(stagingTable, "stagingTable is null");
        requireNonNull(fingerprint, "fingerprint is null");
        requireNonNull(at, "at is null");
        try {
            table.client().updateItem(request -> request
                    .tableName(table.name())
                    .key(StateTable.key(PREFIX + stagingTable))
                    .updateExpression(FINGERPRINT_UPDATE)
                    .conditionExpression(NOT_NEWER)
                    .expressionAttributeNames(Map.of("#fingerprint", FINGERPRINT, "#recordedAt", RECORDED_AT))
                    .expressionAttributeValues(Map.of(":fingerprint", s(fingerprint), ":at", n(at.toEpochMilli()))));
        } catch (ConditionalCheckFailedException e) {
            // A newer crawl already recorded its fingerprint: this older record must not replace it.
        } catch (SdkException e) {
            throw new StateStoreException("Cannot record schema fingerprint %s of table %s in table %s"
                    .formatted(fingerprint, stagingTable, table.name()), e);
        }
    }
}
