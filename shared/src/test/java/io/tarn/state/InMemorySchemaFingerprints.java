package io.tarn.state;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/** {@link SchemaFingerprints} in memory, held to DynamoDB's rules by {@link SchemaFingerprintsContract}. */
public final class InMemorySchemaFingerprints implements SchemaFingerprints {

    private record Recorded(String fingerprint, Instant at) {}

    private final ConcurrentMap<String, Recorded> tables = new ConcurrentHashMap<>();

    @Override
    public Optional<String> schemaFingerprint(String table) {
        return Optional.ofNullable(tables.get(requireNonNull(table, "table is null"))).map(Recorded::fingerprint);
    }

    @Override
    public void recordSchemaFingerprint(String table, String fingerprint, Instant at) {
        Recorded next = new Recorded(requireNonNull(fingerprint, "fingerprint is null"), requireNonNull(at, "at is null"));
        tables.merge(table, next, (stored, recorded) -> stored.at().isAfter(recorded.at()) ? stored : recorded);
    }
}
