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
 * {@code _op} then the dataset's CSV columns in declared order, then one record per row; or a key
 * snapshot's page, the same without {@code _op} and with the primary key columns only. NULL is
 * the dataset's {@code null_token} unquoted (or an empty unquoted field when it has none); a value
 * that could be mistaken for it, or holds the delimiter, a quote or a line break, is quoted.
 * Timestamps are ISO-8601 without an offset (UTC), dates ISO-8601, decimals plain.
 */
final class RawCsvWriter implements Closeable {

    static final String OP = "_op";

    private final BufferedWriter out;
    private final char delimiter;
    private final String nullToken;
    private final List<ColumnSpec> columns;
    private final ColumnType[] types;
    private final boolean withOp;

    /** A page of changed rows. */
    RawCsvWriter(Writer out, Dataset dataset) {
        this(out, dataset, dataset.csvColumns(), true);
    }

    private RawCsvWriter(Writer out, Dataset dataset, List<ColumnSpec> columns, boolean withOp) {
        this.out = new BufferedWriter(out, 1 << 16);
        CsvFormat format = dataset.format();
        this.delimiter = format.delimiter();
        this.nullToken = format.nullToken().orElse("");
        this.columns = List.copyOf(columns);
        this.types = columns.stream().map(ColumnSpec::type).toArray(ColumnType[]::new);
        this.withOp = withOp;
    }

    /** A page of a key snapshot: the primary key columns, in key order. */
    static RawCsvWriter keys(Writer out, Dataset dataset) {
        return new RawCsvWriter(out, dataset, dataset.primaryKey().stream().map(dataset::column).toList(), false);
    }

    void header() throws IOException {
        if (withOp) {
            out.write(OP);
        }
        for (int i = 0; i < columns.size(); i++) {
            if (withOp || i > 0) {
                out.write(delimiter);
            }
            field(columns.get(i).name());
        }
        out.write("\r\n");
    }

    /** The current row of a key snapshot: result columns 1..n as the key columns. */
    void row(ResultSet row) throws IOException, SQLException {
        if (withOp) {
            throw new IllegalStateException("a page of changed rows needs each row's operation");
        }
        fields(row);
    }

    /** The current row: its operation, then result columns 1..n as the CSV columns. */
    void row(String op, ResultSet row) throws IOException, SQLException {
        if (!withOp) {
            throw new IllegalStateException("a key snapshot's page has no operation");
        }
        out.write(op);
        fields(row);
    }

    private void fields(ResultSet row) throws IOException, SQLException {
        for (int i = 0; i < types.length; i++) {
            if (withOp || i > 0) {
                out.write(delimiter);
            }
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
