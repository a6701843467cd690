package io.tarn.local;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.tarn.state.LedgerEntry;
import io.tarn.state.StateStore;
import io.tarn.state.StateStoreException;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The state table of the local lake: one JSON file per item under {@code DIR/state}. A
 * conditional put is a hard link from a fully written temporary file to the item's name, which
 * the filesystem creates atomically or refuses when the name exists, as DynamoDB's
 * {@code attribute_not_exists} condition does.
 */
public final class LocalStateStore implements StateStore {

    private final ObjectMapper json = new ObjectMapper().registerModule(new JavaTimeModule());
    private final Path root;

    public LocalStateStore(Path root) {
        this.root = requireNonNull(root, "root is null");
    }

    @Override
    public Optional<LedgerEntry> findProcessed(String objectId) {
        Path file = ledgerFile(objectId);
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(json.readValue(file.toFile(), LedgerEntry.class));
        } catch (IOException e) {
            throw new StateStoreException("Cannot read local ledger entry " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public boolean recordProcessed(LedgerEntry entry) {
        Path file = ledgerFile(entry.objectId());
        try {
            Files.createDirectories(file.getParent());
            Path temp = Files.createTempFile(file.getParent(), "entry", ".tmp");
            try {
                json.writeValue(temp.toFile(), entry);
                Files.createLink(file, temp);
                return true;
            } catch (FileAlreadyExistsException e) {
                return false;
            } finally {
                Files.deleteIfExists(temp);
            }
        } catch (IOException e) {
            throw new StateStoreException("Cannot write local ledger entry " + file + ": " + e.getMessage(), e);
        }
    }

    private Path ledgerFile(String objectId) {
        if (!objectId.matches("[0-9a-f]+")) {
            throw new IllegalArgumentException("Not an object id: " + objectId);
        }
        return root.resolve("ledger").resolve(objectId + ".json");
    }
}
