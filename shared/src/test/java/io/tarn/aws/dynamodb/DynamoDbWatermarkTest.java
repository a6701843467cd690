package io.tarn.aws.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tarn.state.LedgerEntry;
import io.tarn.state.StateStoreException;
import io.tarn.state.Watermark;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** Watermarks and leases of {@link DynamoDbStateStore} against moto's DynamoDB. */
class DynamoDbWatermarkTest extends MotoStateTableTest {

    private static final Instant NOW = Instant.parse("2025-03-14T09:26:53Z");

    private static Watermark mark(String position, long sequence) {
        return new Watermark("invoices", position, sequence, NOW.plusSeconds(sequence));
    }

    @Test
    void noWatermarkUntilTheFirstCommit() {
        assertThat(store.watermark("invoices")).isEmpty();
        store.acquireLease("invoices", "poller-a", NOW, NOW.plusSeconds(60));

        assertThat(store.watermark("invoices")).as("a lease alone is no watermark").isEmpty();
    }

    @Test
    void watermarkAdvancesOneSequenceAtATimeAndReadsBack() {
        assertThat(store.advanceWatermark("invoices", Watermark.NONE, mark("p1", 1))).isTrue();
        assertThat(store.advanceWatermark("invoices", 1, mark("p2", 2))).isTrue();

        assertThat(store.watermark("invoices")).contains(mark("p2", 2));
        assertThat(store.watermark("accounts")).isEmpty();
    }

    @Test
    void staleExpectedSequenceIsRefusedAndTheWatermarkStays() {
        store.advanceWatermark("invoices", Watermark.NONE, mark("p1", 1));
        store.advanceWatermark("invoices", 1, mark("p2", 2));

        assertThat(store.advanceWatermark("invoices", Watermark.NONE, mark("other", 1))).isFalse();
        assertThat(store.advanceWatermark("invoices", 1, mark("other", 2))).isFalse();

        assertThat(store.watermark("invoices")).contains(mark("p2", 2));
    }

