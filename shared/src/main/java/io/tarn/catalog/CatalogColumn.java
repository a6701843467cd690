package io.tarn.catalog;

import static java.util.Objects.requireNonNull;

/** A column with its Hive type name ({@code string}, {@code bigint}, {@code decimal(12,2)}...). */
public record CatalogColumn(String name, String type) {
    public CatalogColumn {
        requireNonNull(name, "name is null");
        requireNonNull(type, "type is null");
    }
}
