package io.tarn.local.adapters;

import static java.util.Objects.requireNonNull;

import io.tarn.embedded.sqlserver.H2SqlServerConnection;
import io.tarn.embedded.sqlserver.H2SqlServerEmulation;
import io.tarn.poll.ConnectionFactory;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Azure SQL on the local lake: an H2 database in MS SQL Server mode under {@code DIR/azuresql},
 * seeded on first use with the {@code dbo.accounts} and {@code dbo.invoices} tables of
 * pipeline.yaml and a few rows each.
 *
 * <p>H2 has no {@code rowversion}: {@code dbo.accounts.rv} and {@code MIN_ACTIVE_ROWVERSION()} come
 * from {@link H2SqlServerEmulation}, the emulation the poller's tests use too, and connections
 * come from {@link H2SqlServerConnection}, so that they take the poller's SQL Server statements
 * (CHANGETABLE among them) as it sends them to Azure SQL.
 */
public final class LocalAzureSql {

    /** User of the local database; it has no password. */
    public static final String USER = "sa";

    // "rv\s": a text block strips trailing spaces, and a plain "rv " made "rvBINARY(8)".
    private static final String[] TABLES = {
        """
        CREATE TABLE dbo.accounts (
            account_id NVARCHAR(64) NOT NULL PRIMARY KEY,
            name NVARCHAR(200),
            plan NVARCHAR(32),
            region NVARCHAR(32),
            created_at DATETIME2,
            updated_at DATETIME2 NOT NULL,
            rv\s""" + H2SqlServerEmulation.ROWVERSION_TYPE + """
        )""",
        """
        CREATE TABLE dbo.invoices (
            invoice_id BIGINT NOT NULL PRIMARY KEY,
            account_id NVARCHAR(64) NOT NULL,
            amount DECIMAL(14, 2) NOT NULL,
            currency NCHAR(3),
            issued_on DATE NOT NULL,
            paid BIT,
            updated_at DATETIME2 NOT NULL
        )""",
    };

    // The same rows as samples/azuresql, so a poll and an ingest of the samples agree.
    private static final String[] SAMPLE_ROWS = {
        """
        INSERT INTO dbo.accounts (account_id, name, plan, region, created_at, updated_at) VALUES
            ('acme', 'Acme Corp', 'enterprise', 'eu-west-1', '2023-01-10 09:00:00', '2024-05-01 10:00:00'),
            ('globex', 'Globex', 'growth', 'us-east-1', '2023-03-15 12:30:00', '2024-05-02 11:00:00'),
            ('initech', 'Initech', 'starter', 'eu-west-2', '2023-07-01 08:00:00', '2024-05-03 12:00:00')""",
        """
        INSERT INTO dbo.invoices (invoice_id, account_id, amount, currency, issued_on, paid, updated_at) VALUES
            (9001, 'acme', 195.50, 'EUR', '2024-05-31', 1, '2024-05-31 18:00:00'),
            (9002, 'globex', 2014.99, 'USD', '2024-05-31', 0, '2024-05-31 18:00:00'),
            (9003, 'initech', 42.00, 'GBP', '2024-05-31', 1, '2024-05-31 18:00:00')""",
    };

    private LocalAzureSql() {}

    /** The H2 URL of the database under {@code DIR/azuresql}. */
    public static String url(Path dir) {
        requireNonNull(dir, "dir is null");
        // DATABASE_TO_LOWER as H2 recommends for this mode: unquoted dbo.accounts and quoted
        // "dbo"."accounts" or [dbo].[accounts] then name the same table.
        return "jdbc:h2:file:" + dir.resolve("azuresql").resolve("source").toAbsolutePath()
                + ";MODE=MSSQLServer;DATABASE_TO_LOWER=TRUE";
    }

    /** Connections to the local database, created and seeded now if it is not yet. */
    public static ConnectionFactory open(Path dir) throws SQLException {
        String url = url(dir);
        ConnectionFactory connections = () -> H2SqlServerConnection.open(url, USER, "");
        seedIfNew(connections);
        return connections;
    }

    private static void seedIfNew(ConnectionFactory connections) throws SQLException {
        try (Connection connection = connections.open()) {
            // On a database seeded before too: H2 keeps a function by its class's name, and the
            // emulation's class has moved since some databases were made.
            H2SqlServerEmulation.install(connection);
            try (ResultSet tables = connection.getMetaData().getTables(null, "dbo", "accounts", null)) {
                if (tables.next()) {
                    return;
                }
            }
            createTables(connection);
            execute(connection, SAMPLE_ROWS);
        }
    }

    /**
     * Creates {@code dbo.accounts} and {@code dbo.invoices} as pipeline.yaml describes them, with
     * the rowversion emulation, empty: the seed fills them with the samples, the poller benchmark
     * with its million rows.
     */
    public static void createTables(Connection connection) throws SQLException {
        H2SqlServerEmulation.install(connection);
        execute(connection, TABLES);
    }

    private static void execute(Connection connection, String[] statements) throws SQLException {
        try (Statement sql = connection.createStatement()) {
            for (String statement : statements) {
                sql.execute(statement);
            }
        }
    }
}
