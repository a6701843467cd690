package io.tarn.aws.dynamodb;

import static io.tarn.aws.dynamodb.StateTable.PK;
import static io.tarn.aws.dynamodb.StateTable.n;
import static io.tarn.aws.dynamodb.StateTable.s;
import static java.util.Objects.requireNonNull;

import io.tarn.state.Ledger;
import io.tarn.state.LedgerEntry;
import io.tarn.state.StateStoreException;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

/**
 * {@link Ledger} in the {@link StateTable}: a processed-object entry is the item
 * {@code pk = "object#" + objectId}, put only if absent.
 */
public final class DynamoDbLedger implements Ledger {

    static final String PREFIX = "object#";
    static final String OBJECT_ID = "objectId";
    static final String SOURCE = "source";
    static final String DATASET = "dataset";
    static final String MANIFEST_KEY = "manifestKey";
    static final String ROWS_READ = "rowsRead";
    static final String ROWS_WRITTEN = "rowsWritten";
    static final String ROWS_QUARANTINED = "rowsQuarantined";
    static final String PROCESSED_AT = "processedAt";

    static final String NOT_RECORDED_YET = "attribute_not_exists(" + PK + ")";

    private final StateTable table;

    public DynamoDbLedger(StateTable table) {
        this.table = requireNonNull(table, "table is null");
    }

    @Override
    public Optional<LedgerEntry> findProcessed(String objectId) {
        requireNonNull(objectId, "objectId is null");
        // Strongly consistent: a replay that arrives right after the first run finished must see
        // its entry, or it would redo the work.
        Map<String, AttributeValue> item = table.consistentGet(StateTable.key(PREFIX + objectId),
                "the ledger entry of object " + objectId);
        if (item == null || item.isEmpty()) {
            return Optional.empty();
        }
        String what = "Ledger entry of object " + objectId;
        return Optional.of(new LedgerEntry(
                table.string(what, item, OBJECT_ID),
                table.string(what, item, SOURCE),
                table.string(what, item, DATASET),
                table.string(what, item, MANIFEST_KEY),
                table.number(what, item, ROWS_READ),
                table.number(what, item, ROWS_WRITTEN),
                table.number(what, item, ROWS_QUARANTINED),
                table.instant(what, item, PROCESSED_AT)));
    }

    @Override
    public boolean recordProcessed(LedgerEntry entry) {
        requireNonNull(entry, "entry is null");
        try {
            table.client().putItem(request -> request
                    .tableName(table.name())
                    .item(Map.of(
                            PK, s(PREFIX + entry.objectId()),
                            OBJECT_ID, s(entry.objectId()),
                            SOURCE, s(entry.source()),
                            DATASET, s(entry.dataset()),
                            MANIFEST_KEY, s(entry.manifestKey()),
                            ROWS_READ, n(entry.rowsRead()),
                            ROWS_WRITTEN, n(entry.rowsWritten()),
                            ROWS_QUARANTINED, n(entry.rowsQuarantined()),
                            PROCESSED_AT, s(entry.processedAt().toString())))
                    .conditionExpression(NOT_RECORDED_YET));
            return true;
        } catch (ConditionalCheckFailedException e) {
            // Someone recorded it first: a concurrent invocation for the same object, a replay, or
            // our own earlier attempt whose response the SDK's retry did not see. In every case the
            // object is recorded and the first entry stays; the caller only learns it was not this call.
            return false;
        } catch (SdkException e) {
            throw new StateStoreException(
                    "Cannot record object %s as processed in table %s".formatted(entry.objectId(), table.name()), e);
        }
    }
}
