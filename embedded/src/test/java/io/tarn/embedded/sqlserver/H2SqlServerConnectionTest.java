package io.tarn.embedded.sqlserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.SQLSyntaxErrorException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * SQL Server's change tracking statements, as the poller sends them, run on H2 through the stand-in:
 * CHANGETABLE answers from the emulation's change log with SQL Server's columns and operations,
 * forms it does not emulate fail naming what, and the rest of a statement reaches H2 as written.
 */
class H2SqlServerConnectionTest {

    private static final AtomicInteger NAMES = new AtomicInteger();
    // ChangeTrackingDialect's changes page for dbo.accounts keyed by account_id, as sent to Azure SQL.
    private static final String CHANGES_PAGE = "SELECT TOP (?) [ct].[account_id], [t].[name],"
            + " [ct].[SYS_CHANGE_OPERATION], [ct].[SYS_CHANGE_VERSION]"
            + " FROM CHANGETABLE(CHANGES [dbo].[accounts], ?) AS [ct]"
            + " LEFT JOIN [dbo].[accounts] AS [t] ON [t].[account_id] = [ct].[account_id]"
            + " WHERE [ct].[SYS_CHANGE_VERSION] <= ? ORDER BY [ct].[account_id]";

    private String url;
    private Connection admin;
    private Connection sqlServer;

    @BeforeEach
    void trackedAccounts() throws SQLException {
        url = "jdbc:h2:mem:sqlserver" + NAMES.incrementAndGet() + ";MODE=MSSQLServer;DATABASE_TO_LOWER=TRUE";
        admin = DriverManager.getConnection(url);
        H2SqlServerEmulation.install(admin);
        execute("CREATE TABLE dbo.accounts (account_id VARCHAR(64) PRIMARY KEY, name VARCHAR(100))");
        H2SqlServerEmulation.enableChangeTracking(admin, "dbo.accounts", "account_id");
        sqlServer = H2SqlServerConnection.wrap(DriverManager.getConnection(url));
    }

    @AfterEach
    void close() throws SQLException {
        sqlServer.close();
        admin.close();
    }

    private void execute(String sql) throws SQLException {
        try (Statement statement = admin.createStatement()) {
            statement.execute(sql);
        }
    }

    private long insert(String id, String name) throws SQLException {
        execute("INSERT INTO dbo.accounts VALUES ('" + id + "', '" + name + "')");
        return H2SqlServerEmulation.recordChange(admin, "dbo.accounts", 'I', id);
    }

    private long rename(String id, String name) throws SQLException {
        execute("UPDATE dbo.accounts SET name = '" + name + "' WHERE account_id = '" + id + "'");
        return H2SqlServerEmulation.recordChange(admin, "dbo.accounts", 'U', id);
    }

    private long delete(String id) throws SQLException {
        execute("DELETE FROM dbo.accounts WHERE account_id = '" + id + "'");
        return H2SqlServerEmulation.recordChange(admin, "dbo.accounts", 'D', id);
    }

