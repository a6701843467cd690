package io.tarn.state;

import java.time.Instant;
import java.util.Optional;

/**
 * Per staging table, the fingerprint of the schema the catalog last caught up with (by a crawl),
 * so a crawler refresh crawls only tables whose schema changed since.
 */
public interface SchemaFingerprints {

    /** The schema fingerprint of a staging table that the catalog last caught up with, if any. */
    Optional<String> schemaFingerprint(String table);

    /**
     * Records that the catalog knows a table's schema with this fingerprint, as of {@code at}. A
     * record older than the stored one is ignored, so a late, retried call cannot move it back.
     */
    void recordSchemaFingerprint(String table, String fingerprint, Instant at);
}
