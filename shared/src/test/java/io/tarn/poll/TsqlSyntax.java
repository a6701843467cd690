package io.tarn.poll;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A recognizer for the part of Transact-SQL's documented grammar that the poller's change tracking
 * statements use, written from Microsoft's syntax pages (each production names its page). A
 * statement outside that part fails, with the production and offset, as does anything the pages
 * rule out: an unparenthesized TOP expression, an expression as CHANGETABLE's last_sync_version,
 * CHANGETABLE without its alias, a reserved keyword as a regular identifier, a function called with
 * the wrong arguments. What it recognizes comes back as the parts a test checks against the pages'
 * semantics: the parameter markers by role, the table sources by alias, the column references.
 */
final class TsqlSyntax {

    // https://learn.microsoft.com/en-us/sql/t-sql/language-elements/reserved-keywords-transact-sql
    private static final Set<String> RESERVED = Set.of(("ADD ALL ALTER AND ANY AS ASC AUTHORIZATION BACKUP BEGIN"
            + " BETWEEN BREAK BROWSE BULK BY CASCADE CASE CHECK CHECKPOINT CLOSE CLUSTERED COALESCE COLLATE COLUMN COMMIT"
            + " COMPUTE CONSTRAINT CONTAINS CONTAINSTABLE CONTINUE CONVERT CREATE CROSS CURRENT CURRENT_DATE CURRENT_TIME"
            + " CURRENT_TIMESTAMP CURRENT_USER CURSOR DATABASE DBCC DEALLOCATE DECLARE DEFAULT DELETE DENY DESC DISK"
            + " DISTINCT DISTRIBUTED DOUBLE DROP DUMP ELSE END ERRLVL ESCAPE EXCEPT EXEC EXECUTE EXISTS EXIT EXTERNAL"
            + " FETCH FILE FILLFACTOR FOR FOREIGN FREETEXT FREETEXTTABLE FROM FULL FUNCTION GOTO GRANT GROUP HAVING"
            + " HOLDLOCK IDENTITY IDENTITY_INSERT IDENTITYCOL IF IN INDEX INNER INSERT INTERSECT INTO IS JOIN KEY KILL"
            + " LEFT LIKE LINENO LOAD MERGE NATIONAL NOCHECK NONCLUSTERED NOT NULL NULLIF OF OFF OFFSETS ON OPEN"
            + " OPENDATASOURCE OPENQUERY OPENROWSET OPENXML OPTION OR ORDER OUTER OVER PERCENT PIVOT PLAN PRECISION"
            + " PRIMARY PRINT PROC PROCEDURE PUBLIC RAISERROR READ READTEXT RECONFIGURE REFERENCES REPLICATION RESTORE"
            + " RESTRICT RETURN REVERT REVOKE RIGHT ROLLBACK ROWCOUNT ROWGUIDCOL RULE SAVE SCHEMA SECURITYAUDIT SELECT"
            + " SEMANTICKEYPHRASETABLE SEMANTICSIMILARITYDETAILSTABLE SEMANTICSIMILARITYTABLE SESSION_USER SET SETUSER"
            + " SHUTDOWN SOME STATISTICS SYSTEM_USER TABLE TABLESAMPLE TEXTSIZE THEN TO TOP TRAN TRANSACTION TRIGGER"
            + " TRUNCATE TRY_CONVERT TSEQUAL UNION UNIQUE UNPIVOT UPDATE UPDATETEXT USE USER VALUES VARYING VIEW WAITFOR"
            + " WHEN WHERE WHILE WITH WITHIN WRITETEXT").split(" "));

    // https://learn.microsoft.com/en-us/sql/relational-databases/databases/database-identifiers:
    // a regular identifier starts with a letter, _, @ or #, continues with letters, digits, @, $, # or _,
    // and is no reserved keyword; a delimited one is in brackets (] doubled inside); both at most 128.
    private static final Pattern REGULAR = Pattern.compile("[\\p{L}_@#][\\p{L}\\p{Nd}@$#_]{0,127}");

    /** What a ? marker stands for where it is. */
    enum Role { TOP, LAST_SYNC_VERSION, OBJECT_NAME, VALUE }

    /** A table source: a table or CHANGETABLE(CHANGES table, ...), by its alias (the table's name without one). */
    record Source(String alias, String table, boolean changes) {}

    /** A column reference, with its qualifier (a table alias) or null. */
    record Column(String qualifier, String name) {}

