package io.tarn.catalog;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * A staging table as the catalog sees it: Parquet files under {@code location}, Hive-partitioned by
 * {@code partitionKeys}, stored as {@code storage} says.
 */
public record TableDefinition(
        String name, String location, List<CatalogColumn> columns, List<CatalogColumn> partitionKeys, Storage storage) {

    /** How a table's partitions find their files. */
    public enum Storage {
        /** Each partition's files are in its Hive folder under the location. */
        PARQUET,
        /**
         * A current table: each registered partition points at a version folder below its Hive
         * folder ({@code account_id=<a>/v=<run id>/}), moved at every refresh. A table without
         * registered partitions (a tenant's projected twin) reads it through {@link #SYMLINK}.
         */
        VERSIONED_PARQUET,
        /**
         * Each partition's folder holds a symlink manifest naming the Parquet files to read (Hive's
         * {@code SymlinkTextInputFormat}): a current table's tenant-facing twin.
         */
        SYMLINK
    }

    public TableDefinition {
        requireNonNull(name, "name is null");
        requireNonNull(location, "location is null");
        columns = List.copyOf(columns);
        partitionKeys = List.copyOf(partitionKeys);
        // A definition stored before tables had a storage kind (a local catalog's file) is Parquet.
        storage = storage == null ? Storage.PARQUET : storage;
    }

    /** A table whose partitions' files are in their Hive folders. */
    public TableDefinition(String name, String location, List<CatalogColumn> columns, List<CatalogColumn> partitionKeys) {
        this(name, location, columns, partitionKeys, Storage.PARQUET);
    }

    /**
     * A short, stable digest of the columns, their types and the partition key names: it changes
     * exactly when the schema does, which is what decides whether a crawler run is worth starting.
     * The location is not part of it.
     */
    public String fingerprint() {
        StringBuilder text = new StringBuilder();
        columns.forEach(c -> text.append(c.name()).append(':').append(c.type()).append(';'));
        text.append('|').append(String.join(",", partitionKeys.stream().map(CatalogColumn::name).toList()));
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JRE", e);
        }
    }
}
