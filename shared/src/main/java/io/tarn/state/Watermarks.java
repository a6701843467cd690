package io.tarn.state;

import java.time.Instant;
import java.util.Optional;

/**
 * Per polled table, how far the poller has durably read it (its watermark) and who is reading it
 * now (its lease). Both change by conditional writes, so two pollers can neither commit from the
 * same watermark nor read the same table at once, and neither write clobbers the other.
 */
public interface Watermarks {

    /** The committed watermark of a dataset, read consistently (the latest commit), if any. */
    Optional<Watermark> watermark(String dataset);

    /**
     * Commits {@code next} only if the stored sequence is still {@code expectedSequence}
     * ({@link Watermark#NONE} when the dataset has no watermark yet).
     *
     * @return {@code false} when another poller committed in between: nothing was written
     * @throws IllegalArgumentException unless {@code next} is for {@code dataset} and its sequence
     *     is {@code expectedSequence + 1}
     */
    boolean advanceWatermark(String dataset, long expectedSequence, Watermark next);

    /**
     * Takes (or extends) the lease on a dataset's table until {@code until}, only if it is free,
     * expired at {@code now}, or already held by {@code owner}.
     *
     * @return {@code false} when another owner holds an unexpired lease
     */
    boolean acquireLease(String dataset, String owner, Instant now, Instant until);

    /** Gives the lease back if {@code owner} still holds it; otherwise does nothing. */
    void releaseLease(String dataset, String owner);

    /** Checks the arguments of {@link #advanceWatermark}, the same way for every store. */
    static void checkAdvance(String dataset, long expectedSequence, Watermark next) {
        if (!next.dataset().equals(dataset)) {
            throw new IllegalArgumentException(
                    "watermark of dataset '%s' cannot be committed for dataset '%s'".formatted(next.dataset(), dataset));
        }
        if (expectedSequence < Watermark.NONE || next.sequence() != expectedSequence + 1) {
            throw new IllegalArgumentException("watermark sequence must advance by one: expected %d, next %d"
                    .formatted(expectedSequence, next.sequence()));
        }
    }
}