    /** What a statement is made of. */
    record Statement(String kind, List<Role> markers, List<Source> sources, List<Column> columns, List<String> functions,
            boolean top, boolean orderBy) {}

    private final String sql;
    private final List<Token> tokens;
    private int at;
    private final List<Role> markers = new ArrayList<>();
    private final List<Source> sources = new ArrayList<>();
    private final List<Column> columns = new ArrayList<>();
    private final List<String> functions = new ArrayList<>();

    private TsqlSyntax(String sql) {
        this.sql = sql;
        this.tokens = Token.scan(sql);
    }

    /** {@code sql} as one statement, or an IllegalArgumentException naming the production it breaks. */
    static Statement parse(String sql) {
        return new TsqlSyntax(sql).statement();
    }

    private Statement statement() {
        String kind;
        boolean top = false;
        boolean orderBy = false;
        if (peekWord("SET")) {
            kind = "SET TRANSACTION ISOLATION LEVEL";
            setTransactionIsolationLevel();
        } else {
            kind = "SELECT";
            boolean[] clauses = select();
            top = clauses[0];
            orderBy = clauses[1];
        }
        if (peekSymbol(";")) {
            at++;
        }
        if (at < tokens.size()) {
            throw error("statement", "nothing after the statement");
        }
        return new Statement(kind, List.copyOf(markers), List.copyOf(sources), List.copyOf(columns),
                List.copyOf(functions), top, orderBy);
    }

    /**
     * https://learn.microsoft.com/en-us/sql/t-sql/statements/set-transaction-isolation-level-transact-sql:
     * {@code SET TRANSACTION ISOLATION LEVEL { READ UNCOMMITTED | READ COMMITTED | REPEATABLE READ |
     * SNAPSHOT | SERIALIZABLE } [ ; ]}.
     */
    private void setTransactionIsolationLevel() {
        String production = "SET TRANSACTION ISOLATION LEVEL";
        for (String word : List.of("SET", "TRANSACTION", "ISOLATION", "LEVEL")) {
            expectWord(production, word);
        }
        if (acceptWord("READ")) {
            if (!acceptWord("UNCOMMITTED") && !acceptWord("COMMITTED")) {
                throw error(production, "READ UNCOMMITTED or READ COMMITTED");
            }
        } else if (acceptWord("REPEATABLE")) {
            expectWord(production, "READ");
        } else if (!acceptWord("SNAPSHOT") && !acceptWord("SERIALIZABLE")) {
            throw error(production, "one of READ UNCOMMITTED, READ COMMITTED, REPEATABLE READ, SNAPSHOT, SERIALIZABLE");
        }
    }

    /**
     * https://learn.microsoft.com/en-us/sql/t-sql/queries/select-transact-sql:
     * {@code SELECT [ TOP ( expression ) [ PERCENT ] [ WITH TIES ] ] <select_list> [ FROM
     * <table_source> [ ,...n ] ] [ WHERE <search_condition> ] [ ORDER BY order_by_expression [ ASC |
     * DESC ] [ ,...n ] ]}; returns whether it has TOP and ORDER BY.
     */
    private boolean[] select() {
        expectWord("SELECT", "SELECT");
        boolean top = false;
        if (acceptWord("TOP")) {
            // https://learn.microsoft.com/en-us/sql/t-sql/queries/top-transact-sql: TOP (expression);
            // SELECT still takes it unparenthesized for backward compatibility, which the page advises against.
            top = true;
            expectSymbol("TOP (expression)", "(");
            expression(Role.TOP);
            expectSymbol("TOP (expression)", ")");
            acceptWord("PERCENT");
            if (acceptWord("WITH")) {
                expectWord("TOP", "TIES");
            }
        }
        do {
            expression(Role.VALUE);
            if (acceptWord("AS")) {
                identifier("select_list column_alias");
            } else if (peekIdentifier()) {
                identifier("select_list column_alias");
            }
        } while (acceptSymbol(","));
        if (acceptWord("FROM")) {
            do {
                tableSource();
            } while (acceptSymbol(","));
        }
        if (acceptWord("WHERE")) {
            searchCondition();
        }
        boolean orderBy = false;
        if (acceptWord("ORDER")) {
            expectWord("ORDER BY", "BY");
            orderBy = true;
            do {
                expression(Role.VALUE);
                if (!acceptWord("ASC")) {
                    acceptWord("DESC");
                }
            } while (acceptSymbol(","));
        }
        return new boolean[] {top, orderBy};
    }

