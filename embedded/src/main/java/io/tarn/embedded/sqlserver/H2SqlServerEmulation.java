package io.tarn.embedded.sqlserver;

import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * What an H2 database in MS SQL Server mode lacks for the poller's rowversion strategy, emulated: a
 * database-wide rowversion counter (a sequence), a column type fed by it on insert and on every
 * update, and {@code MIN_ACTIVE_ROWVERSION()}. The poller's tests and the local lake use it; the
 * poller itself only ever sends SQL Server's statements.
 *
 * <p>For the change_tracking strategy: a database-wide change version (a sequence),
 * {@code CHANGE_TRACKING_CURRENT_VERSION()}, {@code OBJECT_ID(name)} (the name itself) and
 * {@code CHANGE_TRACKING_MIN_VALID_VERSION(name)}, and per tracked table a change log keyed like
 * the table that holds what SQL Server's change tracking side table holds: each key's last change
 * version, the version it was inserted at and its last operation. A connection from
 * {@link H2SqlServerConnection} answers {@code CHANGETABLE(CHANGES ...)} from it. H2 has no SQL
 * triggers, so whoever changes a tracked table records the change with {@link #recordChange}, in
 * the same transaction.
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

    /**
     * Creates schema {@code dbo}, the counters, the emulation's tables and the functions; idempotent.
     * The functions are created anew each time, so a database made when this class lived elsewhere
     * (H2 stores an alias by class name) calls this one.
     */
    public static void install(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute("CREATE SCHEMA IF NOT EXISTS dbo");
            statement.execute("CREATE SCHEMA IF NOT EXISTS " + SCHEMA);
            // NO CACHE: the counter's next value is what MIN_ACTIVE_ROWVERSION() reports.
            statement.execute("CREATE SEQUENCE IF NOT EXISTS " + SCHEMA + ".rowversion START WITH 1 NO CACHE");
            statement.execute("CREATE TABLE IF NOT EXISTS " + SCHEMA + ".in_flight (rv BINARY(8) PRIMARY KEY)");
            statement.execute("CREATE SEQUENCE IF NOT EXISTS " + SCHEMA + ".change_version START WITH 1 NO CACHE");
            statement.execute("CREATE TABLE IF NOT EXISTS " + SCHEMA + ".tracked_tables (table_name VARCHAR(300) PRIMARY KEY,"
                    + " key_columns VARCHAR(1000) NOT NULL, min_valid BIGINT NOT NULL)");
            createFunction(statement, "MIN_ACTIVE_ROWVERSION", "minActiveRowversion");
            createFunction(statement, "OBJECT_ID", "objectId");
            createFunction(statement, "CHANGE_TRACKING_CURRENT_VERSION", "changeTrackingCurrentVersion");
            createFunction(statement, "CHANGE_TRACKING_MIN_VALID_VERSION", "changeTrackingMinValidVersion");
        }
    }

    private static void createFunction(Statement statement, String name, String method) throws SQLException {
        statement.execute("DROP ALIAS IF EXISTS " + name);
        statement.execute("CREATE ALIAS " + name + " FOR \"" + H2SqlServerEmulation.class.getName() + "." + method + "\"");
    }

    /** The change log table (in {@link #SCHEMA}) of a tracked {@code schema.table}. */
    public static String changeLogTable(String sourceTable) {
        return "ct_" + normalized(sourceTable).replace('.', '_');
    }

    /**
     * {@code ALTER TABLE ... ENABLE CHANGE_TRACKING}: creates the table's change log, keyed by
     * {@code keyColumns}; the minimum valid version is the current one, as in SQL Server.
     */
    public static void enableChangeTracking(Connection connection, String sourceTable, String... keyColumns)
            throws SQLException {
        String keys = String.join(", ", keyColumns);
        String log = SCHEMA + "." + changeLogTable(sourceTable);
        try (Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE " + log + " AS SELECT " + keys + " FROM " + sourceTable + " WITH NO DATA");
            statement.execute("ALTER TABLE " + log + " ADD COLUMN \"SYS_CHANGE_VERSION\" BIGINT NOT NULL");
            statement.execute("ALTER TABLE " + log + " ADD COLUMN \"SYS_CHANGE_CREATION_VERSION\" BIGINT NOT NULL");
            statement.execute("ALTER TABLE " + log + " ADD COLUMN \"SYS_CHANGE_OPERATION\" CHAR(1) NOT NULL");
            for (String column : keyColumns) {
                statement.execute("ALTER TABLE " + log + " ALTER COLUMN " + column + " SET NOT NULL");
            }
            statement.execute("ALTER TABLE " + log + " ADD PRIMARY KEY (" + keys + ")");
        }
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO " + SCHEMA + ".tracked_tables"
                + " (table_name, key_columns, min_valid) VALUES (?, ?, ?)")) {
            insert.setString(1, normalized(sourceTable));
            insert.setString(2, keys);
            insert.setLong(3, changeTrackingCurrentVersion(connection));
            insert.executeUpdate();
        }
    }

    /**
     * Records that the row with {@code key} of a tracked table was inserted ({@code I}), updated
     * ({@code U}) or deleted ({@code D}), at a new version; returns the version.
     */
    public static long recordChange(Connection connection, String sourceTable, char operation, Object... key)
            throws SQLException {
        if (operation != 'I' && operation != 'U' && operation != 'D') {
            throw new IllegalArgumentException("operation must be I, U or D, got " + operation);
        }
        String keys = trackedKeyColumns(connection, sourceTable);
        String log = SCHEMA + "." + changeLogTable(sourceTable);
        long version;
        try (Statement statement = connection.createStatement();
                ResultSet result = statement.executeQuery("SELECT NEXT VALUE FOR " + SCHEMA + ".change_version")) {
            result.next();
            version = result.getLong(1);
        }
        String[] keyColumns = keys.split(", ");
        if (keyColumns.length != key.length) {
            throw new IllegalArgumentException(sourceTable + " is keyed by " + keys + ", got " + key.length + " value(s)");
        }
        // A row inserted before tracking began was created at version 0: never after a sync's start.
        long created = 0;
        StringBuilder where = new StringBuilder();
        for (String column : keyColumns) {
            where.append(where.isEmpty() ? " WHERE " : " AND ").append(column).append(" = ?");
        }
        try (PreparedStatement select = connection.prepareStatement(
                "SELECT \"SYS_CHANGE_CREATION_VERSION\" FROM " + log + where)) {
            for (int i = 0; i < key.length; i++) {
                select.setObject(i + 1, key[i]);
            }
            try (ResultSet result = select.executeQuery()) {
                if (result.next()) {
                    created = result.getLong(1);
                }
            }
        }
        if (operation == 'I') {
            created = version;
        }
        try (PreparedStatement merge = connection.prepareStatement("MERGE INTO " + log + " (" + keys
                + ", \"SYS_CHANGE_VERSION\", \"SYS_CHANGE_CREATION_VERSION\", \"SYS_CHANGE_OPERATION\") KEY (" + keys
                + ") VALUES (" + "?, ".repeat(key.length) + "?, ?, ?)")) {
            for (int i = 0; i < key.length; i++) {
                merge.setObject(i + 1, key[i]);
            }
            merge.setLong(key.length + 1, version);
            merge.setLong(key.length + 2, created);
            merge.setString(key.length + 3, String.valueOf(operation));
            merge.executeUpdate();
        }
        return version;
    }

    /**
     * The retention cleanup: forgets the changes of a tracked table older than {@code minValid},
     * which becomes its {@code CHANGE_TRACKING_MIN_VALID_VERSION}.
     */
    public static void cleanUpChangeTracking(Connection connection, String sourceTable, long minValid) throws SQLException {
        trackedKeyColumns(connection, sourceTable);
        try (PreparedStatement delete = connection.prepareStatement("DELETE FROM " + SCHEMA + "."
                + changeLogTable(sourceTable) + " WHERE \"SYS_CHANGE_VERSION\" < ?");
                PreparedStatement update = connection.prepareStatement(
                        "UPDATE " + SCHEMA + ".tracked_tables SET min_valid = ? WHERE table_name = ?")) {
            delete.setLong(1, minValid);
            delete.executeUpdate();
            update.setLong(1, minValid);
            update.setString(2, normalized(sourceTable));
            update.executeUpdate();
        }
    }

    /** {@code OBJECT_ID(name)}: the emulation identifies a table by its name. */
    public static String objectId(String name) {
        return name;
    }

    /** {@code CHANGE_TRACKING_CURRENT_VERSION()}: the last version given out, 0 before any. */
    public static long changeTrackingCurrentVersion(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement();
                ResultSet result = statement.executeQuery("SELECT BASE_VALUE FROM INFORMATION_SCHEMA.SEQUENCES"
                        + " WHERE LOWER(SEQUENCE_SCHEMA) = '" + SCHEMA + "' AND LOWER(SEQUENCE_NAME) = 'change_version'")) {
            if (!result.next()) {
                throw new SQLException("the change tracking emulation is not installed: call H2SqlServerEmulation.install");
            }
            return result.getLong(1) - 1;
        }
    }

    /** {@code CHANGE_TRACKING_MIN_VALID_VERSION(OBJECT_ID(name))}: NULL for a table not tracked. */
    public static Long changeTrackingMinValidVersion(Connection connection, String name) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(
                "SELECT min_valid FROM " + SCHEMA + ".tracked_tables WHERE table_name = ?")) {
            select.setString(1, normalized(name));
            try (ResultSet result = select.executeQuery()) {
                return result.next() ? result.getLong(1) : null;
            }
        }
    }

    /** The key columns of a tracked {@code schema.table}, as {@link #enableChangeTracking} was given them. */
    static String trackedKeyColumns(Connection connection, String sourceTable) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(
                "SELECT key_columns FROM " + SCHEMA + ".tracked_tables WHERE table_name = ?")) {
            select.setString(1, normalized(sourceTable));
            try (ResultSet result = select.executeQuery()) {
                if (!result.next()) {
                    throw new SQLException("change tracking is not enabled on " + sourceTable
                            + ": call H2SqlServerEmulation.enableChangeTracking");
                }
                return result.getString(1);
            }
        }
    }

    /** {@code [dbo].[accounts]} or {@code dbo.accounts} as {@code dbo.accounts}. */
    private static String normalized(String table) {
        return table.replace("[", "").replace("]", "").toLowerCase(java.util.Locale.ROOT);
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
