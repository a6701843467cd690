package io.tarn.local.adapters;

import static java.util.Objects.requireNonNull;

import io.tarn.catalog.CatalogColumn;
import io.tarn.catalog.Partition;
import io.tarn.catalog.TableDefinition;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Athena on the local lake: DuckDB over the staging tables, where each table is a view over the
 * files of its registered partitions only. With an account, only that account's partitions are
 * in the views, and DuckDB is then locked down (no file access but those files, configuration
 * locked), so a query cannot reach another tenant's data by naming its files either.
 */
public final class LocalQuery {

    private final LocalCatalog catalog;
    private final Path stagingRoot;
    private final String stagingBucket;

    /**
     * @param stagingRoot the folder holding the staging bucket's objects as files
     */
    public LocalQuery(LocalCatalog catalog, Path stagingRoot, String stagingBucket) {
        this.catalog = requireNonNull(catalog, "catalog is null");
        this.stagingRoot = requireNonNull(stagingRoot, "stagingRoot is null");
        this.stagingBucket = requireNonNull(stagingBucket, "stagingBucket is null");
    }

    /** Runs one SQL statement and prints its result as CSV with a header. */
    public void run(String sql, Optional<String> account, PrintStream out) throws SQLException {
        try (Connection connection = open(account); Statement statement = connection.createStatement()) {
            boolean hasResult = statement.execute(sql);
            if (hasResult) {
                try (ResultSet rows = statement.getResultSet()) {
                    printCsv(rows, out);
                }
            }
        }
    }

    /** A DuckDB connection with one view per staging table. */
    public Connection open(Optional<String> account) throws SQLException {
        Connection connection = DriverManager.getConnection("jdbc:duckdb:");
        try (Statement statement = connection.createStatement()) {
            statement.execute("SET TimeZone = 'UTC'");
            List<String> allowed = new ArrayList<>();
            for (String name : catalog.tableNames()) {
                TableDefinition table = catalog.table(name).orElseThrow();
                allowed.addAll(createView(connection, table, account));
            }
            if (account.isPresent()) {
                statement.execute("SET allowed_paths = " + sqlList(allowed));
                statement.execute("SET enable_external_access = false");
                statement.execute("SET lock_configuration = true");
            }
        } catch (SQLException | RuntimeException e) {
            connection.close();
            throw e;
        }
        return connection;
    }

    private List<String> createView(Connection connection, TableDefinition table, Optional<String> account)
            throws SQLException {
        String mapTable = "\"__partitions_" + table.name() + "\"";
        List<String> files = new ArrayList<>();
        try (Statement statement = connection.createStatement()) {
            StringBuilder mapColumns = new StringBuilder("file VARCHAR");
            for (CatalogColumn key : table.partitionKeys()) {
                mapColumns.append(", ").append(quote(key.name())).append(" VARCHAR");
            }
            statement.execute("CREATE TEMP TABLE " + mapTable + " (" + mapColumns + ")");
        }
        String placeholders = "?" + ", ?".repeat(table.partitionKeys().size());
        try (PreparedStatement insert = connection.prepareStatement(
                "INSERT INTO " + mapTable + " VALUES (" + placeholders + ")")) {
            for (Partition partition : catalog.partitions(table.name())) {
                if (account.isPresent() && !account.get().equals(partition.values().get(0))) {
                    continue;
                }
                for (String file : partitionFiles(partition)) {
                    insert.setString(1, file);
                    for (int i = 0; i < partition.values().size(); i++) {
                        insert.setString(i + 2, partition.values().get(i));
                    }
                    insert.addBatch();
                    files.add(file);
                }
            }
            insert.executeBatch();
        }
        StringBuilder select = new StringBuilder();
        for (CatalogColumn column : table.columns()) {
            select.append(select.length() == 0 ? "" : ", ")
                    .append("CAST(d.").append(quote(column.name())).append(" AS ").append(duckType(column.type()))
                    .append(") AS ").append(quote(column.name()));
        }
        for (CatalogColumn key : table.partitionKeys()) {
            select.append(", p.").append(quote(key.name()));
        }
        String view;
        if (files.isEmpty()) {
            StringBuilder empty = new StringBuilder();
            for (CatalogColumn column : table.columns()) {
                empty.append(empty.length() == 0 ? "" : ", ")
                        .append("CAST(NULL AS ").append(duckType(column.type())).append(") AS ").append(quote(column.name()));
            }
            for (CatalogColumn key : table.partitionKeys()) {
                empty.append(", CAST(NULL AS VARCHAR) AS ").append(quote(key.name()));
            }
            view = "SELECT " + empty + " WHERE false";
        } else {
            view = "SELECT " + select + " FROM read_parquet(" + sqlList(files) + ", filename = true) d JOIN "
                    + mapTable + " p ON d.filename = p.file";
        }
        try (Statement statement = connection.createStatement()) {
            statement.execute("CREATE TEMP VIEW " + quote(table.name()) + " AS " + view);
        }
        return files;
    }

