package io.tarn.stack.warehouse;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Redshift SQL of {@code warehouse/}, made runnable on DuckDB for tests only. The files stay
 * the single source; this changes exactly three things:
 *
 * <ul>
 *   <li>{@code CREATE EXTERNAL SCHEMA s FROM DATA CATALOG DATABASE '{{glue_database}}' ...}
 *       becomes {@code CREATE SCHEMA s} and one view {@code s.<table>} per catalog table over the
 *       local lake's view of that table, which reads the registered partitions as Spectrum does;
 *   <li>the physical table attributes {@code DISTSTYLE ...}, {@code DISTKEY (...)} and
 *       {@code [COMPOUND | INTERLEAVED] SORTKEY (...)}, which DuckDB has no syntax for, are
 *       dropped: they place rows, they do not change them;
 *   <li>foreign keys ({@code REFERENCES ...}, {@code FOREIGN KEY (...) REFERENCES ...}) are
 *       dropped: Redshift only informs its planner with them, while DuckDB enforces them and
 *       cannot delete child and parent rows in one transaction, as the load does. The test checks
 *       the joins they describe itself.
 * </ul>
 *
 * Everything else in the files must be SQL that both engines run as written; a statement DuckDB
 * rejects fails the test rather than being rewritten here.
 */
final class RedshiftOnDuckDb {

    private static final Pattern LINE_COMMENT = Pattern.compile("--[^\\n]*");
    private static final Pattern EXTERNAL_SCHEMA = Pattern.compile(
            "(?is)CREATE\\s+EXTERNAL\\s+SCHEMA\\s+IF\\s+NOT\\s+EXISTS\\s+(\\w+)\\s+FROM\\s+DATA\\s+CATALOG\\s+"
                    + "DATABASE\\s+'\\{\\{glue_database}}'\\s+IAM_ROLE\\s+default");
    private static final Pattern PHYSICAL_ATTRIBUTE = Pattern.compile(
            "(?i)\\s*\\b(DISTSTYLE\\s+(ALL|EVEN|KEY|AUTO)|DISTKEY\\s*\\(\\s*\\w+\\s*\\)"
                    + "|(COMPOUND\\s+|INTERLEAVED\\s+)?SORTKEY\\s*\\([\\w\\s,]+\\))");
    private static final Pattern FOREIGN_KEY = Pattern.compile(
            "(?i),\\s*FOREIGN\\s+KEY\\s*\\([\\w\\s,]+\\)\\s*REFERENCES\\s+[\\w.]+\\s*\\([\\w\\s,]+\\)"
                    + "|\\s+REFERENCES\\s+[\\w.]+\\s*\\([\\w\\s,]+\\)");

    private final List<String> catalogTables;

    /**
     * @param catalogTables the tables of the local catalog, which the lake's DuckDB connection
     *     shows as views of the same names
     */
    RedshiftOnDuckDb(List<String> catalogTables) {
        this.catalogTables = List.copyOf(requireNonNull(catalogTables, "catalogTables is null"));
    }

    /** The statements of one file, comments removed, in order; the files keep ';' out of comments and literals. */
    static List<String> statements(String script) {
        List<String> statements = new ArrayList<>();
        for (String statement : LINE_COMMENT.matcher(script).replaceAll("").split(";")) {
            if (!statement.isBlank()) {
                statements.add(statement.strip());
            }
        }
        return statements;
    }

    /** What DuckDB runs for one Redshift statement: usually the statement less its physical attributes and foreign keys. */
    List<String> translate(String statement) {
        Matcher external = EXTERNAL_SCHEMA.matcher(statement);
        if (external.matches()) {
            String schema = external.group(1);
            List<String> translated = new ArrayList<>();
            translated.add("CREATE SCHEMA IF NOT EXISTS " + schema);
            for (String table : catalogTables) {
                translated.add("CREATE OR REPLACE VIEW " + schema + "." + quote(table)
                        + " AS SELECT * FROM temp.main." + quote(table));
            }
            return translated;
        }
        if (statement.matches("(?is)CREATE\\s+EXTERNAL\\b.*")) {
            throw new IllegalArgumentException("Only CREATE EXTERNAL SCHEMA ... FROM DATA CATALOG DATABASE"
                    + " '{{glue_database}}' IAM_ROLE default has a DuckDB translation, got: " + statement);
        }
        String withoutForeignKeys = FOREIGN_KEY.matcher(statement).replaceAll("");
        return List.of(PHYSICAL_ATTRIBUTE.matcher(withoutForeignKeys).replaceAll(""));
    }

    private static String quote(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }
}
