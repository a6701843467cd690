package io.tarn.local.lake;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class WatcherActivityTest {

    /** A bound on waiting in the test, not a measure of anything. */
    private static final Duration LONG = Duration.ofSeconds(60);

    private final WatcherActivity activity = new WatcherActivity();

    @Test
    void beforeAnyScanTheWatcherIsNotQuietAndTheWaitEndsAtItsBound() throws InterruptedException {
        assertThat(activity.awaitQuiet(Duration.ZERO)).isFalse();
    }

    @Test
    void aScanThatHandedNothingOverIsQuiet() throws InterruptedException {
        activity.scanned(false);

        assertThat(activity.awaitQuiet(Duration.ZERO)).isTrue();
    }

    @Test
    void aScanThatHandedSomethingOverEndsTheQuiet() throws InterruptedException {
        activity.scanned(false);
        activity.scanned(true);

        assertThat(activity.awaitQuiet(Duration.ZERO)).isFalse();
    }

    @Test
    void aWaitingRunGoesOnAtTheFirstQuietScan() throws Exception {
        activity.scanned(true);
        CompletableFuture<Boolean> waited = CompletableFuture.supplyAsync(() -> await(LONG));

        activity.scanned(true);
        activity.scanned(false);

        assertThat(waited.get(LONG.toSeconds(), TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void closingEndsEveryWait() throws Exception {
        activity.scanned(true);
        CompletableFuture<Boolean> waited = CompletableFuture.supplyAsync(() -> await(LONG));

        activity.close();

        assertThat(waited.get(LONG.toSeconds(), TimeUnit.SECONDS)).isTrue();
        assertThat(activity.awaitQuiet(Duration.ZERO)).isTrue();
    }

    private boolean await(Duration max) {
        try {
            return activity.awaitQuiet(max);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