    /** The rows of {@code sql} on the stand-in, each as its columns joined by '|'. */
    private List<String> rows(String sql, Object... parameters) throws SQLException {
        try (PreparedStatement statement = sqlServer.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                statement.setObject(i + 1, parameters[i]);
            }
            try (ResultSet result = statement.executeQuery()) {
                int columns = result.getMetaData().getColumnCount();
                List<String> rows = new ArrayList<>();
                while (result.next()) {
                    List<String> values = new ArrayList<>();
                    for (int i = 1; i <= columns; i++) {
                        values.add(String.valueOf(result.getObject(i)));
                    }
                    rows.add(String.join("|", values));
                }
                return rows;
            }
        }
    }

    @Test
    void changesAfterAVersionCarryTheOperationRelativeToIt() throws SQLException {
        insert("acme", "Acme");
        long synced = insert("globex", "Globex");
        rename("globex", "Globex Corp");
        insert("hooli", "Hooli");
        rename("hooli", "Hooli 2"); // inserted after the sync: still an I
        delete("acme");
        long current = H2SqlServerEmulation.changeTrackingCurrentVersion(admin);

        assertThat(rows(CHANGES_PAGE, 10, synced, current)).containsExactly(
                "acme|null|D|" + current,
                "globex|Globex Corp|U|" + (synced + 1),
                "hooli|Hooli 2|I|" + (synced + 3));
        assertThat(rows(CHANGES_PAGE, 10, 0L, current)).containsExactly(
                "acme|null|D|" + current,
                "globex|Globex Corp|I|" + (synced + 1),
                "hooli|Hooli 2|I|" + (synced + 3));
    }

    @Test
    void changesAboveTheSyncVersionAndBeyondTopAreLeftOut() throws SQLException {
        insert("a", "v1");
        insert("b", "v1");
        long to = insert("c", "v1");
        insert("d", "v1");

        assertThat(rows(CHANGES_PAGE, 2, 0L, to)).containsExactly("a|v1|I|1", "b|v1|I|2");
        assertThat(rows(CHANGES_PAGE, 10, 0L, to)).containsExactly("a|v1|I|1", "b|v1|I|2", "c|v1|I|3");
        assertThat(rows(CHANGES_PAGE, 10, to, to)).isEmpty();
    }

    @Test
    void changetableHasSqlServersColumnsInItsOrder() throws SQLException {
        insert("acme", "Acme");

        try (PreparedStatement statement = sqlServer.prepareStatement("SELECT * FROM CHANGETABLE(CHANGES dbo.accounts, ?) AS c");
                ResultSet result = bind(statement, 0L).executeQuery()) {
            ResultSetMetaData columns = result.getMetaData();
            List<String> names = new ArrayList<>();
            for (int i = 1; i <= columns.getColumnCount(); i++) {
                names.add(columns.getColumnLabel(i));
            }
            assertThat(names).containsExactly("SYS_CHANGE_VERSION", "SYS_CHANGE_CREATION_VERSION", "SYS_CHANGE_OPERATION",
                    "SYS_CHANGE_COLUMNS", "SYS_CHANGE_CONTEXT", "account_id");
            assertThat(result.next()).isTrue();
            assertThat(result.getLong("SYS_CHANGE_VERSION")).isEqualTo(1);
            assertThat(result.getLong("SYS_CHANGE_CREATION_VERSION")).isEqualTo(1);
            assertThat(result.getString("SYS_CHANGE_OPERATION")).isEqualTo("I");
            assertThat(result.getBytes("SYS_CHANGE_COLUMNS")).isNull();
            assertThat(result.getBytes("SYS_CHANGE_CONTEXT")).isNull();
            assertThat(result.getString("account_id")).isEqualTo("acme");
        }
    }

    private static PreparedStatement bind(PreparedStatement statement, Object... parameters) throws SQLException {
        for (int i = 0; i < parameters.length; i++) {
            statement.setObject(i + 1, parameters[i]);
        }
        return statement;
    }

    @Test
    void theAliasMayComeWithoutAsAndWithColumnAliasesAndTheVersionAsALiteral() throws SQLException {
        insert("acme", "Acme");
        insert("globex", "Globex");

        assertThat(rows("SELECT c.k, c.op FROM CHANGETABLE(CHANGES [accounts], 1) c (v, cv, op, cols, ctx, k)"))
                .containsExactly("globex|I");
        assertThat(rows("SELECT [ct].[account_id] FROM changetable(changes [dbo].[accounts], NULL) AS [ct]"
                + " ORDER BY [ct].[account_id]")).containsExactly("acme", "globex");
    }

    @Test
    void aCompositeKeyComesOutInTheOrderChangeTrackingWasEnabledWith() throws SQLException {
        execute("CREATE TABLE dbo.regions (region VARCHAR(8), account_id VARCHAR(64), name VARCHAR(100),"
                + " PRIMARY KEY (region, account_id))");
        H2SqlServerEmulation.enableChangeTracking(admin, "dbo.regions", "region", "account_id");
        execute("INSERT INTO dbo.regions VALUES ('eu', 'acme', 'Acme'), ('us', 'acme', 'Acme US')");
        H2SqlServerEmulation.recordChange(admin, "dbo.regions", 'I', "eu", "acme");
        H2SqlServerEmulation.recordChange(admin, "dbo.regions", 'I', "us", "acme");

        assertThat(rows("SELECT TOP (?) [ct].[region], [ct].[account_id], [t].[name], [ct].[SYS_CHANGE_OPERATION]"
                + " FROM CHANGETABLE(CHANGES [dbo].[regions], ?) AS [ct] LEFT JOIN [dbo].[regions] AS [t]"
                + " ON [t].[region] = [ct].[region] AND [t].[account_id] = [ct].[account_id]"
                + " WHERE [ct].[SYS_CHANGE_VERSION] <= ? AND ([ct].[region] > ? OR ([ct].[region] = ? AND [ct].[account_id] > ?))"
                + " ORDER BY [ct].[region], [ct].[account_id]", 10, 0L, 9L, "eu", "eu", ""))
                .containsExactly("eu|acme|Acme|I", "us|acme|Acme US|I");
    }

    @Test
    void onlyTheChangetableCallIsRewrittenAndTheMarkersKeepTheirOrder() throws SQLException {
        String rewritten = H2SqlServerConnection.rewrite(admin, CHANGES_PAGE);

        assertThat(rewritten).isEqualTo("SELECT TOP (?) [ct].[account_id], [t].[name],"
                + " [ct].[SYS_CHANGE_OPERATION], [ct].[SYS_CHANGE_VERSION]"
                + " FROM (SELECT [log].[SYS_CHANGE_VERSION], [log].[SYS_CHANGE_CREATION_VERSION],"
                + " CAST(CASE WHEN [log].[SYS_CHANGE_OPERATION] = 'D' THEN 'D'"
                + " WHEN [log].[SYS_CHANGE_CREATION_VERSION] > [sync].[last_sync_version] THEN 'I' ELSE 'U' END AS NCHAR(1))"
                + " AS [SYS_CHANGE_OPERATION], CAST(NULL AS VARBINARY(4100)) AS [SYS_CHANGE_COLUMNS],"
                + " CAST(NULL AS VARBINARY(128)) AS [SYS_CHANGE_CONTEXT], [log].account_id"
                + " FROM [tarn_emulation].[ct_dbo_accounts] AS [log]"
                + " CROSS JOIN (VALUES (COALESCE(CAST(? AS BIGINT), 0))) AS [sync]([last_sync_version])"
                + " WHERE [log].[SYS_CHANGE_VERSION] > [sync].[last_sync_version]) AS [ct]"
                + " LEFT JOIN [dbo].[accounts] AS [t] ON [t].[account_id] = [ct].[account_id]"
                + " WHERE [ct].[SYS_CHANGE_VERSION] <= ? ORDER BY [ct].[account_id]");
        assertThat(rewritten.chars().filter(c -> c == '?').count()).isEqualTo(3);
    }

    @Test
    void statementsWithoutAChangetableCallReachH2AsWritten() throws SQLException {
        String[] untouched = {
            "SELECT CHANGE_TRACKING_MIN_VALID_VERSION(OBJECT_ID(?)), CHANGE_TRACKING_CURRENT_VERSION()",
            "SET TRANSACTION ISOLATION LEVEL SNAPSHOT",
            "SELECT 'CHANGETABLE(VERSION x)' AS [CHANGETABLE] -- CHANGETABLE(\n FROM /* CHANGETABLE( /* nested */ */ t",
            "SELECT changetable FROM t",
        };
        for (String sql : untouched) {
            assertThat(H2SqlServerConnection.rewrite(admin, sql)).isEqualTo(sql);
        }
    }

    @Test
    void formsTheStandInDoesNotEmulateFailNamingWhat() {
        assertThatThrownBy(() -> sqlServer.prepareStatement("SELECT * FROM CHANGETABLE(VERSION [dbo].[accounts],"
                + " ([account_id]), ('acme')) AS [ct]"))
                .isInstanceOf(SQLFeatureNotSupportedException.class)
                .hasMessageStartingWith("CHANGETABLE(VERSION ...) is not emulated, only CHANGETABLE(CHANGES ...): SELECT");
        assertThatThrownBy(() -> sqlServer.prepareStatement("SELECT * FROM CHANGETABLE(CHANGES [dbo].[accounts], ?, FORCESEEK) AS [ct]"))
                .isInstanceOf(SQLFeatureNotSupportedException.class)
                .hasMessageStartingWith("CHANGETABLE's FORCESEEK is not emulated: ");
        assertThatThrownBy(() -> sqlServer.prepareStatement("SELECT * FROM CHANGETABLE(CHANGES [sales].[dbo].[accounts], ?) AS [ct]"))
                .isInstanceOf(SQLFeatureNotSupportedException.class)
                .hasMessageStartingWith("CHANGETABLE on a 3-part name is not emulated, only schema.table or table: ");
        assertThatThrownBy(() -> sqlServer.prepareStatement("SELECT * FROM CHANGETABLE(CHANGES [dbo].[accounts], ? + 1) AS [ct]"))
                .isInstanceOf(SQLSyntaxErrorException.class)
                .hasMessageStartingWith("last_sync_version must be a ?, an integer or NULL, followed by ')': ");
        assertThatThrownBy(() -> sqlServer.prepareStatement("SELECT * FROM CHANGETABLE(CHANGES [dbo].[accounts], @v + 1) AS [ct]"))
                .isInstanceOf(SQLSyntaxErrorException.class)
                .hasMessageStartingWith("last_sync_version must be a ?, an integer or NULL, not an expression starting '@v': ");
        assertThatThrownBy(() -> sqlServer.prepareStatement("SELECT * FROM CHANGETABLE(CHANGES [dbo].[accounts], ?) WHERE 1 = 1"))
                .isInstanceOf(SQLSyntaxErrorException.class)
                .hasMessageStartingWith("CHANGETABLE(...) must be followed by [AS] table_alias: ");
        assertThatThrownBy(() -> sqlServer.prepareStatement("SELECT * FROM CHANGETABLE(CHANGES [dbo].[invoices], ?) AS [ct]"))
                .isInstanceOf(SQLException.class)
                .hasMessage("change tracking is not enabled on dbo.invoices: call H2SqlServerEmulation.enableChangeTracking");
    }

    @Test
    void statementsCreatedOnTheConnectionAreRewrittenTooAndNameIt() throws SQLException {
        insert("acme", "Acme");

        try (Statement statement = sqlServer.createStatement();
                ResultSet result = statement.executeQuery("SELECT [ct].[account_id] FROM CHANGETABLE(CHANGES dbo.accounts, 0) AS [ct]")) {
            assertThat(result.next()).isTrue();
            assertThat(result.getString(1)).isEqualTo("acme");
            assertThat(statement.getConnection()).isSameAs(sqlServer);
        }
        try (PreparedStatement statement = sqlServer.prepareStatement("SELECT 1")) {
            assertThat(statement.getConnection()).isSameAs(sqlServer);
        }
    }

    @Test
    void snapshotIsolationKeepsATransactionsReadsAsOfItsFirst() throws SQLException {
        insert("acme", "Acme");
        try (PreparedStatement isolation = sqlServer.prepareStatement("SET TRANSACTION ISOLATION LEVEL SNAPSHOT")) {
            isolation.execute();
        }
        sqlServer.setAutoCommit(false);

        List<String> first = rows("SELECT [account_id] FROM [dbo].[accounts] ORDER BY [account_id]");
        insert("globex", "Globex"); // committed by another session meanwhile
        List<String> again = rows("SELECT [account_id] FROM [dbo].[accounts] ORDER BY [account_id]");
        sqlServer.commit();
        List<String> next = rows("SELECT [account_id] FROM [dbo].[accounts] ORDER BY [account_id]");

        assertThat(first).containsExactly("acme");
        assertThat(again).containsExactly("acme");
        assertThat(next).containsExactly("acme", "globex");
    }
}
