package io.tarn.poll;

import io.tarn.pipeline.ColumnType;
import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.LocalDateTime;

/**
 * The text of positions, made to be part of an S3 key: only {@code [A-Za-z0-9-]} and
 * {@code %XX} escapes (of UTF-8 bytes) inside a component, so {@code .} can separate components
 * and {@code __} the start from the end of a range. Timestamps are fixed-width
 * ({@code 20240531T120000-123456789}, to the nanosecond), so keys sort by time.
 */
final class PositionText {

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private PositionText() {}

    static String timestamp(LocalDateTime value) {
        StringBuilder text = new StringBuilder(25);
        pad(text, value.getYear(), 4);
        pad(text, value.getMonthValue(), 2);
        pad(text, value.getDayOfMonth(), 2);
        text.append('T');
        pad(text, value.getHour(), 2);
        pad(text, value.getMinute(), 2);
        pad(text, value.getSecond(), 2);
        text.append('-');
        pad(text, value.getNano(), 9);
        return text.toString();
    }

    static LocalDateTime parseTimestamp(String text) {
        if (text.length() != 25 || text.charAt(8) != 'T' || text.charAt(15) != '-') {
            throw new IllegalArgumentException("not a timestamp position: '" + text + "'");
        }
        try {
            return LocalDateTime.of(
                    Integer.parseInt(text, 0, 4, 10), Integer.parseInt(text, 4, 6, 10), Integer.parseInt(text, 6, 8, 10),
                    Integer.parseInt(text, 9, 11, 10), Integer.parseInt(text, 11, 13, 10), Integer.parseInt(text, 13, 15, 10),
                    Integer.parseInt(text, 16, 25, 10));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("not a timestamp position: '" + text + "'", e);
        }
    }

    /** A key value of the current row, by its declared type, as a position component. */
    static String keyValue(ResultSet row, int index, ColumnType type) throws SQLException {
        Object value = switch (type.kind()) {
            case STRING -> row.getString(index);
            case INT, LONG -> row.getLong(index);
            case DOUBLE -> row.getDouble(index);
            case BOOLEAN -> row.getBoolean(index);
            case DECIMAL -> row.getBigDecimal(index);
            case DATE -> row.getObject(index, LocalDate.class);
            case TIMESTAMP -> row.getObject(index, LocalDateTime.class);
        };
        if (row.wasNull() || value == null) {
            throw new SQLException("primary key column " + index + " is NULL");
        }
        String text = switch (type.kind()) {
            case DECIMAL -> ((BigDecimal) value).toPlainString();
            case TIMESTAMP -> timestamp((LocalDateTime) value);
            default -> value.toString();
        };
        return escape(text);
    }

    /** A position component back as the value to bind for a key column of this type. */
    static Object parseKeyValue(String component, ColumnType type) {
        String text = unescape(component);
        return switch (type.kind()) {
            case STRING -> text;
            case INT -> Integer.parseInt(text);
            case LONG -> Long.parseLong(text);
            case DOUBLE -> Double.parseDouble(text);
            case BOOLEAN -> Boolean.parseBoolean(text);
            case DECIMAL -> new BigDecimal(text);
            case DATE -> LocalDate.parse(text);
            case TIMESTAMP -> parseTimestamp(text);
        };
    }

    static String escape(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xFF);
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-') {
                out.append(c);
            } else {
                out.append('%').append(HEX[(b >> 4) & 0xF]).append(HEX[b & 0xF]);
            }
        }
        return out.toString();
    }

    static String unescape(String component) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(component.length());
        for (int i = 0; i < component.length(); i++) {
            char c = component.charAt(i);
            if (c == '%') {
                if (i + 2 >= component.length()) {
                    throw new IllegalArgumentException("truncated escape in position component '" + component + "'");
                }
                bytes.write(Integer.parseInt(component, i + 1, i + 3, 16));
                i += 2;
            } else {
                bytes.write(c);
            }
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private static void pad(StringBuilder text, int value, int width) {
        String digits = Integer.toString(value);
        for (int i = digits.length(); i < width; i++) {
            text.append('0');
        }
        text.append(digits);
    }
}
