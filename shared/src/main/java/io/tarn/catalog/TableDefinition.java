package io.tarn.catalog;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * A staging table as the catalog sees it: Parquet files under {@code location}, Hive-partitioned by
 * {@code partitionKeys}.
 */
public record TableDefinition(
        String name, String location, List<CatalogColumn> columns, List<CatalogColumn> partitionKeys) {

    public TableDefinition {
        requireNonNull(name, "name is null");
        requireNonNull(location, "location is null");
        columns = List.copyOf(columns);
        partitionKeys = List.copyOf(partitionKeys);
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
