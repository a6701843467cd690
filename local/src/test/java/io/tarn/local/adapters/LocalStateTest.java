package io.tarn.local.adapters;

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

/**
 * The local state table beyond the contracts ({@code LocalLedgerTest} and its siblings): a threaded
 * race (the files promise atomicity across threads and processes), and names that cannot leave the
 * folder.
 */
class LocalStateTest {

    private static final Instant NOW = Instant.parse("2025-03-14T09:26:53Z");

    @TempDir
    Path dir;

    private static Watermark mark(String position, long sequence) {
        return new Watermark("invoices", position, sequence, NOW.plusSeconds(sequence));
    }

    @Test
    void exactlyOneOfEightRacersAdvancingFromTheSameSequenceWins() throws Exception {
        new LocalWatermarks(dir).advanceWatermark("invoices", Watermark.NONE, mark("start", 1));
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Boolean> outcomes = new ArrayList<>();
        try {
            List<Future<Boolean>> futures = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                Watermark next = mark("racer-" + i, 2);
                LocalWatermarks own = new LocalWatermarks(dir);
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
        assertThat(new LocalWatermarks(dir).watermark("invoices")).contains(mark("racer-" + outcomes.indexOf(true), 2));
    }

    @Test
    void datasetNameCannotLeaveTheStateFolder() {
        assertThatThrownBy(() -> new LocalWatermarks(dir).watermark("../x"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Not a dataset name: ../x");
    }

    @Test
    void tableNameCannotLeaveTheStateFolder() {
        assertThatThrownBy(() -> new LocalSchemaFingerprints(dir).recordSchemaFingerprint("../orders", "fp", NOW))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Not a table name: ../orders");
        assertThatThrownBy(() -> new LocalLedger(dir).findProcessed("../0a"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Not an object id: ../0a");
    }
}
