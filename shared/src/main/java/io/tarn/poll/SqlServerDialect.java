package io.tarn.poll;

import static java.util.Objects.requireNonNull;

import io.tarn.pipeline.ColumnSpec;
import io.tarn.pipeline.Dataset;
import io.tarn.pipeline.PipelineConfigException;
import io.tarn.pipeline.PollSpec;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The SQL Server (Azure SQL) statements that poll one dataset's table. Table and column names come
 * from pipeline.yaml: each is checked against a strict pattern and bracket-quoted, so a name can
 * never end the identifier or the statement; every value is a bound parameter.
 *
 * <p>Select lists are the dataset's CSV columns in declared order, then the cursor column when it
 * is not one of them; {@link #cursorIndex()} and {@link #keyIndexes()} say where the position
 * columns are in a result row.
 */
public final class SqlServerDialect {

    /** Letters, digits and {@code _}, not starting with a digit; no quote, bracket, space or {@code ;}. */
    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");

    private final String table;
    private final List<String> selectList;
    private final String cursor;
    private final List<String> key;
    private final int cursorIndex;
    private final int[] keyIndexes;
    private final int csvColumnCount;

    private SqlServerDialect(Dataset dataset, String cursorColumn) {
        this.table = quoteTable(dataset);
        List<String> names = dataset.csvColumns().stream().map(ColumnSpec::name).toList();
        this.csvColumnCount = names.size();
        List<String> select = new ArrayList<>();
        for (String name : names) {
            select.add(quote(dataset, "columns", name));
        }
        int cursorAt = names.indexOf(cursorColumn);
        this.cursor = quote(dataset, "cursor_column", cursorColumn);
        if (cursorAt < 0) {
            select.add(cursor);
            cursorAt = select.size() - 1;
        }
        this.cursorIndex = cursorAt + 1;
        this.selectList = List.copyOf(select);
        this.key = dataset.primaryKey().stream().map(k -> quote(dataset, "primary_key", k)).toList();
        this.keyIndexes = keyIndexes(dataset, names);
    }

    /**
     * The dialect of a cursor-polled dataset; every identifier is validated here.
     *
     * @throws PipelineConfigException naming the dataset, the field and the identifier refused
     */
    public static SqlServerDialect forDataset(Dataset dataset) {
        requireNonNull(dataset, "dataset is null");
        PollSpec poll = dataset.poll().orElseThrow(() -> new PipelineConfigException(
                "dataset '" + dataset.name() + "' has no poll block"));
        String cursorColumn = poll.cursorColumn().orElseThrow(() -> new PipelineConfigException(
                "dataset '" + dataset.name() + "': strategy " + poll.strategy().configName() + " needs a cursor_column"));
        return new SqlServerDialect(dataset, cursorColumn);
    }

    /** The bracket-quoted {@code [schema].[table]} of a dataset's {@code source_table}. */
    public static String quoteTable(Dataset dataset) {
        String[] parts = dataset.sourceTable().split("\\.", -1);
        if (parts.length != 2 || !IDENTIFIER.matcher(parts[0]).matches() || !IDENTIFIER.matcher(parts[1]).matches()) {
            throw new PipelineConfigException("dataset '" + dataset.name() + "': source_table '" + dataset.sourceTable()
                    + "' is not a safe SQL Server table name (schema.table, each of letters, digits and _,"
                    + " not starting with a digit)");
        }
        return "[" + parts[0] + "].[" + parts[1] + "]";
    }

    /**
     * 1-based indexes of the primary key columns among a page row's {@code names}, in key order; a
     * key column that is not a plain column of the table is a configuration error.
     */
    static int[] keyIndexes(Dataset dataset, List<String> names) {
        return dataset.primaryKey().stream().mapToInt(k -> {
            int at = names.indexOf(k);
            if (at < 0) {
                throw new PipelineConfigException("dataset '" + dataset.name() + "': primary_key column '" + k
                        + "' must be a plain column of the table to be polled");
            }
            return at + 1;
        }).toArray();
    }

    /** A bracket-quoted column name, refused unless it is a plain identifier. */
    public static String quote(Dataset dataset, String field, String name) {
        if (!IDENTIFIER.matcher(name).matches()) {
            throw new PipelineConfigException("dataset '" + dataset.name() + "': " + field + " '" + name
                    + "' is not a safe SQL Server identifier (letters, digits and _, not starting with a digit)");
        }
        return "[" + name + "]";
    }

    /** 1-based index of the cursor column in a page's result row. */
    public int cursorIndex() {
        return cursorIndex;
    }

    /** 1-based indexes of the primary key columns in a page's result row, in key order. */
    public int[] keyIndexes() {
        return keyIndexes.clone();
    }

    /** Number of columns of a page row that are CSV fields: the first ones. */
    public int csvColumnCount() {
        return csvColumnCount;
    }

    /** The upper bound of a rowversion poll: rows written by transactions still open are at or above it. */
    public SqlQuery minActiveRowversion() {
        return SqlQuery.of("SELECT MIN_ACTIVE_ROWVERSION()");
    }

    /**
     * A page of a rowversion table. rowversion values are unique, so the cursor alone is a keyset:
     * {@code rv > after AND rv < upper}.
     */
    public SqlQuery rowversionPage(int pageSize, byte[] after, byte[] upper) {
        return SqlQuery.of("SELECT TOP (?) " + String.join(", ", selectList) + " FROM " + table
                + " WHERE " + cursor + " > ? AND " + cursor + " < ? ORDER BY " + cursor, pageSize, after, upper);
    }

    /** The first page of a timestamp table: every row below the upper bound, in keyset order. */
    public SqlQuery timestampFirstPage(int pageSize, LocalDateTime upper) {
        return SqlQuery.of("SELECT TOP (?) " + String.join(", ", selectList) + " FROM " + table
                + " WHERE " + cursor + " < ? ORDER BY " + orderBy(), pageSize, upper);
    }

    /**
     * A further page of a timestamp table: rows after {@code (cursor, key...)} in the order
     * {@code cursor, key...}, below the upper bound. Timestamps tie, so the primary key breaks
     * ties; a composite key is compared lexicographically, written out as ORs because SQL Server
     * has no row-value comparison.
     */
    public SqlQuery timestampPage(int pageSize, LocalDateTime afterCursor, List<Object> afterKey, LocalDateTime upper) {
        if (afterKey.size() != key.size()) {
            throw new IllegalArgumentException("position has " + afterKey.size() + " key values, the table's key has " + key.size());
        }
        List<String> columns = new ArrayList<>();
        columns.add(cursor);
        columns.addAll(key);
        List<Object> values = new ArrayList<>();
        values.add(afterCursor);
        values.addAll(afterKey);
        List<Object> parameters = new ArrayList<>();
        parameters.add(pageSize);
        String after = after(columns, values, 0, parameters);
        parameters.add(upper);
        return new SqlQuery("SELECT TOP (?) " + String.join(", ", selectList) + " FROM " + table
                + " WHERE " + after + " AND " + cursor + " < ? ORDER BY " + orderBy(), parameters);
    }

    /**
     * A page of the table's primary keys, in key order, after {@code afterKey} when given: a key
     * snapshot's page. Keyset paging, so a row that exists while the snapshot runs is read once
     * whatever is written around it.
     */
    public SqlQuery keyPage(int pageSize, Optional<List<Object>> afterKey) {
        List<Object> parameters = new ArrayList<>();
        parameters.add(pageSize);
        String where = "";
        if (afterKey.isPresent()) {
            if (afterKey.get().size() != key.size()) {
                throw new IllegalArgumentException("position has " + afterKey.get().size() + " key values, the table's key has "
                        + key.size());
            }
            where = " WHERE " + after(key, afterKey.get(), 0, parameters);
        }
        return new SqlQuery("SELECT TOP (?) " + String.join(", ", key) + " FROM " + table + where
                + " ORDER BY " + String.join(", ", key), parameters);
    }

    /** {@code (c0 > ? OR (c0 = ? AND (c1 > ? OR (c1 = ? AND c2 > ?))))}, binding as it goes. */
    static String after(List<String> columns, List<Object> values, int i, List<Object> parameters) {
        parameters.add(values.get(i));
        if (i == columns.size() - 1) {
            return columns.get(i) + " > ?";
        }
        String greater = columns.get(i) + " > ?";
        parameters.add(values.get(i));
        String rest = after(columns, values, i + 1, parameters);
        return "(" + greater + " OR (" + columns.get(i) + " = ? AND " + rest + "))";
    }

    private String orderBy() {
        List<String> order = new ArrayList<>();
        order.add(cursor);
        order.addAll(key);
        return String.join(", ", order);
    }
}
