package io.tarn.pipeline;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/**
 * How a dataset's raw CSV objects are laid out.
 *
 * @param layout {@link Layout#HEADER}: the first record names the columns; {@link Layout#DMS}:
 *     no header, every record starts with the DMS operation ({@code I}, {@code U}, {@code D}),
 *     then the commit timestamp when {@code commitTimestamp} is set, then the dataset's columns
 *     in declared order, then DMS's {@code $AR_H_CHANGE_SEQ} when {@code changeSeq} is set (a
 *     table mapping's {@code add-column} appends it); a header file may name {@code _change_seq}
 * @param nullToken the text that stands for NULL when unquoted (DMS {@code CsvNullValue});
 *     empty means an empty unquoted field is NULL
 * @param gzip {@code AUTO} looks at the object's first bytes
 */
public record CsvFormat(
        Layout layout, char delimiter, Optional<String> nullToken, Gzip gzip, boolean commitTimestamp, boolean changeSeq) {

    public enum Layout { HEADER, DMS }

    public enum Gzip { AUTO, ALWAYS, NEVER }

    /** A format without a change sequence. */
    public CsvFormat(Layout layout, char delimiter, Optional<String> nullToken, Gzip gzip, boolean commitTimestamp) {
        this(layout, delimiter, nullToken, gzip, commitTimestamp, false);
    }

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
