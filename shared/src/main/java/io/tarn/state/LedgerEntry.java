package io.tarn.state;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * One processed raw object version: its identity, where its manifest is, and its counts.
 *
 * @param objectId stable identity of the object version (see {@code RawObjectRef#objectId()})
 */
public record LedgerEntry(
        String objectId,
        String source,
        String dataset,
        String manifestKey,
        long rowsRead,
        long rowsWritten,
        long rowsQuarantined,
        Instant processedAt) {

    public LedgerEntry {
        requireNonNull(objectId, "objectId is null");
        requireNonNull(source, "source is null");
        requireNonNull(dataset, "dataset is null");
        requireNonNull(manifestKey, "manifestKey is null");
        requireNonNull(processedAt, "processedAt is null");
    }
}
