package io.tarn.embedded.sqlserver;

import static java.util.Objects.requireNonNull;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Set;

/**
 * Connections to an H2 database in MS SQL Server mode with {@link H2SqlServerEmulation} installed
 * that take the poller's SQL Server statements as it sends them: tests and the local lake open
 * their connections here, so the Change Tracking SQL production sends is executed, not only
 * compared as text.
 *
 * <p>What H2 lacks is rewritten, exactly and narrowly, on its way to H2:
 * {@code CHANGETABLE(CHANGES <table_name>, <last_sync_version>)} becomes a read of the table's
 * change log with CHANGETABLE's columns (see {@link ChangeTableRewriter}, which fails on any other
 * form). Every other statement reaches H2 unchanged. Among them
 * {@code SET TRANSACTION ISOLATION LEVEL SNAPSHOT}: H2 (2.x, MVStore) has that statement and
 * level itself, and as in SQL Server it holds for the session, and a transaction's reads then see
 * the data as of its first read; so the poll's versions and pages agree here as they do on Azure
 * SQL. {@code MIN_ACTIVE_ROWVERSION()}, {@code OBJECT_ID(...)} and the CHANGE_TRACKING_ functions
 * are the emulation's H2 functions, called as SQL Server's are.
 */
public final class H2SqlServerConnection {

    // The Connection and Statement methods whose first argument is a statement's text.
    private static final Set<String> CONNECTION_SQL = Set.of("prepareStatement", "prepareCall", "nativeSQL");
    private static final Set<String> STATEMENT_SQL = Set.of("execute", "executeQuery", "executeUpdate",
            "executeLargeUpdate", "addBatch");

    private H2SqlServerConnection() {}

    /** Opens {@code url} (an H2 URL in MS SQL Server mode) through {@link #wrap}. */
    public static Connection open(String url, String user, String password) throws SQLException {
        requireNonNull(url, "url is null");
        return wrap(DriverManager.getConnection(url, user, password));
    }

    /** {@code h2}, taking SQL Server's statements; closing the result closes {@code h2}. */
    public static Connection wrap(Connection h2) {
        requireNonNull(h2, "h2 is null");
        return (Connection) Proxy.newProxyInstance(H2SqlServerConnection.class.getClassLoader(),
                new Class<?>[] {Connection.class}, new ConnectionHandler(h2));
    }

    /** The text H2 runs for a SQL Server statement sent on {@code h2}. */
    static String rewrite(Connection h2, String sql) throws SQLException {
        return ChangeTableRewriter.rewrite(sql, table -> H2SqlServerEmulation.trackedKeyColumns(h2, table));
    }

    private static final class ConnectionHandler implements InvocationHandler {
        private final Connection h2;

        ConnectionHandler(Connection h2) {
            this.h2 = h2;
        }

        @Override
        public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
            Object own = objectMethod(proxy, method, args, "SQL Server on " + h2);
            if (own != null) {
                return own;
            }
            Object[] sent = withRewrittenSql(CONNECTION_SQL, h2, method, args);
            Object result = call(h2, method, sent);
            if (result instanceof Statement statement) {
                return Proxy.newProxyInstance(H2SqlServerConnection.class.getClassLoader(),
                        new Class<?>[] {method.getReturnType()}, new StatementHandler(statement, (Connection) proxy, h2));
            }
            return result;
        }
    }

    /** A statement of the connection: text given to it is rewritten, and it names the wrapper as its connection. */
    private static final class StatementHandler implements InvocationHandler {
        private final Statement statement;
        private final Connection connection;
        private final Connection h2;

        StatementHandler(Statement statement, Connection connection, Connection h2) {
            this.statement = statement;
            this.connection = connection;
            this.h2 = h2;
        }

        @Override
        public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
            Object own = objectMethod(proxy, method, args, "SQL Server statement on " + statement);
            if (own != null) {
                return own;
            }
            if (method.getName().equals("getConnection") && method.getParameterCount() == 0) {
                return connection;
            }
            return call(statement, method, withRewrittenSql(STATEMENT_SQL, h2, method, args));
        }
    }

    private static Object[] withRewrittenSql(Set<String> methods, Connection h2, Method method, Object[] args)
            throws SQLException {
        if (!methods.contains(method.getName()) || args == null || args.length == 0 || !(args[0] instanceof String sql)) {
            return args;
        }
        Object[] rewritten = args.clone();
        rewritten[0] = rewrite(h2, sql);
        return rewritten;
    }

    /** equals, hashCode and toString of the proxy itself; null for any other method. */
    private static Object objectMethod(Object proxy, Method method, Object[] args, String text) {
        if (method.getDeclaringClass() != Object.class) {
            return null;
        }
        return switch (method.getName()) {
            case "equals" -> proxy == args[0];
            case "hashCode" -> System.identityHashCode(proxy);
            default -> text;
        };
    }

    private static Object call(Object target, Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
