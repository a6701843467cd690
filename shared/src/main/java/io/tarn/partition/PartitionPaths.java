package io.tarn.partition;

/**
 * Hive-style partition path segments. Partition values are untrusted input (an account id comes
 * from customer data): escaping turns every character that could change the path's meaning into
 * {@code %XX}, so a value can only ever name its own {@code key=value} segment. Athena, Hive,
 * Spark and DuckDB unescape the same set when they read the path back.
 */
public final class PartitionPaths {

    /** Hive's FileUtils escapes these, plus every control character; we do the same. */
    private static final boolean[] ESCAPED = new boolean[128];

    static {
        for (int c = 0; c < 0x20; c++) {
            ESCAPED[c] = true;
        }
        for (char c : "\"#%'*/:=?\\\u007F{[]^".toCharArray()) {
            ESCAPED[c] = true;
        }
    }

    /**
     * The account partition of deletes that name only their key (MongoDB's): Hive's name for a null
     * partition value, which Spark and Athena read back as null, so no tenant's id matches it.
     */
    public static final String NO_ACCOUNT = "__HIVE_DEFAULT_PARTITION__";

    private PartitionPaths() {}

    /** Escapes a partition value for use in a path segment. */
    public static String escape(String value) {
        StringBuilder escaped = null;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            boolean escape = c < 128 && ESCAPED[c];
            if (escape && escaped == null) {
                escaped = new StringBuilder(value.length() + 8).append(value, 0, i);
            }
            if (escaped != null) {
                if (escape) {
                    escaped.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                            .append(Character.toUpperCase(Character.forDigit(c & 0xF, 16)));
                } else {
                    escaped.append(c);
                }
            }
        }
        return escaped == null ? value : escaped.toString();
    }

    /** Reverses {@link #escape}; malformed escapes are kept as they are, as Hive does. */
    public static String unescape(String segment) {
        StringBuilder out = new StringBuilder(segment.length());
        for (int i = 0; i < segment.length(); i++) {
            char c = segment.charAt(i);
            if (c == '%' && i + 2 < segment.length()) {
                int hi = Character.digit(segment.charAt(i + 1), 16);
                int lo = Character.digit(segment.charAt(i + 2), 16);
                if (hi >= 0 && lo >= 0) {
                    out.append((char) ((hi << 4) | lo));
                    i += 2;
                    continue;
                }
            }
            out.append(c);
        }
        return out.toString();
    }

    /** {@code key=escaped(value)}. */
    public static String segment(String key, String value) {
        return key + "=" + escape(value);
    }
}
