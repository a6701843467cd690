package io.tarn.catalog;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * One partition: its values in the order of the table's partition keys (raw, not escaped) and its
 * storage location ({@code s3://bucket/table/account_id=.../}).
 */
public record Partition(List<String> values, String location) {
    public Partition {
        values = List.copyOf(values);
        requireNonNull(location, "location is null");
    }
}