    /**
     * https://learn.microsoft.com/en-us/sql/t-sql/queries/from-transact-sql:
     * {@code <table_source> ::= table_or_view_name [ [ AS ] table_alias ] | ... | <joined_table>};
     * {@code <joined_table> ::= <table_source> <join_type> <table_source> ON <search_condition>};
     * {@code <join_type> ::= [ { INNER | { { LEFT | RIGHT | FULL } [ OUTER ] } } ] JOIN}.
     */
    private void tableSource() {
        tablePrimary();
        while (true) {
            if (acceptWord("INNER")) {
                expectWord("join_type", "JOIN");
            } else if (acceptWord("LEFT") || acceptWord("RIGHT") || acceptWord("FULL")) {
                acceptWord("OUTER");
                expectWord("join_type", "JOIN");
            } else if (!acceptWord("JOIN")) {
                return;
            }
            tablePrimary();
            expectWord("joined_table", "ON");
            searchCondition();
        }
    }

    private void tablePrimary() {
        if (peekWord("CHANGETABLE")) {
            changetable();
            return;
        }
        String table = objectName("table_or_view_name");
        String alias = table;
        if (acceptWord("AS")) {
            alias = identifier("table_alias");
        } else if (peekIdentifier()) {
            alias = identifier("table_alias");
        }
        sources.add(new Source(alias, table, false));
    }

    /**
     * https://learn.microsoft.com/en-us/sql/relational-databases/system-functions/changetable-transact-sql:
     * {@code CHANGETABLE ( { CHANGES <table_name> , <last_sync_version> | VERSION <table_name> ,
     * <primary_key_values> } [ , FORCESEEK ] ) [AS] <table_alias> [ ( <column_alias> [ ,...n ] ) ]};
     * last_sync_version is "a nullable bigint scalar value. An expression will cause a syntax error."
     */
    private void changetable() {
        String production = "CHANGETABLE";
        expectWord(production, "CHANGETABLE");
        expectSymbol(production, "(");
        if (peekWord("VERSION")) {
            throw error(production, "CHANGES (the VERSION form is outside what this recognizer covers)");
        }
        expectWord(production, "CHANGES");
        String table = objectName("CHANGETABLE <table_name>");
        expectSymbol(production, ",");
        Token version = next(production);
        if (version.kind() == Kind.PARAMETER) {
            markers.add(Role.LAST_SYNC_VERSION);
        } else if (!(version.kind() == Kind.INTEGER || version.kind() == Kind.VARIABLE || version.isWord("NULL"))) {
            throw error(production, "a scalar last_sync_version (a parameter, variable, integer or NULL)");
        }
        if (acceptSymbol(",")) {
            expectWord(production, "FORCESEEK");
        }
        expectSymbol(production + " last_sync_version (a scalar, not an expression)", ")");
        acceptWord("AS");
        String alias = identifier("CHANGETABLE <table_alias> (required)");
        if (acceptSymbol("(")) {
            do {
                identifier("CHANGETABLE <column_alias>");
            } while (acceptSymbol(","));
            expectSymbol(production, ")");
        }
        sources.add(new Source(alias, table, true));
    }

    /**
     * https://learn.microsoft.com/en-us/sql/t-sql/queries/search-condition-transact-sql:
     * {@code <search_condition> ::= [ NOT ] { <predicate> | ( <search_condition> ) } [ { AND | OR } [
     * NOT ] { <predicate> | ( <search_condition> ) } ] [ ...n ]}; {@code <predicate> ::= expression {
     * = | < > | ! = | > | > = | ! > | < | < = | ! < } expression | expression IS [ NOT ] NULL}.
     */
    private void searchCondition() {
        do {
            acceptWord("NOT");
            if (acceptSymbol("(")) {
                searchCondition();
                expectSymbol("search_condition", ")");
            } else {
                predicate();
            }
        } while (acceptWord("AND") || acceptWord("OR"));
    }

    private void predicate() {
        expression(Role.VALUE);
        if (acceptWord("IS")) {
            acceptWord("NOT");
            expectWord("predicate", "NULL");
            return;
        }
        Token operator = next("predicate");
        if (operator.kind() != Kind.OPERATOR) {
            throw error("predicate", "a comparison operator (=, <>, !=, >, >=, !>, <, <=, !<), found '" + operator.text() + "'");
        }
        expression(Role.VALUE);
    }

