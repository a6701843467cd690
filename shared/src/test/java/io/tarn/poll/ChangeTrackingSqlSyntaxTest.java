package io.tarn.poll;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tarn.pipeline.ColumnSpec;
import io.tarn.pipeline.Dataset;
import io.tarn.pipeline.PipelineLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Every statement {@link ChangeTrackingDialect} sends, for a single key, a composite key and names
 * that are T-SQL reserved keywords, checked against SQL Server's documented syntax
 * ({@link TsqlSyntax}, which cites the pages) and what those pages say of their parts: a marker's
 * type, the columns CHANGETABLE returns, OBJECT_ID's argument, TOP's rows being ordered. The exact
 * texts are pinned too, as {@link SqlServerDialectTest} pins them.
 */
class ChangeTrackingSqlSyntaxTest {

    private static final String PIPELINE_YAML = read(Path.of("../pipeline.yaml"));

    // https://learn.microsoft.com/en-us/sql/relational-databases/system-functions/changetable-transact-sql,
    // "CHANGETABLE CHANGES": these columns, then the tracked table's primary key columns.
    private static final List<String> CHANGETABLE_COLUMNS = List.of("SYS_CHANGE_VERSION", "SYS_CHANGE_CREATION_VERSION",
            "SYS_CHANGE_OPERATION", "SYS_CHANGE_COLUMNS", "SYS_CHANGE_CONTEXT");

    // https://learn.microsoft.com/en-us/sql/t-sql/functions/object-id-transact-sql:
    // '[ database_name . [ schema_name ] . | schema_name . ] object_name', each part regular or delimited.
    private static final String PART = "(\\[(?:[^\\]]|\\]\\])+\\]|[\\p{L}_#][\\p{L}\\p{Nd}@$#_]*)";
    private static final Pattern OBJECT_NAME = Pattern.compile("(?:" + PART + "\\." + PART + "?\\.|" + PART + "\\.)?" + PART);

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Dataset tracked(String yaml) {
        return PipelineLoader.parse(yaml.replace("      delete_detection: { every: 6h }\n", "")
                .replace("strategy: rowversion\n      cursor_column: rv", "strategy: change_tracking"),
                "pipeline.yaml").dataset("accounts").orElseThrow();
    }

    private static final Dataset SINGLE_KEY = tracked(PIPELINE_YAML);
    private static final Dataset COMPOSITE_KEY = tracked(
            PIPELINE_YAML.replace("primary_key: [account_id]", "primary_key: [region, account_id]"));
    // Every name a reserved keyword (https://learn.microsoft.com/en-us/sql/t-sql/language-elements/reserved-keywords-transact-sql).
    private static final Dataset RESERVED_NAMES = PipelineLoader.parse("""
            datasets:
              - name: accounts
                source: azuresql
                source_table: table.order
                raw_prefix: azuresql/table/order/
                format: { layout: header, null_token: "\\\\N" }
                columns:
                  - { name: key, type: long, nullable: false }
                  - { name: user, type: string, nullable: false }
                  - { name: select, type: string }
                  - { name: plan, type: string }
                primary_key: [user, key]
                account_column: user
                poll: { strategy: change_tracking }
            """, "reserved.yaml").dataset("accounts").orElseThrow();

    private static List<SqlQuery> statements(Dataset dataset, List<Object> afterKey) {
        ChangeTrackingDialect dialect = ChangeTrackingDialect.sqlServer(dataset);
        return List.of(dialect.snapshotIsolation(), dialect.versions(),
                dialect.snapshotPage(500, Optional.empty()), dialect.snapshotPage(500, Optional.of(afterKey)),
                dialect.changesPage(500, 41, 57, Optional.empty()), dialect.changesPage(500, 41, 57, Optional.of(afterKey)));
    }

