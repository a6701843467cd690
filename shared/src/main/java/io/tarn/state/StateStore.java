package io.tarn.state;

import java.time.Instant;
import java.util.Optional;

/**
 * Durable pipeline state: the ledger of processed raw objects, per polled table a watermark and a
 * lease, and per staging table the schema fingerprint the catalog last caught up with. Writes are conditional so that concurrent or replayed invocations cannot overwrite
 * each other.
 */
public interface StateStore {

    /** The ledger entry of a raw object version, if it was fully processed before. */
    Optional<LedgerEntry> findProcessed(String objectId);

    /**
     * Records a raw object version as processed, only if it is not recorded yet.
     *
     * @return {@code true} if this call created the entry, {@code false} if it already existed
     */
    boolean recordProcessed(LedgerEntry entry);

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

    /** The schema fingerprint of a staging table that the catalog last caught up with, if any. */
    Optional<String> schemaFingerprint(String table);

    /**
     * Records that the catalog knows a table's schema with this fingerprint, as of {@code at}. A
     * record older than the stored one is ignored, so a late, retried call cannot move it back.
     */
    void recordSchemaFingerprint(String table, String fingerprint, Instant at);

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
