package io.tarn.ingest;

import io.tarn.state.LedgerEntry;

/** What became of one raw object event. */
public sealed interface IngestOutcome {

    RawObjectRef object();

    /** The object was converted now. */
    record Processed(RawObjectRef object, Manifest manifest) implements IngestOutcome {}

    /** An earlier delivery of the same event already converted this object version. */
    record AlreadyProcessed(RawObjectRef object, LedgerEntry entry) implements IngestOutcome {}

    /** Nothing to do: the key belongs to no dataset, or the object is gone or superseded. */
    record Skipped(RawObjectRef object, String reason) implements IngestOutcome {}
}
