package io.tarn.local.cli;

import io.tarn.local.adapters.LocalCatalog;
import io.tarn.local.lake.LocalLake;
import io.tarn.local.adapters.LocalQuery;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "query",
        description = "run SQL on the staging tables (registered partitions only; with --account, only that account's)")
final class QueryCommand implements Callable<Integer> {

    @Option(names = "--account", paramLabel = "ID",
            description = "only this account's partitions are in the views, and DuckDB may read no other file")
    private Optional<String> account = Optional.empty();

    @Parameters(paramLabel = "SQL", hideParamSyntax = true, description = "one SQL statement (quote it)")
    private List<String> sql = new ArrayList<>();

    @Mixin
    private DirOption dir;

    @Mixin
    private HelpOption help;

    @Spec
    private CommandSpec spec;

    private final PrintStream out;

    QueryCommand(PrintStream out) {
        this.out = out;
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
