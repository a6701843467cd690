package io.tarn.aws.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tarn.state.LedgerEntry;
import io.tarn.state.StateStoreException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

class DynamoDbStateStoreTest extends MotoStateTableTest {

    private static final Instant PROCESSED_AT = Instant.parse("2025-03-14T09:26:53.589793238Z");

    private static LedgerEntry entry(String objectId, String manifestKey, Instant processedAt) {
        return new LedgerEntry(objectId, "mysql-shop", "orders", manifestKey, 1_000_000L, 999_998L, 2L, processedAt);
    }

    @Test
    void recordedEntryReadsBackWithEveryField() {
        LedgerEntry entry = entry("raw/shop/orders/LOAD00000001.csv#v1", "manifests/orders/1.json", PROCESSED_AT);

        assertThat(store.recordProcessed(entry)).isTrue();

        assertThat(store.findProcessed(entry.objectId())).contains(entry);
    }

    @Test
    void entryIsStoredUnderTheObjectKeyWithReadableAttributes() {
        LedgerEntry entry = entry("raw/a.csv#v1", "manifests/a.json", PROCESSED_AT);

        store.recordProcessed(entry);

        Map<String, AttributeValue> item = dynamoDb.getItem(request -> request
                        .tableName(table)
                        .key(Map.of("pk", AttributeValue.fromS("object#raw/a.csv#v1"))))
                .item();
        assertThat(item).containsEntry("processedAt", AttributeValue.fromS("2025-03-14T09:26:53.589793238Z"))
                .containsEntry("rowsRead", AttributeValue.fromN("1000000"))
                .containsEntry("manifestKey", AttributeValue.fromS("manifests/a.json"));
    }

    @Test
    void secondRecordReturnsFalseAndKeepsTheFirstEntry() {
        LedgerEntry first = entry("raw/a.csv#v1", "manifests/first.json", PROCESSED_AT);
        LedgerEntry second = entry("raw/a.csv#v1", "manifests/second.json", PROCESSED_AT.plusSeconds(60));
        store.recordProcessed(first);

        assertThat(store.recordProcessed(second)).isFalse();

        assertThat(store.findProcessed("raw/a.csv#v1")).contains(first);
    }

    @Test
    void unrecordedObjectIsNotFound() {
        store.recordProcessed(entry("raw/a.csv#v1", "manifests/a.json", PROCESSED_AT));

        assertThat(store.findProcessed("raw/a.csv#v2")).isEmpty();
    }

    @Test
    void missingTableFailsNamingTableAndObject() {
        DynamoDbStateStore nowhere = new DynamoDbStateStore(dynamoDb, "no-such-table");

        assertThatThrownBy(() -> nowhere.findProcessed("raw/a.csv#v1"))
                .isInstanceOf(StateStoreException.class)
                .hasMessage("Cannot read the ledger entry of object raw/a.csv#v1 from table no-such-table");
        assertThatThrownBy(() -> nowhere.recordProcessed(entry("raw/a.csv#v1", "m.json", PROCESSED_AT)))
                .isInstanceOf(StateStoreException.class)
                .hasMessage("Cannot record object raw/a.csv#v1 as processed in table no-such-table");
    }

    @Test
    void createTableLeavesAnExistingTableAsItIs() {
        LedgerEntry entry = entry("raw/a.csv#v1", "manifests/a.json", PROCESSED_AT);
        store.recordProcessed(entry);

        DynamoDbStateStore.createTable(dynamoDb, table);

        assertThat(store.findProcessed(entry.objectId())).contains(entry);
    }
}