    /** An expression as the statements use them: a marker, a constant, a column, or a documented function call. */
    private void expression(Role role) {
        Token token = peek();
        if (token == null) {
            throw error("expression", "an expression, found the end of the statement");
        }
        if (token.kind() == Kind.PARAMETER) {
            at++;
            markers.add(role);
        } else if (token.kind() == Kind.INTEGER || token.kind() == Kind.NUMBER || token.kind() == Kind.STRING
                || token.kind() == Kind.VARIABLE || token.isWord("NULL")) {
            at++;
        } else if (token.kind() == Kind.WORD && at + 1 < tokens.size() && tokens.get(at + 1).isSymbol("(")) {
            functionCall();
        } else {
            String first = identifier("column_name");
            if (acceptSymbol(".")) {
                columns.add(new Column(first, identifier("column_name after its table alias")));
            } else {
                columns.add(new Column(null, first));
            }
        }
    }

    /**
     * CHANGE_TRACKING_MIN_VALID_VERSION ( table_object_id ):
     * https://learn.microsoft.com/en-us/sql/relational-databases/system-functions/change-tracking-min-valid-version-transact-sql;
     * CHANGE_TRACKING_CURRENT_VERSION ( ):
     * https://learn.microsoft.com/en-us/sql/relational-databases/system-functions/change-tracking-current-version-transact-sql;
     * OBJECT_ID ( '[ database_name . [ schema_name ] . | schema_name . ] object_name' [ ,'object_type' ] ):
     * https://learn.microsoft.com/en-us/sql/t-sql/functions/object-id-transact-sql.
     */
    private void functionCall() {
        Token name = next("function call");
        String function = name.text().toUpperCase(Locale.ROOT);
        expectSymbol(function, "(");
        switch (function) {
            case "CHANGE_TRACKING_MIN_VALID_VERSION" -> expression(Role.VALUE);
            case "CHANGE_TRACKING_CURRENT_VERSION" -> { }
            case "OBJECT_ID" -> {
                expression(Role.OBJECT_NAME);
                if (acceptSymbol(",")) {
                    expression(Role.VALUE);
                }
            }
            default -> throw error("function call", "a function this recognizer knows, not " + name.text());
        }
        expectSymbol(function + " arguments", ")");
        functions.add(function);
    }

    /** A one- to four-part name: [ server . [ database ] . [ schema ] . | database . [ schema ] . | schema . ] object. */
    private String objectName(String production) {
        List<String> parts = new ArrayList<>();
        parts.add(identifier(production));
        while (acceptSymbol(".")) {
            parts.add(identifier(production));
        }
        if (parts.size() > 4) {
            throw error(production, "at most four name parts");
        }
        return String.join(".", parts);
    }

    private String identifier(String production) {
        Token token = next(production);
        if (token.kind() == Kind.DELIMITED && !token.text().isEmpty() && token.text().length() <= 128) {
            return token.text();
        }
        if (token.kind() == Kind.WORD && REGULAR.matcher(token.text()).matches()
                && !RESERVED.contains(token.text().toUpperCase(Locale.ROOT))) {
            return token.text();
        }
        throw error(production, "an identifier (a reserved keyword must be delimited), found '" + token.text() + "'");
    }

    private boolean peekIdentifier() {
        Token token = peek();
        return token != null && (token.kind() == Kind.DELIMITED
                || token.kind() == Kind.WORD && !RESERVED.contains(token.text().toUpperCase(Locale.ROOT)));
    }

    private Token peek() {
        return at < tokens.size() ? tokens.get(at) : null;
    }

    private Token next(String production) {
        if (at >= tokens.size()) {
            throw error(production, "more, found the end of the statement");
        }
        return tokens.get(at++);
    }

    private boolean peekWord(String word) {
        Token token = peek();
        return token != null && token.isWord(word);
    }

    private boolean acceptWord(String word) {
        if (peekWord(word)) {
            at++;
            return true;
        }
        return false;
    }

    private void expectWord(String production, String word) {
        if (!acceptWord(word)) {
            throw error(production, word);
        }
    }

    private boolean peekSymbol(String symbol) {
        Token token = peek();
        return token != null && token.isSymbol(symbol);
    }

    private boolean acceptSymbol(String symbol) {
        if (peekSymbol(symbol)) {
            at++;
            return true;
        }
        return false;
    }

