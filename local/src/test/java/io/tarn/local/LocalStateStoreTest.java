package io.tarn.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tarn.state.Watermark;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Watermarks and leases of the local state table: the same contract as DynamoDB's. */
class LocalStateStoreTest {

    private static final Instant NOW = Instant.parse("2025-03-14T09:26:53Z");

    @TempDir
    Path dir;

    private static Watermark mark(String position, long sequence) {
        return new Watermark("invoices", position, sequence, NOW.plusSeconds(sequence));
    }

    @Test
    void watermarkAdvancesOnlyFromTheExpectedSequenceAndSurvivesANewStore() {
        LocalStateStore store = new LocalStateStore(dir);
        store.acquireLease("invoices", "poller-a", NOW, NOW.plusSeconds(60));

        assertThat(store.watermark("invoices")).isEmpty();
        assertThat(store.advanceWatermark("invoices", Watermark.NONE, mark("p1", 1))).isTrue();
        assertThat(store.advanceWatermark("invoices", Watermark.NONE, mark("other", 1))).isFalse();
        assertThat(store.advanceWatermark("invoices", 1, mark("p2", 2))).isTrue();

        assertThat(new LocalStateStore(dir).watermark("invoices")).contains(mark("p2", 2));
        assertThat(new LocalStateStore(dir).acquireLease("invoices", "poller-b", NOW, NOW.plusSeconds(60)))
                .as("the lease survives watermark commits").isFalse();
    }

    @Test
    void exactlyOneOfEightRacersAdvancingFromTheSameSequenceWins() throws Exception {
        new LocalStateStore(dir).advanceWatermark("invoices", Watermark.NONE, mark("start", 1));
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Boolean> outcomes = new ArrayList<>();
        try {
            List<Future<Boolean>> futures = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                Watermark next = mark("racer-" + i, 2);
                LocalStateStore own = new LocalStateStore(dir);
                futures.add(pool.submit(() -> {
                    start.await();
                    return own.advanceWatermark("invoices", 1, next);
                }));
            }
            start.countDown();
            for (Future<Boolean> future : futures) {
                outcomes.add(future.get());
            }
        } finally {
            pool.shutdownNow();
        }

        assertThat(outcomes).containsOnlyOnce(true);
        assertThat(new LocalStateStore(dir).watermark("invoices")).contains(mark("racer-" + outcomes.indexOf(true), 2));
    }

    @Test
    void leaseIsExclusiveUntilItExpiresOrIsReleased() {
        LocalStateStore store = new LocalStateStore(dir);

        assertThat(store.acquireLease("invoices", "poller-a", NOW, NOW.plusSeconds(60))).isTrue();
        assertThat(store.acquireLease("invoices", "poller-b", NOW.plusSeconds(59), NOW.plusSeconds(120))).isFalse();
        assertThat(store.acquireLease("invoices", "poller-a", NOW.plusSeconds(1), NOW.plusSeconds(61))).isTrue();
        store.releaseLease("invoices", "poller-b");
        assertThat(store.acquireLease("invoices", "poller-b", NOW.plusSeconds(60), NOW.plusSeconds(120))).isFalse();
        assertThat(store.acquireLease("invoices", "poller-b", NOW.plusSeconds(61), NOW.plusSeconds(120))).isTrue();
        store.releaseLease("invoices", "poller-b");
        assertThat(store.acquireLease("invoices", "poller-c", NOW.plusSeconds(62), NOW.plusSeconds(120))).isTrue();
    }

    @Test
    void datasetNameCannotLeaveTheStateFolder() {
        assertThatThrownBy(() -> new LocalStateStore(dir).watermark("../x"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Not a dataset name: ../x");
    }

    @Test
    void schemaFingerprintIsEmptyUntilRecordedThenTheNewestRecordWinsAcrossStores() {
        LocalStateStore store = new LocalStateStore(dir);
        assertThat(store.schemaFingerprint("orders")).isEmpty();

        store.recordSchemaFingerprint("orders", "fp-1", NOW);
        store.recordSchemaFingerprint("orders", "fp-2", NOW.plusSeconds(60));
        new LocalStateStore(dir).recordSchemaFingerprint("orders", "fp-late", NOW.plusSeconds(30));

        assertThat(new LocalStateStore(dir).schemaFingerprint("orders")).contains("fp-2");
        assertThat(store.schemaFingerprint("customers")).isEmpty();
        assertThat(store.watermark("orders")).isEmpty();
        assertThatThrownBy(() -> store.recordSchemaFingerprint("../orders", "fp", NOW))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Not a table name: ../orders");
    }
}
