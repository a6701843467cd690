package io.tarn.local.adapters;

import static java.util.Objects.requireNonNull;

import io.tarn.state.SchemaFingerprints;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;

/** The local lake's {@link SchemaFingerprints}: the file {@code DIR/state/schemas/<table>.json} per staging table. */
public final class LocalSchemaFingerprints implements SchemaFingerprints {

    /** The file layout of a table's schema fingerprint. */
    record SchemaState(String fingerprint, Instant recordedAt) {}

    private final LocalStateFiles files;

    public LocalSchemaFingerprints(Path root) {
        this.files = new LocalStateFiles(root);
    }

    @Override
    public Optional<String> schemaFingerprint(String table) {
        return Optional.ofNullable(files.read(file(table), SchemaState.class)).map(SchemaState::fingerprint);
    }

    @Override
    public void recordSchemaFingerprint(String table, String fingerprint, Instant at) {
        requireNonNull(fingerprint, "fingerprint is null");
        requireNonNull(at, "at is null");
        // As in DynamoDB: an older record than the stored one is ignored.
        files.update(file(table), SchemaState.class, state -> state != null && state.recordedAt().isAfter(at)
                ? null : new SchemaState(fingerprint, at));
    }

    private Path file(String table) {
        return files.item("schemas", table, "table");
    }
}
