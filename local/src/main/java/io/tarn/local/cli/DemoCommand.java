package io.tarn.local.cli;

import io.tarn.local.lake.LakeStatus;
import io.tarn.local.lake.LocalDemo;
import io.tarn.local.lake.LocalEtl;
import io.tarn.local.lake.LocalLake;
import io.tarn.pipeline.PipelineConfig;
import io.tarn.pipeline.PipelineLoader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import picocli.CommandLine.Command;

@Command(name = "demo",
        description = "the whole lake from an empty DIR: seeds the sources, polls, converts every raw object, runs the"
                + " ETL state machine, prints what each dataset became, answers two queries and ends with tarn status;"
                + " run again, it does only what is new")
final class DemoCommand extends LakeCommand.WithPipeline {

    DemoCommand(PrintStream out, PrintStream err) {
        super(out, err);
    }

    @Override
    public Integer call() throws Exception {
        Path lakeDir = dir.writable();
        Path pipelineFile = pipeline.file(lakeDir);
        PipelineConfig config = PipelineLoader.load(pipelineFile);
        Path logFile = Files.createDirectories(lakeDir.resolve("logs")).resolve("demo.log");
        out.println("tarn demo: the lake under " + lakeDir.toAbsolutePath() + " (function logs: " + logFile + ")");
        try (LocalLake lake = LocalLake.open(lakeDir);
                LocalEtl.LocalSpark spark = new LocalEtl.LocalSpark(lakeDir.resolve("tmp"));
                PrintStream logs = new PrintStream(Files.newOutputStream(logFile,
                        StandardOpenOption.CREATE, StandardOpenOption.APPEND), true, StandardCharsets.UTF_8)) {
            LocalDemo.Summary summary = new LocalDemo(lake, config, pipelineFile, spark, out, logs)
                    .run(Commands.runId("demo-"));
            // What tarn status says of the lake now; its flags do not fail the demo.
            out.println();
            out.println("  tarn status --dir " + lakeDir);
            LakeStatus.print(LakeStatus.of(lake, config, Clock.systemUTC()), out);
            return summary.etlSucceeded() ? 0 : 1;
        }
    }
}
