package io.tarn.local.adapters;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.tarn.catalog.Catalog;
import io.tarn.catalog.CatalogException;
import io.tarn.catalog.Partition;
import io.tarn.catalog.SchemaChange;
import io.tarn.catalog.TableDefinition;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The Glue Data Catalog of the local lake: one JSON file per table under {@code DIR/catalog},
 * with the same operations and the same "already exists is success" rules. A file lock keeps two
 * local processes from losing each other's partitions.
 */
public final class LocalCatalog implements Catalog {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Path root;

    public LocalCatalog(Path root) {
        this.root = requireNonNull(root, "root is null");
    }

    /** A table and its partitions, as stored. */
    public record StoredTable(TableDefinition table, List<Partition> partitions) {}

    @Override
    public Optional<TableDefinition> table(String name) {
        return read(name).map(StoredTable::table);
    }

    @Override
    public List<String> tableNames() {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(root)) {
            return files.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".json"))
                    .map(n -> n.substring(0, n.length() - 5))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new CatalogException("Cannot list local catalog " + root + ": " + e.getMessage(), e);
        }
    }

    /** Creates the table or applies a {@link SchemaChange} to it, keeping its location, partition keys and partitions. */
    @Override
    public void ensureTable(TableDefinition table) {
        requireNonNull(table, "table is null");
        locked(() -> {
            Optional<StoredTable> stored = read(table.name());
            if (stored.isEmpty()) {
                write(new StoredTable(table, List.of()));
                return null;
            }
            TableDefinition current = stored.get().table();
            SchemaChange change = SchemaChange.between(current, table);
            if (change.refusal().isPresent()) {
                throw new CatalogException("Cannot change table %s in the local catalog %s: %s"
                        .formatted(table.name(), root, change.refusal().get()), null);
            }
            if (!change.isNone()) {
                write(new StoredTable(
                        new TableDefinition(current.name(), current.location(), change.columns(), current.partitionKeys(),
                                table.storage()),
                        stored.get().partitions()));
            }
            return null;
        });
    }

    /**
     * Creates the table, or replaces the definition of an existing one and keeps its partitions:
     * what a crawler does when it finds a table's schema changed.
     */
    public void defineTable(TableDefinition table) {
        locked(() -> {
            write(new StoredTable(table, read(table.name()).map(StoredTable::partitions).orElse(List.of())));
            return null;
        });
    }

    @Override
    public int registerPartitions(String table, List<Partition> partitions) {
        return locked(() -> {
            StoredTable stored = read(table).orElseThrow(() -> new CatalogException(
                    "Cannot register partitions of table " + table + ": the table does not exist in the local catalog", null));
            Set<Partition> all = new LinkedHashSet<>(stored.partitions());
            int before = all.size();
            all.addAll(partitions);
            if (all.size() != before) {
                write(new StoredTable(stored.table(), new ArrayList<>(all)));
            }
            return all.size() - before;
        });
    }

    @Override
    public void movePartitions(String table, List<Partition> partitions, List<List<String>> removals) {
        locked(() -> {
            StoredTable stored = read(table).orElseThrow(() -> new CatalogException(
                    "Cannot move partitions of table " + table + ": the table does not exist in the local catalog", null));
            java.util.Map<List<String>, Partition> byValues = new java.util.LinkedHashMap<>();
            stored.partitions().forEach(p -> byValues.put(p.values(), p));
            removals.forEach(byValues::remove);
            partitions.forEach(p -> byValues.put(p.values(), p));
            write(new StoredTable(stored.table(), new ArrayList<>(byValues.values())));
            return null;
        });
    }

    @Override
    public List<Partition> partitions(String table) {
        return read(table).map(StoredTable::partitions).orElse(List.of());
    }

    private Optional<StoredTable> read(String table) {
        Path file = root.resolve(table + ".json");
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(JSON.readValue(file.toFile(), StoredTable.class));
        } catch (IOException e) {
            throw new CatalogException("Cannot read local catalog entry " + file + ": " + e.getMessage(), e);
        }
    }

    private void write(StoredTable table) throws IOException {
        Path file = root.resolve(table.table().name() + ".json");
        Path temp = root.resolve(table.table().name() + ".json.tmp");
        JSON.writeValue(temp.toFile(), table);
        Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private interface Locked<T> {
        T run() throws IOException;
    }

    private synchronized <T> T locked(Locked<T> action) {
        try {
            Files.createDirectories(root);
            try (FileChannel channel = FileChannel.open(root.resolve(".lock"),
                    StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                    FileLock lock = channel.lock()) {
                return action.run();
            }
        } catch (IOException e) {
            throw new CatalogException("Local catalog " + root + " failed: " + e.getMessage(), e);
        }
    }
}
