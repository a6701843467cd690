package io.tarn.state;

import java.util.Optional;

/**
 * The ledger of processed raw objects: which object versions were fully converted, so a replayed
 * event does not convert one again. Writes are conditional, so a concurrent or replayed
 * invocation cannot overwrite the first entry.
 */
public interface Ledger {

    /** The ledger entry of a raw object version, if it was fully processed before. */
    Optional<LedgerEntry> findProcessed(String objectId);

    /**
     * Records a raw object version as processed, only if it is not recorded yet.
     *
     * @return {@code true} if this call created the entry, {@code false} if it already existed
     */
    boolean recordProcessed(LedgerEntry entry);
}