    private List<String> partitionFiles(Partition partition) {
        String prefix = "s3://" + stagingBucket + "/";
        if (!partition.location().startsWith(prefix)) {
            return List.of();
        }
        Path dir = stagingRoot.resolve(partition.location().substring(prefix.length()));
        if (!dir.normalize().startsWith(stagingRoot.normalize()) || !Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.filter(p -> p.getFileName().toString().endsWith(".parquet"))
                    .map(p -> p.toAbsolutePath().toString())
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new IllegalStateException("Cannot list partition folder " + dir + ": " + e.getMessage(), e);
        }
    }

    static String duckType(String catalogType) {
        String type = catalogType.toLowerCase(Locale.ROOT);
        if (type.startsWith("decimal")) {
            return type.toUpperCase(Locale.ROOT);
        }
        return switch (type) {
            case "string" -> "VARCHAR";
            case "int" -> "INTEGER";
            case "bigint" -> "BIGINT";
            case "double" -> "DOUBLE";
            case "boolean" -> "BOOLEAN";
            case "date" -> "DATE";
            case "timestamp" -> "TIMESTAMP";
            default -> "VARCHAR";
        };
    }

    /**
     * A value as {@code tarn sql} and {@code tarn query} print it: binaries (a rowversion) as SQL
     * Server shows them, {@code 0x} and upper-case hex, not as a Java array's identity.
     */
    private static String text(Object value) {
        if (value == null) {
            return "";
        }
        if (value instanceof byte[] bytes) {
            return "0x" + HexFormat.of().withUpperCase().formatHex(bytes);
        }
        return value.toString();
    }

    public static void printCsv(ResultSet rows, PrintStream out) throws SQLException {
        ResultSetMetaData meta = rows.getMetaData();
        int columns = meta.getColumnCount();
        StringBuilder line = new StringBuilder();
        for (int i = 1; i <= columns; i++) {
            line.append(i > 1 ? "," : "").append(csv(meta.getColumnLabel(i)));
        }
        out.println(line);
        while (rows.next()) {
            line.setLength(0);
            for (int i = 1; i <= columns; i++) {
                line.append(i > 1 ? "," : "").append(csv(text(rows.getObject(i))));
            }
            out.println(line);
        }
    }

    private static String csv(String value) {
        if (value.indexOf(',') < 0 && value.indexOf('"') < 0 && value.indexOf('\n') < 0 && value.indexOf('\r') < 0) {
            return value;
        }
        return "\"" + value.replace("\"", "\"\"") + "\"";
    }

    private static String quote(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }

    private static String sqlList(List<String> values) {
        StringBuilder list = new StringBuilder("[");
        for (String value : values) {
            list.append(list.length() == 1 ? "" : ", ").append("'").append(value.replace("'", "''")).append("'");
        }
        return list.append("]").toString();
    }
}
