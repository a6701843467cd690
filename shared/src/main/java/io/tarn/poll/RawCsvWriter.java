package io.tarn.poll;

import io.tarn.pipeline.ColumnSpec;
import io.tarn.pipeline.ColumnType;
import io.tarn.pipeline.CsvFormat;
import io.tarn.pipeline.Dataset;
import java.io.BufferedWriter;
import java.io.Closeable;
import java.io.IOException;
import java.io.Writer;
import java.math.BigDecimal;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;

/**
 * Writes a page as the header CSV that RawObject reads (RFC 4180, CRLF line ends): the header
 * {@code _op} then the dataset's CSV columns in declared order, then one record per row. NULL is
 * the dataset's {@code null_token} unquoted (or an empty unquoted field when it has none); a value
 * that could be mistaken for it, or holds the delimiter, a quote or a line break, is quoted.
 * Timestamps are ISO-8601 without an offset (UTC), dates ISO-8601, decimals plain.
 */
final class RawCsvWriter implements Closeable {

    static final String OP = "_op";

    private final BufferedWriter out;
    private final char delimiter;
    private final String nullToken;
    private final ColumnType[] types;

    RawCsvWriter(Writer out, Dataset dataset) {
        this.out = new BufferedWriter(out, 1 << 16);
        CsvFormat format = dataset.format();
        this.delimiter = format.delimiter();
        this.nullToken = format.nullToken().orElse("");
        List<ColumnSpec> columns = dataset.csvColumns();
        this.types = columns.stream().map(ColumnSpec::type).toArray(ColumnType[]::new);
    }

    void header(Dataset dataset) throws IOException {
        out.write(OP);
        for (ColumnSpec column : dataset.csvColumns()) {
            out.write(delimiter);
            field(column.name());
        }
        out.write("\r\n");
    }

    /** The current row: its operation, then result columns 1..n as the CSV columns. */
    void row(String op, ResultSet row) throws IOException, SQLException {
        out.write(op);
        for (int i = 0; i < types.length; i++) {
            out.write(delimiter);
            String text = text(row, i + 1, types[i]);
            if (text == null) {
                out.write(nullToken);
            } else {
                field(text);
            }
        }
        out.write("\r\n");
    }

    private void field(String text) throws IOException {
        if (!needsQuotes(text)) {
            out.write(text);
            return;
        }
        out.write('"');
        out.write(text.replace("\"", "\"\""));
        out.write('"');
    }

    private boolean needsQuotes(String text) {
        if (text.isEmpty() || text.equals(nullToken)) {
            return true;
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == delimiter || c == '"' || c == '\n' || c == '\r') {
                return true;
            }
        }
        return false;
    }

    private static String text(ResultSet row, int index, ColumnType type) throws SQLException {
        String text = switch (type.kind()) {
            case STRING -> row.getString(index);
            case INT -> Integer.toString(row.getInt(index));
            case LONG -> Long.toString(row.getLong(index));
            case DOUBLE -> Double.toString(row.getDouble(index));
            case BOOLEAN -> row.getBoolean(index) ? "true" : "false";
            case DECIMAL -> {
                BigDecimal value = row.getBigDecimal(index);
                yield value == null ? null : value.toPlainString();
            }
            case DATE -> {
                LocalDate value = row.getObject(index, LocalDate.class);
                yield value == null ? null : value.toString();
            }
            case TIMESTAMP -> {
                LocalDateTime value = row.getObject(index, LocalDateTime.class);
                yield value == null ? null : DateTimeFormatter.ISO_LOCAL_DATE_TIME.format(value);
            }
        };
        return row.wasNull() ? null : text;
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
