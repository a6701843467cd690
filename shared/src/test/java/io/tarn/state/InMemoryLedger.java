package io.tarn.state;

import static java.util.Objects.requireNonNull;

import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/** A {@link Ledger} in memory, for tests whose subject is not the ledger; {@link LedgerContract} holds it to DynamoDB's rules. */
public final class InMemoryLedger implements Ledger {

    private final ConcurrentMap<String, LedgerEntry> entries = new ConcurrentHashMap<>();

    @Override
    public Optional<LedgerEntry> findProcessed(String objectId) {
        return Optional.ofNullable(entries.get(requireNonNull(objectId, "objectId is null")));
    }

    @Override
    public boolean recordProcessed(LedgerEntry entry) {
        return entries.putIfAbsent(entry.objectId(), entry) == null;
    }
}