    @Test
    void everyStatementForASingleKeyIsDocumentedSqlServerSyntax() {
        List<SqlQuery> statements = statements(SINGLE_KEY, List.of("globex"));

        for (SqlQuery statement : statements) {
            assertThat(violations(statement, SINGLE_KEY)).as(statement.sql()).isEmpty();
        }
        String columns = "[account_id], [name], [plan], [region], [created_at], [updated_at]";
        String changes = "SELECT TOP (?) [ct].[account_id], [t].[name], [t].[plan], [t].[region], [t].[created_at],"
                + " [t].[updated_at], [ct].[SYS_CHANGE_OPERATION], [ct].[SYS_CHANGE_VERSION]"
                + " FROM CHANGETABLE(CHANGES [dbo].[accounts], ?) AS [ct]"
                + " LEFT JOIN [dbo].[accounts] AS [t] ON [t].[account_id] = [ct].[account_id]"
                + " WHERE [ct].[SYS_CHANGE_VERSION] <= ?";
        assertThat(statements).extracting(SqlQuery::sql).containsExactly(
                "SET TRANSACTION ISOLATION LEVEL SNAPSHOT",
                "SELECT CHANGE_TRACKING_MIN_VALID_VERSION(OBJECT_ID(?)), CHANGE_TRACKING_CURRENT_VERSION()",
                "SELECT TOP (?) " + columns + " FROM [dbo].[accounts] ORDER BY [account_id]",
                "SELECT TOP (?) " + columns + " FROM [dbo].[accounts] WHERE [account_id] > ? ORDER BY [account_id]",
                changes + " ORDER BY [ct].[account_id]",
                changes + " AND [ct].[account_id] > ? ORDER BY [ct].[account_id]");
    }

    @Test
    void everyStatementForACompositeKeyIsDocumentedSqlServerSyntax() {
        for (SqlQuery statement : statements(COMPOSITE_KEY, List.of("eu", "acme"))) {
            assertThat(violations(statement, COMPOSITE_KEY)).as(statement.sql()).isEmpty();
        }
    }

    @Test
    void everyStatementForReservedKeywordNamesIsDocumentedSqlServerSyntax() {
        List<SqlQuery> statements = statements(RESERVED_NAMES, List.of("acme", 7L));

        for (SqlQuery statement : statements) {
            assertThat(violations(statement, RESERVED_NAMES)).as(statement.sql()).isEmpty();
        }
        assertThat(statements.get(5).sql()).isEqualTo("SELECT TOP (?) [ct].[key], [ct].[user], [t].[select], [t].[plan],"
                + " [ct].[SYS_CHANGE_OPERATION], [ct].[SYS_CHANGE_VERSION] FROM CHANGETABLE(CHANGES [table].[order], ?) AS [ct]"
                + " LEFT JOIN [table].[order] AS [t] ON [t].[user] = [ct].[user] AND [t].[key] = [ct].[key]"
                + " WHERE [ct].[SYS_CHANGE_VERSION] <= ? AND ([ct].[user] > ? OR ([ct].[user] = ? AND [ct].[key] > ?))"
                + " ORDER BY [ct].[user], [ct].[key]");
    }

    @Test
    void theVersionsAreReadWithTheTablesObjectIdAndNoArgumentForTheCurrentVersion() {
        TsqlSyntax.Statement versions = TsqlSyntax.parse(ChangeTrackingDialect.sqlServer(SINGLE_KEY).versions().sql());

        // Innermost first: CHANGE_TRACKING_MIN_VALID_VERSION's table_object_id is OBJECT_ID's result.
        assertThat(versions.functions()).containsExactly("OBJECT_ID", "CHANGE_TRACKING_MIN_VALID_VERSION",
                "CHANGE_TRACKING_CURRENT_VERSION");
    }

    @Test
    void theRecognizerRefusesWhatTheSyntaxPagesRuleOut() {
        Map<String, String> refused = Map.of(
                "SELECT TOP ? [a] FROM [dbo].[t] ORDER BY [a]", "not T-SQL's TOP (expression): expected '('",
                "SELECT [ct].[a] FROM CHANGETABLE(CHANGES [dbo].[t], COALESCE(?, 0)) AS [ct]",
                "not T-SQL's CHANGETABLE: expected a scalar last_sync_version (a parameter, variable, integer or NULL)",
                "SELECT [ct].[a] FROM CHANGETABLE(CHANGES [dbo].[t], ?) WHERE [ct].[a] > ?",
                "not T-SQL's CHANGETABLE <table_alias> (required): expected an identifier",
                "SELECT TOP (?) plan FROM [dbo].[t] ORDER BY [a]", "not T-SQL's column_name: expected an identifier",
                "SET TRANSACTION ISOLATION LEVEL SNAPSHOTS", "not T-SQL's SET TRANSACTION ISOLATION LEVEL: expected one of",
                "SELECT CHANGE_TRACKING_CURRENT_VERSION(?)", "not T-SQL's CHANGE_TRACKING_CURRENT_VERSION arguments: expected ')'",
                "SELECT [a] FROM [dbo].[t] WHERE [a] ? ?", "not T-SQL's predicate: expected a comparison operator");
        refused.forEach((sql, message) -> assertThatThrownBy(() -> TsqlSyntax.parse(sql))
                .as(sql)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(message));
    }

