package io.tarn.state;

import java.util.Optional;

/**
 * Durable pipeline state: the ledger of processed raw objects (and, later, watermarks). Writes are
 * conditional so that concurrent or replayed invocations cannot overwrite each other.
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
}
