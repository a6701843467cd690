package io.tarn.local.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.tarn.local.lake.LakeStatus;
import io.tarn.local.lake.LocalLake;
import io.tarn.pipeline.PipelineConfig;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "status",
        description = "per dataset: the newest raw object and when it landed, objects converted and waiting, rows"
                + " quarantined, the current table's last refresh and lag, the poller's watermark and lease; then what"
                + " the stack's alarms would flag (exit 3 when anything is flagged)")
final class StatusCommand extends LakeCommand.WithPipeline {

    /** The exit code when an alarm would fire: 1 and 2 are a failure and a bad command line. */
    static final int FLAGGED = 3;

    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = "--json", description = "print the status as one JSON object")
    private boolean json;

    private final Clock clock;

    StatusCommand(PrintStream out, PrintStream err) {
        this(out, err, Clock.systemUTC());
    }

    StatusCommand(PrintStream out, PrintStream err, Clock clock) {
        super(out, err);
        this.clock = clock;
    }

    @Override
    public Integer call() throws Exception {
        Path lakeDir = dir.path();
        // Only reads: a DIR that holds no lake is said so, not created.
        if (!Files.isDirectory(lakeDir.resolve("s3").resolve(LocalLake.RAW_BUCKET))) {
            throw new IllegalArgumentException("no lake under " + lakeDir + " (tarn demo, ingest or up makes one)");
        }
        PipelineConfig config = pipeline.load();
        LakeStatus.Report report;
        try (LocalLake lake = LocalLake.open(lakeDir)) {
            report = LakeStatus.of(lake, config, clock);
        }
        if (json) {
            out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(LakeStatus.toJson(report)));
        } else {
            LakeStatus.print(report, out);
        }
        return report.flags().isEmpty() ? 0 : FLAGGED;
    }
}
