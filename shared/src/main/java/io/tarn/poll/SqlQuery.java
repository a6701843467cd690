package io.tarn.poll;

import static java.util.Objects.requireNonNull;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * A statement and the values bound to its {@code ?} markers, in order. Values are never spliced
 * into the text: identifiers come from validated config, everything else is a parameter.
 */
public record SqlQuery(String sql, List<Object> parameters) {

    public SqlQuery {
        requireNonNull(sql, "sql is null");
        // Values may be byte arrays (rowversions), so List.copyOf's null check is not the point;
        // a null value is a bug in the strategy, though, so refuse it here too.
        parameters = Collections.unmodifiableList(new ArrayList<>(parameters));
        for (Object parameter : parameters) {
            requireNonNull(parameter, "a parameter of '" + sql + "' is null");
        }
    }

    public static SqlQuery of(String sql, Object... parameters) {
        return new SqlQuery(sql, Arrays.asList(parameters));
    }

    /** Prepares the statement on {@code connection} with every parameter bound. */
    public PreparedStatement prepare(Connection connection) throws SQLException {
        PreparedStatement statement = connection.prepareStatement(sql);
        try {
            for (int i = 0; i < parameters.size(); i++) {
                Object value = parameters.get(i);
                if (value instanceof byte[] bytes) {
                    statement.setBytes(i + 1, bytes);
                } else {
                    statement.setObject(i + 1, value);
                }
            }
            return statement;
        } catch (SQLException | RuntimeException e) {
            statement.close();
            throw e;
        }
    }
}