    @Test
    void sequenceMustAdvanceByOneForTheSameDataset() {
        assertThatThrownBy(() -> store.advanceWatermark("invoices", 1, mark("p", 3)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("watermark sequence must advance by one: expected 1, next 3");
        assertThatThrownBy(() -> store.advanceWatermark("accounts", 0, mark("p", 1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("watermark of dataset 'invoices' cannot be committed for dataset 'accounts'");
    }

    /*
     * Eight pollers that read sequence 1 each try to commit their own next position. They run one
     * after the other: moto's server does not serialise concurrent conditional writes the way
     * DynamoDB does (seen here: two winners in a threaded race), and the atomicity is DynamoDB's
     * to give; what is ours, the condition on the sequence, is exercised by every attempt.
     */
    @Test
    void exactlyOneOfEightPollersAdvancingFromTheSameSequenceWins() {
        store.advanceWatermark("invoices", Watermark.NONE, mark("start", 1));
        List<Boolean> outcomes = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            outcomes.add(store.advanceWatermark("invoices", 1, mark("poller-" + i, 2)));
        }

        assertThat(outcomes).containsExactly(true, false, false, false, false, false, false, false);
        assertThat(store.watermark("invoices")).contains(mark("poller-0", 2));
    }

    @Test
    void leaseIsExclusiveUntilItExpiresOrIsReleased() {
        assertThat(store.acquireLease("invoices", "poller-a", NOW, NOW.plusSeconds(60))).isTrue();
        assertThat(store.acquireLease("invoices", "poller-b", NOW.plusSeconds(59), NOW.plusSeconds(120))).isFalse();
        assertThat(store.acquireLease("invoices", "poller-a", NOW.plusSeconds(30), NOW.plusSeconds(90)))
                .as("the owner extends its own lease").isTrue();
        assertThat(store.acquireLease("invoices", "poller-b", NOW.plusSeconds(60), NOW.plusSeconds(120)))
                .as("not expired yet: extended to +90s").isFalse();
        assertThat(store.acquireLease("accounts", "poller-b", NOW, NOW.plusSeconds(60)))
                .as("leases are per table").isTrue();

        assertThat(store.acquireLease("invoices", "poller-b", NOW.plusSeconds(90), NOW.plusSeconds(150)))
                .as("expired").isTrue();
        store.releaseLease("invoices", "poller-a");
        assertThat(store.acquireLease("invoices", "poller-c", NOW.plusSeconds(100), NOW.plusSeconds(160)))
                .as("a stale owner's release does not free another's lease").isFalse();

        store.releaseLease("invoices", "poller-b");
        assertThat(store.acquireLease("invoices", "poller-c", NOW.plusSeconds(100), NOW.plusSeconds(160))).isTrue();
    }

    @Test
    void leaseAndWatermarkShareTheTableItemWithoutClobberingEachOther() {
        store.acquireLease("invoices", "poller-a", NOW, NOW.plusSeconds(60));
        store.advanceWatermark("invoices", Watermark.NONE, mark("p1", 1));
        store.releaseLease("invoices", "poller-a");

        Map<String, AttributeValue> item = dynamoDb.getItem(request -> request
                .tableName(table).key(Map.of("pk", AttributeValue.fromS("table#invoices")))).item();
        assertThat(item).containsOnlyKeys("pk", "position", "sequence", "committedAt");
        assertThat(item).containsEntry("sequence", AttributeValue.fromN("1"))
                .containsEntry("committedAt", AttributeValue.fromS("2025-03-14T09:26:54Z"));
        assertThat(store.acquireLease("invoices", "poller-b", NOW, NOW.plusSeconds(60))).isTrue();
        assertThat(store.watermark("invoices")).contains(mark("p1", 1));
    }

    @Test
    void ledgerAndWatermarksLiveSideBySide() {
        store.recordProcessed(new LedgerEntry("invoices", "azuresql", "invoices", "m.json", 1, 1, 0, NOW));

        assertThat(store.watermark("invoices")).isEmpty();
    }

    @Test
    void missingTableFailsNamingTableAndDataset() {
        DynamoDbStateStore nowhere = new DynamoDbStateStore(dynamoDb, "no-such-table");

        assertThatThrownBy(() -> nowhere.watermark("invoices"))
                .isInstanceOf(StateStoreException.class)
                .hasMessage("Cannot read the watermark of dataset invoices from table no-such-table");
        assertThatThrownBy(() -> nowhere.advanceWatermark("invoices", 0, mark("p1", 1)))
                .isInstanceOf(StateStoreException.class)
                .hasMessage("Cannot advance the watermark of dataset invoices to p1 in table no-such-table");
        assertThatThrownBy(() -> nowhere.acquireLease("invoices", "poller-a", NOW, NOW))
                .isInstanceOf(StateStoreException.class)
                .hasMessage("Cannot take the lease on dataset invoices for poller-a in table no-such-table");
    }

    @Test
    void schemaFingerprintIsEmptyUntilRecordedThenTheNewestRecordWins() {
        assertThat(store.schemaFingerprint("orders")).isEmpty();

        store.recordSchemaFingerprint("orders", "fp-1", NOW);
        store.recordSchemaFingerprint("orders", "fp-2", NOW.plusSeconds(60));
        store.recordSchemaFingerprint("orders", "fp-late", NOW.plusSeconds(30));

        assertThat(store.schemaFingerprint("orders")).contains("fp-2");
        assertThat(store.schemaFingerprint("customers")).isEmpty();
        assertThat(store.watermark("orders")).as("a fingerprint is not a watermark").isEmpty();
        assertThat(dynamoDb.getItem(b -> b.tableName(table).key(Map.of("pk", AttributeValue.fromS("schema#orders"))))
                .item()).isEqualTo(Map.of(
                        "pk", AttributeValue.fromS("schema#orders"),
                        "fingerprint", AttributeValue.fromS("fp-2"),
                        "recordedAt", AttributeValue.fromN(Long.toString(NOW.plusSeconds(60).toEpochMilli()))));
    }
}
