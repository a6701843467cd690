package io.tarn.embedded.sqlserver;

import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.SQLSyntaxErrorException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Rewrites SQL Server's {@code CHANGETABLE(CHANGES <table_name>, <last_sync_version>)} into a
 * derived table over {@link H2SqlServerEmulation}'s change log of the table, with CHANGETABLE's
 * columns in its order (SYS_CHANGE_VERSION, SYS_CHANGE_CREATION_VERSION, SYS_CHANGE_OPERATION,
 * SYS_CHANGE_COLUMNS, SYS_CHANGE_CONTEXT, then the primary key), and leaves every other character of
 * the statement as it was: the alias and column aliases after it, and the {@code ?} markers, whose
 * order does not change (the derived table holds the one marker CHANGETABLE had).
 *
 * <p>The documented form (https://learn.microsoft.com/en-us/sql/relational-databases/system-functions/changetable-transact-sql):
 * {@code CHANGETABLE ( { CHANGES <table_name> , <last_sync_version> | VERSION <table_name> ,
 * <primary_key_values> } [ , FORCESEEK ] ) [AS] <table_alias> [ ( <column_alias> [ ,...n ] ) ]}.
 * Of it the stand-in answers CHANGES on a one- or two-part name with a marker, an integer or NULL as
 * the version (SQL Server refuses an expression there too); any other form fails here, naming what
 * it does not emulate, rather than reaching H2 as something else.
 *
 * <p>SYS_CHANGE_OPERATION is relative to the version asked about, as SQL Server reports it: D for a
 * deleted row; I for a row inserted after that version (whatever happened to it since); U
 * otherwise. SYS_CHANGE_COLUMNS and SYS_CHANGE_CONTEXT are NULL: the emulation tracks no columns
 * and no context. A NULL version asks for every tracked change, as in SQL Server; the emulation's
 * versions start at 1, so NULL reads as 0.
 */
final class ChangeTableRewriter {

    /** The key columns of a tracked {@code schema.table}, comma-separated, or an SQLException naming it. */
    @FunctionalInterface
    interface TrackedKeys {
        String of(String schemaAndTable) throws SQLException;
    }

    private static final String KEYWORD = "CHANGETABLE";

    private ChangeTableRewriter() {}

    /** {@code sql} with each CHANGETABLE call replaced; {@code sql} itself when it has none. */
    static String rewrite(String sql, TrackedKeys keys) throws SQLException {
        if (!sql.toUpperCase(Locale.ROOT).contains(KEYWORD)) {
            return sql;
        }
        List<Token> tokens = Token.scan(sql);
        StringBuilder out = new StringBuilder(sql.length() + 512);
        int copied = 0;
        for (int i = 0; i < tokens.size(); i++) {
            Token token = tokens.get(i);
            // Not followed by '(' it is a name (a column called changetable), not the function.
            boolean call = i + 1 < tokens.size() && tokens.get(i + 1).kind() == Kind.SYMBOL
                    && tokens.get(i + 1).text().equals("(");
            if (token.isWord(KEYWORD) && call) {
                Call changes = parse(sql, tokens, i);
                out.append(sql, copied, token.start()).append(derivedTable(changes, keys));
                copied = tokens.get(changes.closingParen()).end();
                i = changes.closingParen();
            }
        }
        return out.append(sql, copied, sql.length()).toString();
    }

    /** A parsed CHANGETABLE call: the table's schema and name, the version's text, the index of its ')'. */
    private record Call(String schema, String table, String version, int closingParen) {}

    private static Call parse(String sql, List<Token> tokens, int at) throws SQLException {
        Cursor cursor = new Cursor(sql, tokens, at + 1);
        cursor.expectSymbol("(");
        Token kind = cursor.next();
        if (kind.isWord("VERSION")) {
            throw cursor.unsupported("CHANGETABLE(VERSION ...) is not emulated, only CHANGETABLE(CHANGES ...)");
        }
        if (!kind.isWord("CHANGES")) {
            throw cursor.syntax("CHANGETABLE( must be followed by CHANGES or VERSION, not '" + kind.text() + "'");
        }
        List<String> name = new ArrayList<>();
        name.add(cursor.identifier("a table name after CHANGES"));
        while (cursor.peekSymbol(".")) {
            cursor.next();
            name.add(cursor.identifier("a name part after '.'"));
        }
        if (name.size() > 2) {
            throw cursor.unsupported("CHANGETABLE on a " + name.size() + "-part name is not emulated,"
                    + " only schema.table or table");
        }
        cursor.expectSymbol(",");
        Token version = cursor.next();
        if (!(version.kind() == Kind.PARAMETER || version.kind() == Kind.INTEGER || version.isWord("NULL"))) {
            throw cursor.syntax("last_sync_version must be a ?, an integer or NULL, not an expression starting '"
                    + version.text() + "'");
        }
        if (cursor.peekSymbol(",")) {
            throw cursor.unsupported("CHANGETABLE's FORCESEEK is not emulated");
        }
        if (!cursor.peekSymbol(")")) {
            throw cursor.syntax("last_sync_version must be a ?, an integer or NULL, followed by ')'");
        }
        int closing = cursor.index();
        cursor.next();
        // SQL Server requires the alias; without one the statement would not run there.
        Token alias = cursor.peek();
        if (alias != null && alias.isWord("AS")) {
            cursor.next();
            alias = cursor.peek();
        }
        if (alias == null || !(alias.kind() == Kind.QUOTED || alias.kind() == Kind.WORD && !Token.isReserved(alias))) {
            throw cursor.syntax("CHANGETABLE(...) must be followed by [AS] table_alias");
        }
        String schema = name.size() == 2 ? name.get(0) : "dbo";
        String versionText = version.kind() == Kind.PARAMETER ? "?" : version.text();
        return new Call(schema, name.get(name.size() - 1), versionText, closing);
    }

    private static String derivedTable(Call call, TrackedKeys keys) throws SQLException {
        String source = call.schema() + "." + call.table();
        String log = "[" + H2SqlServerEmulation.SCHEMA + "].[" + H2SqlServerEmulation.changeLogTable(source) + "]";
        StringBuilder select = new StringBuilder("(SELECT [log].[SYS_CHANGE_VERSION], [log].[SYS_CHANGE_CREATION_VERSION],"
                + " CAST(CASE WHEN [log].[SYS_CHANGE_OPERATION] = 'D' THEN 'D'"
                + " WHEN [log].[SYS_CHANGE_CREATION_VERSION] > [sync].[last_sync_version] THEN 'I' ELSE 'U' END AS NCHAR(1))"
                + " AS [SYS_CHANGE_OPERATION],"
                + " CAST(NULL AS VARBINARY(4100)) AS [SYS_CHANGE_COLUMNS], CAST(NULL AS VARBINARY(128)) AS [SYS_CHANGE_CONTEXT]");
        for (String key : keys.of(source).split(", ")) {
            // As enableChangeTracking named them when it created the log from the table's columns.
            select.append(", [log].").append(key);
        }
        return select.append(" FROM ").append(log).append(" AS [log]")
                .append(" CROSS JOIN (VALUES (COALESCE(CAST(").append(call.version()).append(" AS BIGINT), 0)))")
                .append(" AS [sync]([last_sync_version])")
                .append(" WHERE [log].[SYS_CHANGE_VERSION] > [sync].[last_sync_version])")
                .toString();
    }

    private enum Kind { WORD, QUOTED, STRING, INTEGER, NUMBER, PARAMETER, SYMBOL }

    /** A token of T-SQL text, by its span; whitespace and comments lie between tokens. */
    private record Token(Kind kind, String text, int start, int end) {

        // The reserved words that could follow CHANGETABLE(...) where an alias is expected.
        private static final List<String> RESERVED = List.of("AS", "CROSS", "FULL", "INNER", "JOIN", "LEFT", "ON",
                "ORDER", "OUTER", "RIGHT", "WHERE", "GROUP", "HAVING", "UNION", "EXCEPT", "INTERSECT", "OPTION", "FOR",
                "WITH", "SELECT", "FROM");

        boolean isWord(String word) {
            return kind == Kind.WORD && text.equalsIgnoreCase(word);
        }

        static boolean isReserved(Token token) {
            return RESERVED.contains(token.text().toUpperCase(Locale.ROOT));
        }

        static List<Token> scan(String sql) throws SQLSyntaxErrorException {
            List<Token> tokens = new ArrayList<>();
            int i = 0;
            int n = sql.length();
            while (i < n) {
                char c = sql.charAt(i);
                int start = i;
                if (Character.isWhitespace(c)) {
                    i++;
                } else if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-') {
                    while (i < n && sql.charAt(i) != '\n') {
                        i++;
                    }
                } else if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
                    i = blockCommentEnd(sql, i);
                } else if (c == '[') {
                    i = closing(sql, i, ']');
                    tokens.add(new Token(Kind.QUOTED, sql.substring(start + 1, i - 1).replace("]]", "]"), start, i));
                } else if (c == '"') {
                    i = closing(sql, i, '"');
                    tokens.add(new Token(Kind.QUOTED, sql.substring(start + 1, i - 1).replace("\"\"", "\""), start, i));
                } else if (c == '\'' || (c == 'N' || c == 'n') && i + 1 < n && sql.charAt(i + 1) == '\'') {
                    i = closing(sql, c == '\'' ? i : i + 1, '\'');
                    tokens.add(new Token(Kind.STRING, sql.substring(start, i), start, i));
                } else if (Character.isLetter(c) || c == '_' || c == '@' || c == '#') {
                    while (i < n && (Character.isLetterOrDigit(sql.charAt(i)) || "_@#$".indexOf(sql.charAt(i)) >= 0)) {
                        i++;
                    }
                    tokens.add(new Token(Kind.WORD, sql.substring(start, i), start, i));
                } else if (Character.isDigit(c)) {
                    while (i < n && Character.isDigit(sql.charAt(i))) {
                        i++;
                    }
                    Kind kind = Kind.INTEGER;
                    while (i < n && (Character.isLetterOrDigit(sql.charAt(i)) || sql.charAt(i) == '.')) {
                        kind = Kind.NUMBER;
                        i++;
                    }
                    tokens.add(new Token(kind, sql.substring(start, i), start, i));
                } else if (c == '?') {
                    i++;
                    tokens.add(new Token(Kind.PARAMETER, "?", start, i));
                } else {
                    i++;
                    tokens.add(new Token(Kind.SYMBOL, String.valueOf(c), start, i));
                }
            }
            return tokens;
        }

        /** The index after the quote closing the one at {@code open}; a doubled quote is part of the text. */
        private static int closing(String sql, int open, char quote) throws SQLSyntaxErrorException {
            int i = open + 1;
            while (i < sql.length()) {
                if (sql.charAt(i) == quote) {
                    if (i + 1 < sql.length() && sql.charAt(i + 1) == quote) {
                        i += 2;
                        continue;
                    }
                    return i + 1;
                }
                i++;
            }
            throw new SQLSyntaxErrorException("unclosed " + quote + " from offset " + open + " in: " + sql);
        }

        /** T-SQL block comments nest. */
        private static int blockCommentEnd(String sql, int open) throws SQLSyntaxErrorException {
            int depth = 0;
            int i = open;
            while (i + 1 < sql.length()) {
                if (sql.startsWith("/*", i)) {
                    depth++;
                    i += 2;
                } else if (sql.startsWith("*/", i)) {
                    depth--;
                    i += 2;
                    if (depth == 0) {
                        return i;
                    }
                } else {
                    i++;
                }
            }
            throw new SQLSyntaxErrorException("unclosed comment from offset " + open + " in: " + sql);
        }
    }

    /** Reads the tokens of one CHANGETABLE call; its errors quote the statement. */
    private static final class Cursor {
        private final String sql;
        private final List<Token> tokens;
        private int at;

        Cursor(String sql, List<Token> tokens, int at) {
            this.sql = sql;
            this.tokens = tokens;
            this.at = at;
        }

        int index() {
            return at;
        }

        Token peek() {
            return at < tokens.size() ? tokens.get(at) : null;
        }

        boolean peekSymbol(String symbol) {
            Token token = peek();
            return token != null && token.kind() == Kind.SYMBOL && token.text().equals(symbol);
        }

        Token next() throws SQLSyntaxErrorException {
            if (at >= tokens.size()) {
                throw syntax("the statement ends inside CHANGETABLE(...)");
            }
            return tokens.get(at++);
        }

        void expectSymbol(String symbol) throws SQLSyntaxErrorException {
            Token token = next();
            if (token.kind() != Kind.SYMBOL || !token.text().equals(symbol)) {
                throw syntax("expected '" + symbol + "' in CHANGETABLE(...), found '" + token.text() + "'");
            }
        }

        String identifier(String what) throws SQLSyntaxErrorException {
            Token token = next();
            if (token.kind() == Kind.QUOTED || token.kind() == Kind.WORD && !Token.isReserved(token)) {
                return token.text();
            }
            throw syntax("expected " + what + " in CHANGETABLE(...), found '" + token.text() + "'");
        }

        SQLSyntaxErrorException syntax(String message) {
            return new SQLSyntaxErrorException(message + ": " + sql);
        }

        SQLFeatureNotSupportedException unsupported(String message) {
            return new SQLFeatureNotSupportedException(message + ": " + sql);
        }
    }
}
