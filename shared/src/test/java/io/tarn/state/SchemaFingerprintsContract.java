package io.tarn.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * What every {@link SchemaFingerprints} adapter does, DynamoDB's, the local lake's and the
 * in-memory double's alike. A test class per adapter extends this and says how to open its store;
 * JUnit makes a test instance per test, so a store made in a field initializer (a new table, a new
 * folder) is empty for each test.
 */
public abstract class SchemaFingerprintsContract {

    private static final Instant NOW = Instant.parse("2025-03-14T09:26:53Z");

    /** An adapter over this test's store, as another invocation or process would open it. */
    protected abstract SchemaFingerprints open();

    @Test
    void emptyUntilRecordedThenTheNewestRecordWinsAcrossAdapters() {
        SchemaFingerprints store = open();
        assertThat(store.schemaFingerprint("orders")).isEmpty();

        store.recordSchemaFingerprint("orders", "fp-1", NOW);
        store.recordSchemaFingerprint("orders", "fp-2", NOW.plusSeconds(60));
        open().recordSchemaFingerprint("orders", "fp-late", NOW.plusSeconds(30));

        assertThat(open().schemaFingerprint("orders")).contains("fp-2");
        assertThat(store.schemaFingerprint("customers")).isEmpty();
    }

    @Test
    void aRecordAsRecentAsTheStoredOneReplacesIt() {
        SchemaFingerprints store = open();
        store.recordSchemaFingerprint("orders", "fp-1", NOW);

        store.recordSchemaFingerprint("orders", "fp-retried", NOW);

        assertThat(open().schemaFingerprint("orders")).contains("fp-retried");
    }
}
