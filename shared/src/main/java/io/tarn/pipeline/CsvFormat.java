package io.tarn.pipeline;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/**
 * How a dataset's raw CSV objects are laid out.
 *
 * @param layout {@link Layout#HEADER}: the first record names the columns; {@link Layout#DMS}:
 *     no header, every record starts with the DMS operation ({@code I}, {@code U}, {@code D}),
 *     then the commit timestamp when {@code commitTimestamp} is set, then the dataset's columns
 *     in declared order
 * @param nullToken the text that stands for NULL when unquoted (DMS {@code CsvNullValue});
 *     empty means an empty unquoted field is NULL
 * @param gzip {@code AUTO} looks at the object's first bytes
 */
public record CsvFormat(
        Layout layout, char delimiter, Optional<String> nullToken, Gzip gzip, boolean commitTimestamp) {

    public enum Layout { HEADER, DMS }

    public enum Gzip { AUTO, ALWAYS, NEVER }

    public CsvFormat {
        requireNonNull(layout, "layout is null");
        requireNonNull(nullToken, "nullToken is null");
        requireNonNull(gzip, "gzip is null");
    }

    /** Whether an unquoted field with this text is NULL. */
    public boolean isNull(CharSequence unquotedField) {
        return nullToken.isPresent() ? nullToken.get().contentEquals(unquotedField) : unquotedField.length() == 0;
    }
}