    private void expectSymbol(String production, String symbol) {
        if (!acceptSymbol(symbol)) {
            throw error(production, "'" + symbol + "'");
        }
    }

    private IllegalArgumentException error(String production, String expected) {
        int offset = at < tokens.size() ? tokens.get(at).start() : sql.length();
        return new IllegalArgumentException("not T-SQL's " + production + ": expected " + expected + " at offset "
                + offset + " of: " + sql);
    }

    private enum Kind { WORD, DELIMITED, STRING, INTEGER, NUMBER, PARAMETER, VARIABLE, OPERATOR, SYMBOL }

    private record Token(Kind kind, String text, int start) {

        private static final List<String> OPERATORS = List.of("<>", "!=", ">=", "<=", "!>", "!<", "=", ">", "<");

        boolean isWord(String word) {
            return kind == Kind.WORD && text.equalsIgnoreCase(word);
        }

        boolean isSymbol(String symbol) {
            return kind == Kind.SYMBOL && text.equals(symbol);
        }

        static List<Token> scan(String sql) {
            List<Token> tokens = new ArrayList<>();
            int i = 0;
            while (i < sql.length()) {
                char c = sql.charAt(i);
                int start = i;
                if (Character.isWhitespace(c)) {
                    i++;
                    continue;
                }
                if (c == '[') {
                    StringBuilder name = new StringBuilder();
                    i++;
                    while (true) {
                        if (i >= sql.length()) {
                            throw new IllegalArgumentException("unclosed [ at offset " + start + " of: " + sql);
                        }
                        if (sql.charAt(i) == ']') {
                            if (i + 1 < sql.length() && sql.charAt(i + 1) == ']') {
                                name.append(']');
                                i += 2;
                                continue;
                            }
                            i++;
                            break;
                        }
                        name.append(sql.charAt(i++));
                    }
                    tokens.add(new Token(Kind.DELIMITED, name.toString(), start));
                } else if (c == '\'') {
                    i++;
                    while (i < sql.length() && !(sql.charAt(i) == '\'' && (i + 1 >= sql.length() || sql.charAt(i + 1) != '\''))) {
                        i += sql.charAt(i) == '\'' ? 2 : 1;
                    }
                    if (i >= sql.length()) {
                        throw new IllegalArgumentException("unclosed ' at offset " + start + " of: " + sql);
                    }
                    i++;
                    tokens.add(new Token(Kind.STRING, sql.substring(start, i), start));
                } else if (c == '@') {
                    i++;
                    while (i < sql.length() && (Character.isLetterOrDigit(sql.charAt(i)) || "_@#$".indexOf(sql.charAt(i)) >= 0)) {
                        i++;
                    }
                    tokens.add(new Token(Kind.VARIABLE, sql.substring(start, i), start));
                } else if (Character.isLetter(c) || c == '_' || c == '#') {
                    while (i < sql.length() && (Character.isLetterOrDigit(sql.charAt(i)) || "_@#$".indexOf(sql.charAt(i)) >= 0)) {
                        i++;
                    }
                    tokens.add(new Token(Kind.WORD, sql.substring(start, i), start));
                } else if (Character.isDigit(c)) {
                    while (i < sql.length() && Character.isDigit(sql.charAt(i))) {
                        i++;
                    }
                    Kind kind = Kind.INTEGER;
                    if (i < sql.length() && sql.charAt(i) == '.') {
                        kind = Kind.NUMBER;
                        i++;
                        while (i < sql.length() && Character.isDigit(sql.charAt(i))) {
                            i++;
                        }
                    }
                    tokens.add(new Token(kind, sql.substring(start, i), start));
                } else if (c == '?') {
                    i++;
                    tokens.add(new Token(Kind.PARAMETER, "?", start));
                } else {
                    String operator = OPERATORS.stream().filter(o -> sql.startsWith(o, start)).findFirst().orElse(null);
                    if (operator != null) {
                        i += operator.length();
                        tokens.add(new Token(Kind.OPERATOR, operator, start));
                    } else if ("(),.;".indexOf(c) >= 0) {
                        i++;
                        tokens.add(new Token(Kind.SYMBOL, String.valueOf(c), start));
                    } else {
                        throw new IllegalArgumentException("'" + c + "' at offset " + start + " is no token this recognizer"
                                + " covers (no arithmetic, no comments): " + sql);
                    }
                }
            }
            return tokens;
        }
    }
}
