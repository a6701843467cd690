package io.tarn.aws.dynamodb;

import static io.tarn.aws.dynamodb.MotoStateTable.DYNAMO_DB;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tarn.state.Ledger;
import io.tarn.state.LedgerContract;
import io.tarn.state.LedgerEntry;
import io.tarn.state.StateStoreException;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** {@link DynamoDbLedger} on moto: the ledger contract, and how its items look in the table. */
class DynamoDbLedgerTest extends LedgerContract {

    private static final Instant PROCESSED_AT = Instant.parse("2025-03-14T09:26:53.589793238Z");

    private final StateTable table = MotoStateTable.fresh();

    @Override
    protected Ledger open() {
        return new DynamoDbLedger(table);
    }

    @Test
    void entryIsStoredUnderTheObjectKeyWithReadableAttributes() {
        open().recordProcessed(entry("raw/a.csv#v1", "manifests/a.json", PROCESSED_AT));

        Map<String, AttributeValue> item = DYNAMO_DB.getItem(request -> request
                        .tableName(table.name())
                        .key(Map.of("pk", AttributeValue.fromS("object#raw/a.csv#v1"))))
                .item();
        assertThat(item).containsEntry("processedAt", AttributeValue.fromS("2025-03-14T09:26:53.589793238Z"))
                .containsEntry("rowsRead", AttributeValue.fromN("1000000"))
                .containsEntry("manifestKey", AttributeValue.fromS("manifests/a.json"));
    }

    @Test
    void missingTableFailsNamingTableAndObject() {
        DynamoDbLedger nowhere = new DynamoDbLedger(new StateTable(DYNAMO_DB, "no-such-table"));

        assertThatThrownBy(() -> nowhere.findProcessed("raw/a.csv#v1"))
                .isInstanceOf(StateStoreException.class)
                .hasMessage("Cannot read the ledger entry of object raw/a.csv#v1 from table no-such-table");
        assertThatThrownBy(() -> nowhere.recordProcessed(entry("raw/a.csv#v1", "m.json", PROCESSED_AT)))
                .isInstanceOf(StateStoreException.class)
                .hasMessage("Cannot record object raw/a.csv#v1 as processed in table no-such-table");
    }

    @Test
    void createTableLeavesAnExistingTableAsItIs() {
        LedgerEntry entry = entry("0a1b2c", "manifests/a.json", PROCESSED_AT);
        open().recordProcessed(entry);

        StateTable.create(DYNAMO_DB, table.name());

        assertThat(open().findProcessed(entry.objectId())).contains(entry);
    }
}
