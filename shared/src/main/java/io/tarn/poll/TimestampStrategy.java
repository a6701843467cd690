package io.tarn.poll;

import static java.util.Objects.requireNonNull;

import io.tarn.pipeline.ColumnType;
import io.tarn.pipeline.Dataset;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@code datetime2} cursor (UTC). Timestamps tie, so pages are a keyset on the cursor and the
 * primary key; they are set when a row is written, so a transaction that commits late carries an
 * older value: the poll reads only below {@code now - lag}, leaving the last {@code lag} to a later
 * poll by which time such transactions have committed. A row updated again gets a new timestamp
 * and arrives again: raw holds every version seen, and staging keeps the latest per key.
 *
 * <p>A position is the last row's cursor and key values, {@code .}-separated
 * ({@code 20240531T120000-000000000.1004}); {@code 0}, before every timestamp, starts a table.
 */
final class TimestampStrategy implements PollStrategy {

    static final String NAME = "timestamp";
    static final String INITIAL = "0";

    private final SqlServerDialect dialect;
    private final Duration lag;
    private final int cursorIndex;
    private final int[] keyIndexes;
    private final ColumnType[] keyTypes;

    TimestampStrategy(Dataset dataset, SqlServerDialect dialect, Duration lag) {
        this.dialect = requireNonNull(dialect, "dialect is null");
        this.lag = requireNonNull(lag, "lag is null");
        this.cursorIndex = dialect.cursorIndex();
        this.keyIndexes = dialect.keyIndexes();
        this.keyTypes = dataset.primaryKey().stream().map(k -> dataset.column(k).type()).toArray(ColumnType[]::new);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String initialPosition() {
        return INITIAL;
    }

    @Override
    public UpperBound upperBound(Connection connection, Instant now) {
        LocalDateTime upper = LocalDateTime.ofInstant(now.minus(lag), ZoneOffset.UTC);
        return new UpperBound(upper, upper.toString());
    }

    @Override
    public SqlQuery page(String position, UpperBound upper, int pageSize) {
        LocalDateTime bound = (LocalDateTime) upper.value();
        if (position.equals(INITIAL)) {
            return dialect.timestampFirstPage(pageSize, bound);
        }
        String[] components = position.split("\\.", -1);
        if (components.length != keyTypes.length + 1) {
            throw new IllegalArgumentException("not a timestamp position of this table (cursor and "
                    + keyTypes.length + " key values): '" + position + "'");
        }
        List<Object> key = new ArrayList<>(keyTypes.length);
        for (int i = 0; i < keyTypes.length; i++) {
            key.add(PositionText.parseKeyValue(components[i + 1], keyTypes[i]));
        }
        return dialect.timestampPage(pageSize, PositionText.parseTimestamp(components[0]), key, bound);
    }

    @Override
    public String position(String start, UpperBound upper, ResultSet row) throws SQLException {
        LocalDateTime cursor = row.getObject(cursorIndex, LocalDateTime.class);
        if (cursor == null) {
            throw new SQLException("the cursor column is NULL");
        }
        StringBuilder position = new StringBuilder(PositionText.timestamp(cursor));
        for (int i = 0; i < keyIndexes.length; i++) {
            position.append('.').append(PositionText.keyValue(row, keyIndexes[i], keyTypes[i]));
        }
        return position.toString();
    }

    @Override
    public String operation(String start, UpperBound upper, ResultSet row) {
        return "U";
    }
}
