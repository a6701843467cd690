package io.tarn.catalog;

import static java.util.Objects.requireNonNull;

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
}
