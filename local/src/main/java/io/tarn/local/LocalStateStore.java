package io.tarn.local;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.tarn.state.LedgerEntry;
import io.tarn.state.StateStore;
import io.tarn.state.StateStoreException;
import io.tarn.state.Watermark;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/**
 * The state table of the local lake: one JSON file per item under {@code DIR/state}. A
 * conditional put is a hard link from a fully written temporary file to the item's name, which
 * the filesystem creates atomically or refuses when the name exists, as DynamoDB's
 * {@code attribute_not_exists} condition does.
 *
 * <p>A polled table's state (watermark and lease) is the file {@code DIR/state/tables/<dataset>.json}.
 * Its conditional updates read, check and replace the file while holding a lock: an in-process
 * monitor (file locks are per process) and an OS lock on a sibling {@code .lock} file (another
 * {@code tarn} process). The replacement is an atomic rename, so a reader sees the old or the new
 * state, never half of one.
 *
 * <p>A staging table's last crawled schema fingerprint is the file {@code DIR/state/schemas/<table>.json},
 * updated the same way.
 */
public final class LocalStateStore implements StateStore {

    /** A dataset name, or one with a suffix naming another of its watermarks ({@code accounts#key-snapshot}). */
    private static final Pattern DATASET = Pattern.compile("[a-z_][a-z0-9_]{0,127}(#[a-z][a-z-]{0,31})?");
    /** One monitor per table file across every store of this process. */
    private static final ConcurrentMap<Path, Object> MONITORS = new ConcurrentHashMap<>();

    /** The file layout of a table's state; absent parts are null. */
    record TableState(String position, Long sequence, Instant committedAt, String leaseOwner, Instant leaseUntil) {
        static final TableState EMPTY = new TableState(null, null, null, null, null);
    }

    /** The file layout of a table's schema fingerprint. */
    record SchemaState(String fingerprint, Instant recordedAt) {}

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

    @Override
    public Optional<Watermark> watermark(String dataset) {
        TableState state = read(tableFile(dataset));
        if (state.sequence() == null) {
            return Optional.empty();
        }
        return Optional.of(new Watermark(dataset, state.position(), state.sequence(), state.committedAt()));
    }

    @Override
    public boolean advanceWatermark(String dataset, long expectedSequence, Watermark next) {
        requireNonNull(next, "next is null");
        StateStore.checkAdvance(dataset, expectedSequence, next);
        return update(dataset, state -> {
            long stored = state.sequence() == null ? Watermark.NONE : state.sequence();
            return stored != expectedSequence ? null : new TableState(
                    next.position(), next.sequence(), next.committedAt(), state.leaseOwner(), state.leaseUntil());
        });
    }

    @Override
    public boolean acquireLease(String dataset, String owner, Instant now, Instant until) {
        requireNonNull(owner, "owner is null");
        requireNonNull(now, "now is null");
        requireNonNull(until, "until is null");
        return update(dataset, state -> {
            boolean available = state.leaseOwner() == null || state.leaseOwner().equals(owner)
                    || !state.leaseUntil().isAfter(now);
            return !available ? null
                    : new TableState(state.position(), state.sequence(), state.committedAt(), owner, until);
        });
    }

    @Override
    public void releaseLease(String dataset, String owner) {
        requireNonNull(owner, "owner is null");
        update(dataset, state -> !owner.equals(state.leaseOwner()) ? null
                : new TableState(state.position(), state.sequence(), state.committedAt(), null, null));
    }

    @Override
    public Optional<String> schemaFingerprint(String table) {
        return Optional.ofNullable(read(schemaFile(table), SchemaState.class)).map(SchemaState::fingerprint);
    }

    @Override
    public void recordSchemaFingerprint(String table, String fingerprint, Instant at) {
        requireNonNull(fingerprint, "fingerprint is null");
        requireNonNull(at, "at is null");
        // As in DynamoDB: an older record than the stored one is ignored.
        update(schemaFile(table), table, SchemaState.class, state -> state != null && state.recordedAt().isAfter(at)
                ? null : new SchemaState(fingerprint, at));
    }

    private boolean update(String dataset, UnaryOperator<TableState> change) {
        return update(tableFile(dataset), dataset, TableState.class,
                state -> change.apply(state == null ? TableState.EMPTY : state));
    }

    /**
     * Applies {@code change} to the file's state (null when there is none) under the file's lock; a
     * null result means its condition failed.
     */
    private <T> boolean update(Path file, String name, Class<T> type, UnaryOperator<T> change) {
        Path lockFile = file.resolveSibling(name + ".lock");
        synchronized (MONITORS.computeIfAbsent(file.toAbsolutePath().normalize(), f -> new Object())) {
            try {
                Files.createDirectories(file.getParent());
                try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                        FileLock lock = channel.lock()) {
                    T next = change.apply(read(file, type));
                    if (next == null) {
                        return false;
                    }
                    Path temp = Files.createTempFile(file.getParent(), name, ".tmp");
                    try {
                        json.writeValue(temp.toFile(), next);
                        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                    } finally {
                        Files.deleteIfExists(temp);
                    }
                    return true;
                }
            } catch (IOException e) {
                throw new StateStoreException("Cannot update local state " + file + ": " + e.getMessage(), e);
            }
        }
    }

    private TableState read(Path file) {
        TableState state = read(file, TableState.class);
        return state == null ? TableState.EMPTY : state;
    }

    /** The file's state, or null when there is no file. */
    private <T> T read(Path file, Class<T> type) {
        if (!Files.exists(file)) {
            return null;
        }
        try {
            return json.readValue(file.toFile(), type);
        } catch (IOException e) {
            throw new StateStoreException("Cannot read local state " + file + ": " + e.getMessage(), e);
        }
    }

    private Path tableFile(String dataset) {
        requireNonNull(dataset, "dataset is null");
        if (!DATASET.matcher(dataset).matches()) {
            throw new IllegalArgumentException("Not a dataset name: " + dataset);
        }
        return root.resolve("tables").resolve(dataset + ".json");
    }

    private Path schemaFile(String table) {
        requireNonNull(table, "table is null");
        if (!DATASET.matcher(table).matches()) {
            throw new IllegalArgumentException("Not a table name: " + table);
        }
        return root.resolve("schemas").resolve(table + ".json");
    }

    private Path ledgerFile(String objectId) {
        if (!objectId.matches("[0-9a-f]+")) {
            throw new IllegalArgumentException("Not an object id: " + objectId);
        }
        return root.resolve("ledger").resolve(objectId + ".json");
    }
}
