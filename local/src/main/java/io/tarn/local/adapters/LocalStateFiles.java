package io.tarn.local.adapters;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.tarn.state.StateStoreException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/**
 * The state table of the local lake: one JSON file per item under {@code DIR/state}, shared by
 * {@link LocalLedger}, {@link LocalWatermarks} and {@link LocalSchemaFingerprints} as DynamoDB's
 * one table is shared by their AWS twins; the contract tests hold both to the same rules.
 *
 * <p>A conditional put ({@link #createOnce}) is a hard link from a fully written temporary file to
 * the item's name, which the filesystem creates atomically or refuses when the name exists, as
 * DynamoDB's {@code attribute_not_exists} condition does. A conditional update ({@link #update})
 * reads, checks and replaces the file while holding a lock: an in-process monitor (file locks are
 * per process) and an OS lock on a sibling {@code .lock} file (another {@code tarn} process). The
 * replacement is an atomic rename, so a reader sees the old or the new state, never half of one.
 */
final class LocalStateFiles {

    /** A dataset or table name, or one with a suffix naming another watermark of it ({@code accounts#key-snapshot}). */
    private static final Pattern NAME = Pattern.compile("[a-z_][a-z0-9_]{0,127}(#[a-z][a-z-]{0,31})?");
    /** One monitor per item file across every adapter of this process. */
    private static final ConcurrentMap<Path, Object> MONITORS = new ConcurrentHashMap<>();

    private final ObjectMapper json = new ObjectMapper().registerModule(new JavaTimeModule());
    private final Path root;

    LocalStateFiles(Path root) {
        this.root = requireNonNull(root, "root is null");
    }

    /**
     * The file of an item named {@code name} in the folder {@code kind}; {@code what} says what a
     * bad name was meant to be.
     */
    Path item(String kind, String name, String what) {
        requireNonNull(name, what + " is null");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("Not a " + what + " name: " + name);
        }
        return root.resolve(kind).resolve(name + ".json");
    }

    /** Writes {@code value} as the file only if there is none yet; {@code false} if there was. */
    boolean createOnce(Path file, Object value) {
        try {
            Files.createDirectories(file.getParent());
            Path temp = Files.createTempFile(file.getParent(), "entry", ".tmp");
            try {
                json.writeValue(temp.toFile(), value);
                Files.createLink(file, temp);
                return true;
            } catch (FileAlreadyExistsException e) {
                return false;
            } finally {
                Files.deleteIfExists(temp);
            }
        } catch (IOException e) {
            throw new StateStoreException("Cannot write local state " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Applies {@code change} to the file's state (null when there is none) under the file's lock; a
     * null result means its condition failed.
     */
    <T> boolean update(Path file, Class<T> type, UnaryOperator<T> change) {
        String name = file.getFileName().toString().replaceFirst("\\.json$", "");
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

    /** The file's state, or null when there is no file. */
    <T> T read(Path file, Class<T> type) {
        if (!Files.exists(file)) {
            return null;
        }
        try {
            return json.readValue(file.toFile(), type);
        } catch (IOException e) {
            throw new StateStoreException("Cannot read local state " + file + ": " + e.getMessage(), e);
        }
    }

}
