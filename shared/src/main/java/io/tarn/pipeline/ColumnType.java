package io.tarn.pipeline;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The type of a column as declared in pipeline.yaml. Decimals carry precision and scale; other
 * kinds ignore them.
 */
public record ColumnType(Kind kind, int precision, int scale) {

    public enum Kind { STRING, INT, LONG, DOUBLE, DECIMAL, BOOLEAN, DATE, TIMESTAMP }

    /** Parquet decimals cannot exceed 38 digits; Athena and Glue share that bound. */
    public static final int MAX_DECIMAL_PRECISION = 38;

    private static final Pattern DECIMAL = Pattern.compile("decimal\\(\\s*(\\d+)\\s*,\\s*(\\d+)\\s*\\)");

    public static ColumnType of(Kind kind) {
        if (kind == Kind.DECIMAL) {
            throw new IllegalArgumentException("decimal needs a precision and a scale");
        }
        return new ColumnType(kind, 0, 0);
    }

    public static ColumnType decimal(int precision, int scale) {
        return new ColumnType(Kind.DECIMAL, precision, scale);
    }

    /**
     * Parses a type name: {@code string}, {@code int}, {@code long}, {@code double},
     * {@code decimal(p,s)}, {@code boolean}, {@code date}, {@code timestamp}.
     *
     * @throws IllegalArgumentException with the reason, for the caller to place in its message
     */
    public static ColumnType parse(String text) {
        String name = text.trim().toLowerCase(java.util.Locale.ROOT);
        Matcher decimal = DECIMAL.matcher(name);
        if (decimal.matches()) {
            int precision = Integer.parseInt(decimal.group(1));
            int scale = Integer.parseInt(decimal.group(2));
            if (precision < 1 || precision > MAX_DECIMAL_PRECISION) {
                throw new IllegalArgumentException(
                        "decimal precision must be 1 to " + MAX_DECIMAL_PRECISION + ", got " + precision);
            }
            if (scale > precision) {
                throw new IllegalArgumentException(
                        "decimal scale must not exceed its precision, got " + name);
            }
            return decimal(precision, scale);
        }
        return switch (name) {
            case "string" -> of(Kind.STRING);
            case "int" -> of(Kind.INT);
            case "long" -> of(Kind.LONG);
            case "double" -> of(Kind.DOUBLE);
            case "boolean" -> of(Kind.BOOLEAN);
            case "date" -> of(Kind.DATE);
            case "timestamp" -> of(Kind.TIMESTAMP);
            default -> throw new IllegalArgumentException("unknown type '" + text
                    + "' (expected string, int, long, double, decimal(p,s), boolean, date or timestamp)");
        };
    }

    /** The Hive/Glue/Athena type name of this type. */
    public String catalogType() {
        return switch (kind) {
            case STRING -> "string";
            case INT -> "int";
            case LONG -> "bigint";
            case DOUBLE -> "double";
            case DECIMAL -> "decimal(" + precision + "," + scale + ")";
            case BOOLEAN -> "boolean";
            case DATE -> "date";
            case TIMESTAMP -> "timestamp";
        };
    }

    @Override
    public String toString() {
        return kind == Kind.DECIMAL ? "decimal(" + precision + "," + scale + ")"
                : kind.name().toLowerCase(java.util.Locale.ROOT);
    }
}
