package io.tarn.aws.dynamodb;

import static io.tarn.aws.dynamodb.MotoStateTable.DYNAMO_DB;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tarn.state.LedgerEntry;
import io.tarn.state.StateStoreException;
import io.tarn.state.Watermark;
import io.tarn.state.Watermarks;
import io.tarn.state.WatermarksContract;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** {@link DynamoDbWatermarks} on moto: the watermarks contract, and the table item they share with the lease. */
class DynamoDbWatermarksTest extends WatermarksContract {

    private static final Instant NOW = Instant.parse("2025-03-14T09:26:53Z");

    private final StateTable table = MotoStateTable.fresh();

    @Override
    protected Watermarks open() {
        return new DynamoDbWatermarks(table);
    }

    @Test
    void leaseAndWatermarkShareTheTableItemWithoutClobberingEachOther() {
        Watermarks store = open();
        store.acquireLease("invoices", "poller-a", NOW, NOW.plusSeconds(60));
        store.advanceWatermark("invoices", Watermark.NONE, new Watermark("invoices", "p1", 1, NOW.plusSeconds(1)));
        store.releaseLease("invoices", "poller-a");

        Map<String, AttributeValue> item = DYNAMO_DB.getItem(request -> request
                .tableName(table.name()).key(Map.of("pk", AttributeValue.fromS("table#invoices")))).item();
        assertThat(item).containsOnlyKeys("pk", "position", "sequence", "committedAt");
        assertThat(item).containsEntry("sequence", AttributeValue.fromN("1"))
                .containsEntry("committedAt", AttributeValue.fromS("2025-03-14T09:26:54Z"));
    }

    @Test
    void ledgerAndWatermarksLiveSideBySideInOneTable() {
        new DynamoDbLedger(table).recordProcessed(new LedgerEntry("invoices", "azuresql", "invoices", "m.json", 1, 1, 0, NOW));

        assertThat(open().watermark("invoices")).isEmpty();
    }

    @Test
    void missingTableFailsNamingTableAndDataset() {
        DynamoDbWatermarks nowhere = new DynamoDbWatermarks(new StateTable(DYNAMO_DB, "no-such-table"));

        assertThatThrownBy(() -> nowhere.watermark("invoices"))
                .isInstanceOf(StateStoreException.class)
                .hasMessage("Cannot read the watermark of dataset invoices from table no-such-table");
        assertThatThrownBy(() -> nowhere.advanceWatermark("invoices", 0, new Watermark("invoices", "p1", 1, NOW)))
                .isInstanceOf(StateStoreException.class)
                .hasMessage("Cannot advance the watermark of dataset invoices to p1 in table no-such-table");
        assertThatThrownBy(() -> nowhere.acquireLease("invoices", "poller-a", NOW, NOW))
                .isInstanceOf(StateStoreException.class)
                .hasMessage("Cannot take the lease on dataset invoices for poller-a in table no-such-table");
    }
}
