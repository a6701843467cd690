package io.tarn.etl;

import static java.util.Objects.requireNonNull;

import io.tarn.catalog.CatalogColumn;
import io.tarn.catalog.Partition;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The Athena DDL statements partition repair runs. Names are validated, never escaped: Athena
 * (Hive) table, database and column names are letters, digits and underscores ("underscores are
 * the only special characters that Athena supports in database, table, view, and column names"),
 * and a name outside that set is a configuration error. Athena lower-cases names in DDL, and Glue
 * stores them in lower case, so a name with upper-case letters (a database named after a stack,
 * {@code tarn_Tarn_Prod_1}) is written in lower case, as the catalog holds it. Partition values and locations are untrusted
 * (an account id comes from a source row) and are written as Hive string literals, where a
 * backslash escapes the next character: {@code '} and {@code \} are escaped, so a value can never
 * end its literal early; control characters are refused.
 */
public final class AthenaDdl {

    /** Partitions per {@code ALTER TABLE ADD PARTITION}: a bound on each statement's work and on a failure's scope. */
    public static final int MAX_PARTITIONS_PER_STATEMENT = 100;

    /** Athena refuses a query string longer than 262,144 bytes; statements stay under it. */
    public static final int MAX_STATEMENT_BYTES = 262_144;

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_]{1,255}");

    private AthenaDdl() {}

    /**
     * {@code ALTER TABLE `db`.`table` ADD IF NOT EXISTS PARTITION (`key` = 'value') LOCATION '...' ...}
     * statements that add the partitions, at most {@link #MAX_PARTITIONS_PER_STATEMENT} each and each
     * under {@link #MAX_STATEMENT_BYTES}; none for no partitions.
     */
    public static List<String> addPartitions(String database, String table, List<CatalogColumn> partitionKeys,
            List<Partition> partitions) {
        requireNonNull(partitionKeys, "partitionKeys is null");
        requireNonNull(partitions, "partitions is null");
        String head = "ALTER TABLE " + name(database, "database") + "." + name(table, "table") + " ADD IF NOT EXISTS";
        List<String> statements = new ArrayList<>();
        StringBuilder statement = new StringBuilder(head);
        int inStatement = 0;
        int bytes = utf8Length(head);
        for (Partition partition : partitions) {
            String clause = clause(table, partitionKeys, partition);
            int clauseBytes = utf8Length(clause);
            if (utf8Length(head) + clauseBytes > MAX_STATEMENT_BYTES) {
                throw new IllegalArgumentException("Partition %s of %s.%s does not fit in one Athena statement (%d bytes)"
                        .formatted(partition.values(), database, table, clauseBytes));
            }
            if (inStatement == MAX_PARTITIONS_PER_STATEMENT || bytes + clauseBytes > MAX_STATEMENT_BYTES) {
                statements.add(statement.toString());
                statement = new StringBuilder(head);
                bytes = utf8Length(head);
                inStatement = 0;
            }
            statement.append(clause);
            bytes += clauseBytes;
            inStatement++;
        }
        if (inStatement > 0) {
            statements.add(statement.toString());
        }
        return statements;
    }

    /** {@code MSCK REPAIR TABLE `table`}, run in the Glue database as the query's database. */
    public static String msckRepair(String table) {
        return "MSCK REPAIR TABLE " + name(table, "table");
    }

    /**
     * A validated name, lower-cased, in backticks, which Athena DDL wants for names that are also
     * keywords ({@code date}).
     */
    static String name(String name, String what) {
        requireNonNull(name, what + " is null");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("%s name '%s' cannot be used in Athena DDL: only lower-case letters,"
                    .formatted(what, name) + " digits and '_', 1 to 255 of them");
        }
        return "`" + name.toLowerCase(Locale.ROOT) + "`";
    }

    /** A Hive string literal of an untrusted value: {@code \} and {@code '} escaped, control characters refused. */
    static String literal(String value, String what) {
        StringBuilder literal = new StringBuilder(value.length() + 2).append('\'');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isISOControl(c)) {
                throw new IllegalArgumentException("%s contains control character U+%04X, which Athena DDL cannot carry"
                        .formatted(what, (int) c));
            }
            if (c == '\'' || c == '\\') {
                literal.append('\\');
            }
            literal.append(c);
        }
        return literal.append('\'').toString();
    }

    private static String clause(String table, List<CatalogColumn> keys, Partition partition) {
        if (partition.values().size() != keys.size()) {
            throw new IllegalArgumentException("Partition %s of %s has %d values, the table has %d partition keys"
                    .formatted(partition.values(), table, partition.values().size(), keys.size()));
        }
        if (!partition.location().startsWith("s3://")) {
            throw new IllegalArgumentException("Partition %s of %s has location '%s', not an s3:// URI"
                    .formatted(partition.values(), table, partition.location()));
        }
        StringBuilder clause = new StringBuilder(" PARTITION (");
        for (int i = 0; i < keys.size(); i++) {
            if (i > 0) {
                clause.append(", ");
            }
            clause.append(name(keys.get(i).name(), "partition key")).append(" = ").append(literal(
                    partition.values().get(i), "Partition value of " + keys.get(i).name() + " in table " + table));
        }
        return clause.append(") LOCATION ")
                .append(literal(partition.location(), "Location of partition " + partition.values() + " of table " + table))
                .toString();
    }

    private static int utf8Length(CharSequence text) {
        return text.toString().getBytes(StandardCharsets.UTF_8).length;
    }
}
