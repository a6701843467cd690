package io.tarn.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * What every {@link Ledger} adapter does, DynamoDB's, the local lake's and the in-memory double's
 * alike. A test class per adapter extends this and says how to open its store; JUnit makes a test
 * instance per test, so a store made in a field initializer (a new table, a new folder) is empty
 * for each test. Object ids are hex, as {@code RawObjectRef#objectId()} makes them.
 */
public abstract class LedgerContract {

    private static final Instant PROCESSED_AT = Instant.parse("2025-03-14T09:26:53.589793238Z");

    /** An adapter over this test's store, as another invocation or process would open it. */
    protected abstract Ledger open();

    protected static LedgerEntry entry(String objectId, String manifestKey, Instant processedAt) {
        return new LedgerEntry(objectId, "mysql-shop", "orders", manifestKey, 1_000_000L, 999_998L, 2L, processedAt);
    }

    @Test
    void recordedEntryReadsBackWithEveryFieldInAnotherAdapter() {
        LedgerEntry entry = entry("0a1b2c", "manifests/orders/1.json", PROCESSED_AT);

        assertThat(open().recordProcessed(entry)).isTrue();

        assertThat(open().findProcessed("0a1b2c")).contains(entry);
    }

    @Test
    void secondRecordReturnsFalseAndKeepsTheFirstEntry() {
        LedgerEntry first = entry("0a1b2c", "manifests/first.json", PROCESSED_AT);
        LedgerEntry second = entry("0a1b2c", "manifests/second.json", PROCESSED_AT.plusSeconds(60));
        open().recordProcessed(first);

        assertThat(open().recordProcessed(second)).isFalse();

        assertThat(open().findProcessed("0a1b2c")).contains(first);
    }

    @Test
    void unrecordedObjectIsNotFound() {
        open().recordProcessed(entry("0a1b2c", "manifests/a.json", PROCESSED_AT));

        assertThat(open().findProcessed("0a1b2d")).isEmpty();
    }
}
