package io.tarn.poll;

import static java.util.Objects.requireNonNull;

import io.tarn.pipeline.ColumnSpec;
import io.tarn.pipeline.Dataset;
import io.tarn.pipeline.PipelineConfigException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The statements of the change_tracking strategy, in SQL Server's syntax. Identifiers are validated
 * and bracket-quoted as in {@link SqlServerDialect}; every value is bound.
 *
 * <p>Page rows are the dataset's CSV columns in declared order (key columns taken from the change
 * row, so a delete still carries its key), then {@code SYS_CHANGE_OPERATION} and
 * {@code SYS_CHANGE_VERSION}; snapshot pages have the CSV columns only.
 */
public final class ChangeTrackingDialect {

    static final String OPERATION = "[SYS_CHANGE_OPERATION]";
    static final String VERSION = "[SYS_CHANGE_VERSION]";

    private final String table;
    private final List<String> columns;
    private final List<String> changeColumns;
    private final List<String> key;
    private final int[] keyIndexes;

    private ChangeTrackingDialect(Dataset dataset) {
        this.table = SqlServerDialect.quoteTable(dataset);
        List<String> names = dataset.csvColumns().stream().map(ColumnSpec::name).toList();
        this.columns = names.stream().map(n -> SqlServerDialect.quote(dataset, "columns", n)).toList();
        this.key = dataset.primaryKey().stream().map(k -> SqlServerDialect.quote(dataset, "primary_key", k)).toList();
        if (key.isEmpty()) {
            throw new PipelineConfigException("dataset '" + dataset.name()
                    + "': change_tracking needs a primary_key (CHANGETABLE returns changed rows by key)");
        }
        this.keyIndexes = SqlServerDialect.keyIndexes(dataset, names);
        List<String> select = new ArrayList<>();
        for (String column : columns) {
            select.add((key.contains(column) ? "[ct]." : "[t].") + column);
        }
        select.add("[ct]." + OPERATION);
        select.add("[ct]." + VERSION);
        this.changeColumns = List.copyOf(select);
    }

    /** The statements for Azure SQL / SQL Server; every identifier is validated here. */
    public static ChangeTrackingDialect sqlServer(Dataset dataset) {
        return new ChangeTrackingDialect(requireNonNull(dataset, "dataset is null"));
    }

    /** 1-based indexes of the primary key columns in a page row, in key order. */
    int[] keyIndexes() {
        return keyIndexes.clone();
    }

    /** 1-based index of {@code SYS_CHANGE_OPERATION} in a changes page row. */
    int operationIndex() {
        return columns.size() + 1;
    }

    /**
     * What makes the poll's reads one consistent snapshot, sent before the transaction's first
     * statement: the versions read and every page then agree with each other.
     */
    public SqlQuery snapshotIsolation() {
        return SqlQuery.of("SET TRANSACTION ISOLATION LEVEL SNAPSHOT");
    }

    /**
     * The table's oldest version still answerable by CHANGETABLE (NULL when the table is not
     * tracked), and the database's current version (NULL when the database does not track).
     */
    public SqlQuery versions() {
        return SqlQuery.of("SELECT CHANGE_TRACKING_MIN_VALID_VERSION(OBJECT_ID(?)), CHANGE_TRACKING_CURRENT_VERSION()",
                table);
    }

    /** A page of a full snapshot: the table's rows after {@code afterKey} (from the start if empty), by key. */
    public SqlQuery snapshotPage(int pageSize, Optional<List<Object>> afterKey) {
        List<Object> parameters = new ArrayList<>();
        parameters.add(pageSize);
        String where = afterKey.map(k -> " WHERE " + SqlServerDialect.after(key, checked(k), 0, parameters)).orElse("");
        return new SqlQuery("SELECT TOP (?) " + String.join(", ", columns) + " FROM " + table + where
                + " ORDER BY " + String.join(", ", key), parameters);
    }

    /**
     * A page of the changes after version {@code from} up to {@code to}, after {@code afterKey}
     * (from the first key if empty), by key, joined to the table for the current image of
     * inserted and updated rows; a deleted row has no match and carries only its key.
     *
     * <p>{@code to} bounds a sync resumed in a later transaction: a key changed again since has a
     * newer {@code SYS_CHANGE_VERSION} and is left to the next sync (which sees it), so every row
     * of a sync is the image as of {@code to}.
     */
    public SqlQuery changesPage(int pageSize, long from, long to, Optional<List<Object>> afterKey) {
        List<Object> parameters = new ArrayList<>();
        parameters.add(pageSize);
        parameters.add(from);
        List<String> join = key.stream().map(k -> "[t]." + k + " = [ct]." + k).toList();
        List<String> ctKey = key.stream().map(k -> "[ct]." + k).toList();
        parameters.add(to);
        String after = afterKey.map(k -> " AND " + SqlServerDialect.after(ctKey, checked(k), 0, parameters)).orElse("");
        return new SqlQuery("SELECT TOP (?) " + String.join(", ", changeColumns)
                + " FROM CHANGETABLE(CHANGES " + table + ", ?) AS [ct] LEFT JOIN " + table + " AS [t] ON " + String.join(" AND ", join)
                + " WHERE [ct]." + VERSION + " <= ?" + after + " ORDER BY " + String.join(", ", ctKey), parameters);
    }

    private List<Object> checked(List<Object> afterKey) {
        if (afterKey.size() != key.size()) {
            throw new IllegalArgumentException("position has " + afterKey.size() + " key values, the table's key has " + key.size());
        }
        return afterKey;
    }
}
