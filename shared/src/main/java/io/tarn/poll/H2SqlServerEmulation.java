package io.tarn.poll;

import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * What an H2 database in MS SQL Server mode lacks for the rowversion strategy, emulated: a
 * database-wide rowversion counter (a sequence), a column type fed by it on insert and on every
 * update, and {@code MIN_ACTIVE_ROWVERSION()}. Tests and the local {@code tarn poll} use it; it needs
 * no H2 class, only SQL, so it lives beside the poller.
 *
 * <p>As in SQL Server, a value is taken when a row is written, not when its transaction commits,
 * and {@code MIN_ACTIVE_ROWVERSION()} is the next value to be given out unless an open transaction
 * holds a lower one. H2 cannot tell which values open transactions hold, so whoever opens such a
 * transaction says so with {@link #holdInFlight} and {@link #releaseInFlight}.
 */
public final class H2SqlServerEmulation {

    /** Schema of the emulation's own objects. */
    public static final String SCHEMA = "tarn_emulation";

    /**
     * The column type of a rowversion column: {@code [rv] } + this in a {@code CREATE TABLE}.
     * Values are 8-byte big-endian binaries, compared and ordered as SQL Server's.
     */
    public static final String ROWVERSION_TYPE = "BINARY(8) NOT NULL"
            + " DEFAULT CAST(NEXT VALUE FOR " + SCHEMA + ".rowversion AS BINARY(8))"
            + " ON UPDATE CAST(NEXT VALUE FOR " + SCHEMA + ".rowversion AS BINARY(8))";

    private H2SqlServerEmulation() {}

    /** Creates schema {@code dbo}, the counter, the in-flight table and the function; idempotent. */
    public static void install(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute("CREATE SCHEMA IF NOT EXISTS dbo");
            statement.execute("CREATE SCHEMA IF NOT EXISTS " + SCHEMA);
            // NO CACHE: the counter's next value is what MIN_ACTIVE_ROWVERSION() reports.
            statement.execute("CREATE SEQUENCE IF NOT EXISTS " + SCHEMA + ".rowversion START WITH 1 NO CACHE");
            statement.execute("CREATE TABLE IF NOT EXISTS " + SCHEMA + ".in_flight (rv BINARY(8) PRIMARY KEY)");
            statement.execute("CREATE ALIAS IF NOT EXISTS MIN_ACTIVE_ROWVERSION FOR \""
                    + H2SqlServerEmulation.class.getName() + ".minActiveRowversion\"");
        }
    }

    /**
     * Declares that an open transaction holds {@code rowversion}: until released,
     * {@code MIN_ACTIVE_ROWVERSION()} is at most it. Call it on a connection other than the
     * transaction's (in auto-commit), so the declaration is visible at once.
     */
    public static void holdInFlight(Connection connection, byte[] rowversion) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(
                "MERGE INTO " + SCHEMA + ".in_flight (rv) KEY (rv) VALUES (?)")) {
            statement.setBytes(1, rowversion);
            statement.executeUpdate();
        }
    }

    /** The transaction holding {@code rowversion} committed or rolled back. */
    public static void releaseInFlight(Connection connection, byte[] rowversion) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(
                "DELETE FROM " + SCHEMA + ".in_flight WHERE rv = ?")) {
            statement.setBytes(1, rowversion);
            statement.executeUpdate();
        }
    }

    /** {@code MIN_ACTIVE_ROWVERSION()}: H2 calls it with the calling session's connection. */
    public static byte[] minActiveRowversion(Connection connection) throws SQLException {
        long next;
        try (Statement statement = connection.createStatement();
                ResultSet result = statement.executeQuery("SELECT BASE_VALUE FROM INFORMATION_SCHEMA.SEQUENCES"
                        + " WHERE LOWER(SEQUENCE_SCHEMA) = '" + SCHEMA + "' AND LOWER(SEQUENCE_NAME) = 'rowversion'")) {
            if (!result.next()) {
                throw new SQLException("the rowversion emulation is not installed: call H2SqlServerEmulation.install");
            }
            next = result.getLong(1);
        }
        byte[] upper = ByteBuffer.allocate(Long.BYTES).putLong(next).array();
        try (Statement statement = connection.createStatement();
                ResultSet result = statement.executeQuery("SELECT MIN(rv) FROM " + SCHEMA + ".in_flight")) {
            if (result.next()) {
                byte[] held = result.getBytes(1);
                if (held != null && ByteBuffer.wrap(held).getLong() < next) {
                    upper = held;
                }
            }
        }
        return upper;
    }

    /** A rowversion as its 8 bytes (tests and the local command write them). */
    public static byte[] rowversion(long value) {
        return ByteBuffer.allocate(Long.BYTES).putLong(value).array();
    }
}
