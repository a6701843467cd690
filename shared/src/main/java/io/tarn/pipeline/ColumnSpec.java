package io.tarn.pipeline;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/**
 * A column of a dataset.
 *
 * @param fromJson when present, the column is not a CSV field but is extracted from a JSON
 *     document held in another column (MongoDB document mode)
 */
public record ColumnSpec(String name, ColumnType type, boolean nullable, Optional<JsonField> fromJson) {

    public ColumnSpec {
        requireNonNull(name, "name is null");
        requireNonNull(type, "type is null");
        requireNonNull(fromJson, "fromJson is null");
    }

    /** A top-level field of a JSON document column. */
    public record JsonField(String column, String field) {
        public JsonField {
            requireNonNull(column, "column is null");
            requireNonNull(field, "field is null");
        }
    }

    public boolean derived() {
        return fromJson.isPresent();
    }
}