    @Test
    void theChecksFindWhatTheSyntaxAloneAllows() {
        SqlQuery wrong = new SqlQuery("SELECT TOP (?) [ct].[name], [ct].[SYS_CHANGE_OPERATION] FROM CHANGETABLE(CHANGES"
                + " [dbo].[invoices], ?) AS [ct] WHERE [x].[account_id] > ?", List.of(500L, 41, "globex"));

        assertThat(violations(wrong, SINGLE_KEY)).containsExactly(
                "TOP's ? is an int, got 500 (Long)",
                "last_sync_version's ? is a bigint, got 41 (Integer)",
                "TOP without ORDER BY returns arbitrary rows",
                "CHANGETABLE reads dbo.invoices, not dbo.accounts",
                "[ct].[name] is not a column CHANGETABLE(CHANGES ...) returns",
                "[x] is no table alias of the statement");
    }

    /** What the documented syntax and semantics rule out in {@code query} for {@code dataset}; empty if nothing. */
    private static List<String> violations(SqlQuery query, Dataset dataset) {
        TsqlSyntax.Statement statement = TsqlSyntax.parse(query.sql());
        List<String> found = new ArrayList<>();
        if (statement.markers().size() != query.parameters().size()) {
            found.add(statement.markers().size() + " markers, " + query.parameters().size() + " parameters");
            return found;
        }
        String table = dataset.sourceTable();
        for (int i = 0; i < statement.markers().size(); i++) {
            Object value = query.parameters().get(i);
            switch (statement.markers().get(i)) {
                // TOP (expression): "converted to bigint"; the poller's page size is an int.
                case TOP -> check(value instanceof Integer rows && rows > 0, "TOP's ? is an int", value, found);
                case LAST_SYNC_VERSION -> check(value instanceof Long, "last_sync_version's ? is a bigint", value, found);
                case OBJECT_NAME -> {
                    Matcher name = OBJECT_NAME.matcher(String.valueOf(value));
                    check(value instanceof String && name.matches() && unquoted(name.group(3)) != null
                            && (unquoted(name.group(3)) + "." + unquoted(name.group(4))).equals(table),
                            "OBJECT_ID's ? is 'schema.table' of " + table, value, found);
                }
                case VALUE -> { }
            }
        }
        // TOP: "If the query has no ORDER BY clause, the order of the rows is arbitrary."
        if (statement.top() && !statement.orderBy()) {
            found.add("TOP without ORDER BY returns arbitrary rows");
        }
        for (TsqlSyntax.Source source : statement.sources()) {
            if (!source.table().equals(table)) {
                found.add((source.changes() ? "CHANGETABLE reads " : "the statement reads ") + source.table() + ", not " + table);
            }
        }
        List<String> columns = dataset.csvColumns().stream().map(ColumnSpec::name).toList();
        for (TsqlSyntax.Column column : statement.columns()) {
            String shown = (column.qualifier() == null ? "" : "[" + column.qualifier() + "].") + "[" + column.name() + "]";
            Optional<TsqlSyntax.Source> source = column.qualifier() == null
                    ? (statement.sources().size() == 1 ? Optional.of(statement.sources().get(0)) : Optional.empty())
                    : statement.sources().stream().filter(s -> s.alias().equals(column.qualifier())).findFirst();
            if (source.isEmpty()) {
                found.add(column.qualifier() == null ? shown + " needs its table's alias"
                        : "[" + column.qualifier() + "] is no table alias of the statement");
            } else if (source.get().changes()) {
                if (!CHANGETABLE_COLUMNS.contains(column.name()) && !dataset.primaryKey().contains(column.name())) {
                    found.add(shown + " is not a column CHANGETABLE(CHANGES ...) returns");
                }
            } else if (!columns.contains(column.name())) {
                found.add(shown + " is not a column of " + table);
            }
        }
        return found;
    }

    private static void check(boolean holds, String rule, Object value, List<String> found) {
        if (!holds) {
            found.add(rule + ", got " + value + " (" + value.getClass().getSimpleName() + ")");
        }
    }

    private static String unquoted(String part) {
        return part == null || !part.startsWith("[") ? part : part.substring(1, part.length() - 1).replace("]]", "]");
    }
}
