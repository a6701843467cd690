package io.tarn.catalog;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * How a catalog table may follow a changed definition while its existing Parquet files stay as
 * they are: the one rule every {@link Catalog} adapter applies in {@link Catalog#ensureTable}.
 *
 * <p>Allowed, because Athena reads the existing files under the new schema: columns added
 * anywhere, columns reordered, and the type widenings {@code int} to {@code bigint}, {@code float}
 * to {@code double} and {@code decimal(p,s)} to {@code decimal(p2,s)} with {@code p2 > p}.
 * Refused: a column removed or renamed (a catalog cannot tell the two apart, and under a new name
 * the existing files' values read as null), any other type change, and any change of the
 * partition keys (the existing partitions are registered and laid out by them).
 *
 * <p>Athena reads Parquet by column name by default, so columns may be added anywhere and
 * reordered ("Handle schema updates", summary table:
 * https://docs.aws.amazon.com/athena/latest/ug/handling-schema-updates-chapter.html). A table's
 * existing partitions keep the schema they were registered with, and for Parquet Athena checks
 * them against the table by name and casts where the types are compatible ("Update tables with
 * partitions": https://docs.aws.amazon.com/athena/latest/ug/updates-and-partitions.html). The
 * compatible types are those of "Change a column data type"
 * (https://docs.aws.amazon.com/athena/latest/ug/updates-changing-column-type.html): of the types
 * Tarn writes, {@code INT} as {@code BIGINT} and {@code FLOAT} as {@code DOUBLE}. That page does not
 * list decimals; a wider precision at the same scale holds every value of the narrower one
 * exactly, and each Parquet file carries its own decimal precision, so it is the one further
 * widening allowed. A different scale, or any narrowing, is refused.
 */
public final class SchemaChange {

    private static final Pattern DECIMAL = Pattern.compile("decimal\\((\\d+),(\\d+)\\)");
    private static final String UNREADABLE = ", which Athena cannot read over the existing Parquet files";
    private static final String PARTITIONS_CANNOT_FOLLOW = ", which the existing partitions cannot follow";

    private final List<CatalogColumn> columns;
    private final List<String> changes;
    private final String refusal;

    private SchemaChange(List<CatalogColumn> columns, List<String> changes, String refusal) {
        this.columns = List.copyOf(columns);
        this.changes = List.copyOf(changes);
        this.refusal = refusal;
    }

    /**
     * What it takes to bring a table defined as {@code current} to {@code wanted}. Locations are
     * not compared: an adapter keeps the table's own. Names compare without regard to case, as
     * Glue and Athena store and read them in lower case.
     */
    public static SchemaChange between(TableDefinition current, TableDefinition wanted) {
        requireNonNull(current, "current is null");
        requireNonNull(wanted, "wanted is null");
        String partitionKeys = partitionKeyRefusal(current.partitionKeys(), wanted.partitionKeys());
        if (partitionKeys != null) {
            return new SchemaChange(current.columns(), List.of(), partitionKeys);
        }

        Map<String, CatalogColumn> wantedByName = byName(wanted.columns());
        List<String> changes = new ArrayList<>();
        for (CatalogColumn column : current.columns()) {
            CatalogColumn next = wantedByName.get(key(column.name()));
            if (next == null) {
                return new SchemaChange(current.columns(), List.of(),
                        "column '%s' would be removed or renamed%s (they hold it under this name, and a new name"
                                .formatted(column.name(), UNREADABLE) + " reads as null)");
            }
            String from = type(column.type());
            String to = type(next.type());
            if (!from.equals(to)) {
                if (!widens(from, to)) {
                    return new SchemaChange(current.columns(), List.of(), "column '%s' would change type from %s to %s%s"
                            .formatted(column.name(), column.type(), next.type(), UNREADABLE));
                }
                changes.add("widens column '%s' from %s to %s".formatted(column.name(), column.type(), next.type()));
            }
        }
        Map<String, CatalogColumn> currentByName = byName(current.columns());
        for (CatalogColumn column : wanted.columns()) {
            if (!currentByName.containsKey(key(column.name()))) {
                changes.add("adds column '%s' %s".formatted(column.name(), column.type()));
            }
        }
        if (changes.isEmpty() && !names(current.columns()).equals(names(wanted.columns()))) {
            changes.add("reorders the columns");
        }
        return new SchemaChange(changes.isEmpty() ? current.columns() : wanted.columns(), changes, null);
    }

    /** True when the table is already as wanted: nothing to write. */
    public boolean isNone() {
        return refusal == null && changes.isEmpty();
    }

    /**
     * Why the table cannot follow, e.g. {@code column 'total' would change type from decimal(12,2)
     * to string, which Athena cannot read over the existing Parquet files}; empty when it can.
     */
    public Optional<String> refusal() {
        return Optional.ofNullable(refusal);
    }

    /** The columns the table has after the change (the current ones when there is none, or it is refused). */
    public List<CatalogColumn> columns() {
        return columns;
    }

    /** The change in words, e.g. {@code adds column 'coupon' string; widens column 'qty' from int to bigint}. */
    public String describe() {
        if (refusal != null) {
            return "refused: " + refusal;
        }
        return changes.isEmpty() ? "no change" : String.join("; ", changes);
    }

    @Override
    public String toString() {
        return "SchemaChange[" + describe() + "]";
    }

    private static String partitionKeyRefusal(List<CatalogColumn> current, List<CatalogColumn> wanted) {
        Map<String, CatalogColumn> wantedByName = byName(wanted);
        Map<String, CatalogColumn> currentByName = byName(current);
        for (CatalogColumn key : current) {
            CatalogColumn next = wantedByName.get(key(key.name()));
            if (next == null) {
                return "partition key '%s' would be removed%s".formatted(key.name(), PARTITIONS_CANNOT_FOLLOW);
            }
            if (!type(key.type()).equals(type(next.type()))) {
                return "partition key '%s' would change type from %s to %s%s"
                        .formatted(key.name(), key.type(), next.type(), PARTITIONS_CANNOT_FOLLOW);
            }
        }
        for (CatalogColumn key : wanted) {
            if (!currentByName.containsKey(key(key.name()))) {
                return "partition key '%s' would be added%s".formatted(key.name(), PARTITIONS_CANNOT_FOLLOW);
            }
        }
        if (!names(current).equals(names(wanted))) {
            return "partition keys would be reordered from (%s) to (%s)%s".formatted(
                    String.join(", ", names(current)), String.join(", ", names(wanted)), PARTITIONS_CANNOT_FOLLOW);
        }
        return null;
    }

    /** Whether Athena reads values of type {@code from} in the existing files as {@code to}. */
    private static boolean widens(String from, String to) {
        if (from.equals("int") && to.equals("bigint") || from.equals("float") && to.equals("double")) {
            return true;
        }
        Matcher narrow = DECIMAL.matcher(from);
        Matcher wide = DECIMAL.matcher(to);
        return narrow.matches() && wide.matches()
                && narrow.group(2).equals(wide.group(2))
                && Integer.parseInt(wide.group(1)) > Integer.parseInt(narrow.group(1));
    }

    /** A type name as compared: lower case, no blanks ({@code DECIMAL(12, 2)} is {@code decimal(12,2)}). */
    private static String type(String type) {
        String normalized = type.toLowerCase(Locale.ROOT).replaceAll("\\s+", "");
        // Athena's DDL spells int "integer"; Glue keeps whatever the table was created with.
        return normalized.equals("integer") ? "int" : normalized;
    }

    private static String key(String name) {
        return name.toLowerCase(Locale.ROOT);
    }

    private static List<String> names(List<CatalogColumn> columns) {
        return columns.stream().map(column -> key(column.name())).collect(Collectors.toList());
    }

    private static Map<String, CatalogColumn> byName(List<CatalogColumn> columns) {
        Map<String, CatalogColumn> byName = new LinkedHashMap<>();
        columns.forEach(column -> byName.put(key(column.name()), column));
        return byName;
    }
}
