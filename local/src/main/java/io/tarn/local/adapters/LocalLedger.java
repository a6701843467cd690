package io.tarn.local.adapters;

import static java.util.Objects.requireNonNull;

import io.tarn.state.Ledger;
import io.tarn.state.LedgerEntry;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Pattern;

/** The local lake's {@link Ledger}: an entry is the file {@code DIR/state/ledger/<object id>.json}, created once. */
public final class LocalLedger implements Ledger {

    private static final Pattern OBJECT_ID = Pattern.compile("[0-9a-f]{1,128}");

    private final LocalStateFiles files;
    private final Path folder;

    public LocalLedger(Path root) {
        this.files = new LocalStateFiles(root);
        this.folder = root.resolve("ledger");
    }

    @Override
    public Optional<LedgerEntry> findProcessed(String objectId) {
        return Optional.ofNullable(files.read(file(objectId), LedgerEntry.class));
    }

    @Override
    public boolean recordProcessed(LedgerEntry entry) {
        requireNonNull(entry, "entry is null");
        return files.createOnce(file(entry.objectId()), entry);
    }

    private Path file(String objectId) {
        requireNonNull(objectId, "objectId is null");
        if (!OBJECT_ID.matcher(objectId).matches()) {
            throw new IllegalArgumentException("Not an object id: " + objectId);
        }
        return folder.resolve(objectId + ".json");
    }
}
