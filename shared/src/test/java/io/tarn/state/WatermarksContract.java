package io.tarn.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What every {@link Watermarks} adapter does, DynamoDB's, the local lake's and the in-memory
 * double's alike. A test class per adapter extends this and says how to open its store; JUnit
 * makes a test instance per test, so a store made in a field initializer (a new table, a new
 * folder) is empty for each test.
 */
public abstract class WatermarksContract {

    private static final Instant NOW = Instant.parse("2025-03-14T09:26:53Z");

    /** An adapter over this test's store, as another poller or process would open it. */
    protected abstract Watermarks open();

    private static Watermark mark(String position, long sequence) {
        return new Watermark("invoices", position, sequence, NOW.plusSeconds(sequence));
    }

    @Test
    void noWatermarkUntilTheFirstCommit() {
        Watermarks store = open();
        assertThat(store.watermark("invoices")).isEmpty();
        store.acquireLease("invoices", "poller-a", NOW, NOW.plusSeconds(60));

        assertThat(store.watermark("invoices")).as("a lease alone is no watermark").isEmpty();
    }

    @Test
    void watermarkAdvancesOneSequenceAtATimeAndReadsBackInAnotherAdapter() {
        Watermarks store = open();
        assertThat(store.advanceWatermark("invoices", Watermark.NONE, mark("p1", 1))).isTrue();
        assertThat(store.advanceWatermark("invoices", 1, mark("p2", 2))).isTrue();

        assertThat(open().watermark("invoices")).contains(mark("p2", 2));
        assertThat(open().watermark("accounts")).isEmpty();
    }

    @Test
    void staleExpectedSequenceIsRefusedAndTheWatermarkStays() {
        Watermarks store = open();
        store.advanceWatermark("invoices", Watermark.NONE, mark("p1", 1));
        store.advanceWatermark("invoices", 1, mark("p2", 2));

        assertThat(store.advanceWatermark("invoices", Watermark.NONE, mark("other", 1))).isFalse();
        assertThat(store.advanceWatermark("invoices", 1, mark("other", 2))).isFalse();

        assertThat(store.watermark("invoices")).contains(mark("p2", 2));
    }

    @Test
    void sequenceMustAdvanceByOneForTheSameDataset() {
        Watermarks store = open();
        assertThatThrownBy(() -> store.advanceWatermark("invoices", 1, mark("p", 3)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("watermark sequence must advance by one: expected 1, next 3");
        assertThatThrownBy(() -> store.advanceWatermark("accounts", 0, mark("p", 1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("watermark of dataset 'invoices' cannot be committed for dataset 'accounts'");
    }

    /*
     * Eight pollers that read sequence 1 each try to commit their own next position, one after the
     * other: the condition on the sequence is exercised by every attempt. (Moto's server does not
     * serialise concurrent conditional writes the way DynamoDB does, so a threaded race is each
     * adapter's own test where its storage promises atomicity.)
     */
    @Test
    void exactlyOneOfEightPollersAdvancingFromTheSameSequenceWins() {
        open().advanceWatermark("invoices", Watermark.NONE, mark("start", 1));
        List<Boolean> outcomes = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            outcomes.add(open().advanceWatermark("invoices", 1, mark("poller-" + i, 2)));
        }

        assertThat(outcomes).containsExactly(true, false, false, false, false, false, false, false);
        assertThat(open().watermark("invoices")).contains(mark("poller-0", 2));
    }

    @Test
    void leaseIsExclusiveUntilItExpiresOrIsReleased() {
        Watermarks store = open();
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
        assertThat(open().acquireLease("invoices", "poller-c", NOW.plusSeconds(100), NOW.plusSeconds(160))).isTrue();
    }

    @Test
    void leaseAndWatermarkDoNotClobberEachOther() {
        Watermarks store = open();
        store.acquireLease("invoices", "poller-a", NOW, NOW.plusSeconds(60));
        store.advanceWatermark("invoices", Watermark.NONE, mark("p1", 1));

        assertThat(open().acquireLease("invoices", "poller-b", NOW, NOW.plusSeconds(60)))
                .as("the lease survives a watermark commit").isFalse();
        store.releaseLease("invoices", "poller-a");
        assertThat(open().watermark("invoices")).as("the watermark survives the release").contains(mark("p1", 1));
        assertThat(open().acquireLease("invoices", "poller-b", NOW, NOW.plusSeconds(60))).isTrue();
    }

    @Test
    void aSuffixedNameIsAWatermarkOfItsOwn() {
        Watermarks store = open();
        store.advanceWatermark("invoices", Watermark.NONE, mark("p1", 1));
        Watermark snapshot = new Watermark("invoices#key-snapshot", "done|x", 1, NOW);

        assertThat(store.advanceWatermark("invoices#key-snapshot", Watermark.NONE, snapshot)).isTrue();

        assertThat(open().watermark("invoices#key-snapshot")).contains(snapshot);
        assertThat(open().watermark("invoices")).contains(mark("p1", 1));
    }
}
