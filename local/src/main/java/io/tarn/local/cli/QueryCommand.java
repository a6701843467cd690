package io.tarn.local.cli;

import io.tarn.local.adapters.LocalCatalog;
import io.tarn.local.adapters.LocalQuery;
import io.tarn.local.lake.LocalLake;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "query",
        description = "run SQL on the staging tables (registered partitions only; with --account, only that account's)")
final class QueryCommand extends LakeCommand {

    @Option(names = "--account", paramLabel = "ID",
            description = "only this account's partitions are in the views, and DuckDB may read no other file")
    private Optional<String> account = Optional.empty();

    @Parameters(paramLabel = "SQL", hideParamSyntax = true, description = "one SQL statement (quote it)")
    private List<String> sql = new ArrayList<>();

    QueryCommand(PrintStream out, PrintStream err) {
        super(out, err);
    }

    @Override
    public Integer call() throws Exception {
        String statement = Commands.one(spec, sql, "SQL statement (quote it)");
        Path lake = dir.path();
        // Querying needs no S3 server: staging objects are plain files under DIR/s3/<bucket>.
        LocalQuery query = new LocalQuery(new LocalCatalog(lake.resolve("catalog")),
                lake.resolve("s3").resolve(LocalLake.STAGING_BUCKET), LocalLake.STAGING_BUCKET);
        query.run(statement, account, out);
        return 0;
    }
}
