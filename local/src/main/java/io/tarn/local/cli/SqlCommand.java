package io.tarn.local.cli;

import io.tarn.local.adapters.LocalAzureSql;
import io.tarn.local.adapters.LocalQuery;
import java.io.PrintStream;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "sql",
        description = "run a statement on the local H2 database under DIR/azuresql (CSV, or the update count)")
final class SqlCommand extends LakeCommand {

    @Parameters(paramLabel = "STATEMENT", hideParamSyntax = true, description = "one SQL statement (quote it)")
    private List<String> statement = new ArrayList<>();

    SqlCommand(PrintStream out, PrintStream err) {
        super(out, err);
    }

    @Override
    public Integer call() throws Exception {
        String text = Commands.one(spec, statement, "statement (quote it)");
        try (Connection connection = LocalAzureSql.open(dir.writable()).open();
                Statement sql = connection.createStatement()) {
            if (sql.execute(text)) {
                try (ResultSet rows = sql.getResultSet()) {
                    LocalQuery.printCsv(rows, out);
                }
            } else {
                int count = sql.getUpdateCount();
                out.println(count + (count == 1 ? " row" : " rows") + " affected");
            }
            return 0;
        } catch (SQLException e) {
            throw new IllegalStateException("statement failed: " + e.getMessage().lines().findFirst().orElse(""), e);
        }
    }
}
