package io.tarn.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link SchemaFingerprints} adapter does: a test class per adapter extends this and
 * says how to make an empty store and open it.
 */
public abstract class SchemaFingerprintsContract {

    private static final Instant NOW = Instant.parse("2025-03-14T09:26:53Z");

    /** Makes an empty store for the next test (a new table, a new folder). */
    protected abstract void createEmpty() throws Exception;

    /** An adapter over the store of this test, as another invocation or process would open it. */
    protected abstract SchemaFingerprints open();

    @BeforeEach
    void empty() throws Exception {
        createEmpty();
    }

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
