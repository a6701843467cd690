package io.tarn.poll;

import static java.util.Objects.requireNonNull;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * A {@code rowversion} cursor. rowversion is assigned when a row is written, not when its
 * transaction commits, so a row with a lower value can become visible after higher ones: the poll
 * reads only below {@code MIN_ACTIVE_ROWVERSION()}, captured before the first page, which is the
 * lowest value any open transaction holds. Values are unique, so the cursor alone orders rows.
 *
 * <p>A position is the last row's rowversion as 16 lower-case hex digits (big-endian, as SQL
 * Server's {@code binary(8)}), which sorts as the values do.
 */
final class RowversionStrategy implements PollStrategy {

    static final String NAME = "rowversion";
    private static final Pattern POSITION = Pattern.compile("[0-9a-f]{16}");
    private static final HexFormat HEX = HexFormat.of();

    private final SqlServerDialect dialect;
    private final int cursorIndex;

    RowversionStrategy(SqlServerDialect dialect) {
        this.dialect = requireNonNull(dialect, "dialect is null");
        this.cursorIndex = dialect.cursorIndex();
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String initialPosition() {
        return "0000000000000000";
    }

    @Override
    public UpperBound upperBound(Connection connection, Instant now) throws SQLException {
        try (PreparedStatement statement = dialect.minActiveRowversion().prepare(connection);
                ResultSet result = statement.executeQuery()) {
            if (!result.next()) {
                throw new SQLException("SELECT MIN_ACTIVE_ROWVERSION() returned no row");
            }
            byte[] upper = rowversion(result.getBytes(1), "MIN_ACTIVE_ROWVERSION()");
            return new UpperBound(upper, HEX.formatHex(upper));
        }
    }

    @Override
    public SqlQuery page(String position, UpperBound upper, int pageSize) {
        if (!POSITION.matcher(position).matches()) {
            throw new IllegalArgumentException("not a rowversion position (16 hex digits): '" + position + "'");
        }
        return dialect.rowversionPage(pageSize, HEX.parseHex(position), (byte[]) upper.value());
    }

    @Override
    public String position(String start, UpperBound upper, ResultSet row) throws SQLException {
        return HEX.formatHex(rowversion(row.getBytes(cursorIndex), "the cursor column"));
    }

    @Override
    public String operation(String start, UpperBound upper, ResultSet row) {
        return "U";
    }

    private static byte[] rowversion(byte[] value, String what) throws SQLException {
        if (value == null || value.length != 8) {
            throw new SQLException(what + " is not an 8-byte rowversion: "
                    + (value == null ? "NULL" : value.length + " bytes"));
        }
        return value;
    }
}
