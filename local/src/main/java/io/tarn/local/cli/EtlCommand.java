package io.tarn.local.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tarn.etl.RunManifest;
import io.tarn.local.lake.LocalEtl;
import io.tarn.local.lake.LocalLake;
import io.tarn.local.sfn.LocalStateMachine;
import io.tarn.local.sfn.StateMachineDefinition;
import io.tarn.pipeline.PipelineLoader;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

@Command(name = "etl",
        description = "run the ETL state machine: the Glue job on Spark local (join by default), the crawler refresh"
                + " and the registration of the partitions the job wrote in the local catalog")
final class EtlCommand extends LakeCommand.WithPipeline {

    @Option(names = "--mode", paramLabel = "join|backfill", converter = Mode.Converter.class,
            description = "join (the default): refresh every dataset's current table, then build the joins;"
                    + " backfill: convert the datasets' raw objects again")
    private Mode mode = Mode.JOIN;

    // The Glue job reads the list (EtlSettings); it goes into the execution's input as given.
    @Option(names = "--datasets", paramLabel = "a,b",
            description = "backfill: the datasets to convert; join: the joins to build (default: all)")
    private Optional<String> datasets = Optional.empty();

    @Option(names = "--run-id", paramLabel = "ID", description = "the run's id (default: local-<UTC time>)")
    private Optional<String> runId = Optional.empty();

    EtlCommand(PrintStream out, PrintStream err) {
        super(out, err);
    }

    /** The Glue job's {@code --mode}. */
    enum Mode {
        JOIN, BACKFILL;

        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }

        static final class Converter implements ITypeConverter<Mode> {
            @Override
            public Mode convert(String value) {
                for (Mode mode : values()) {
                    if (mode.toString().equals(value)) {
                        return mode;
                    }
                }
                throw new TypeConversionException("takes join or backfill, got '" + value + "'");
            }
        }
    }

    @Override
    public Integer call() throws Exception {
        Path lakeDir = dir.writable();
        Path pipelineFile = pipeline.file(lakeDir);
        PipelineLoader.load(pipelineFile);
        String run = runId.orElseGet(() -> Commands.runId("local-"));
        RunManifest.checkRunId(run);
        ObjectNode input = Commands.JSON.createObjectNode();
        input.put("mode", mode.toString());
        datasets.ifPresent(names -> input.put("datasets", names));

        out.println("tarn etl: run " + run + " (" + mode + "), states:");
        try (LocalLake lake = LocalLake.open(lakeDir); LocalEtl.LocalSpark spark = new LocalEtl.LocalSpark(lakeDir.resolve("tmp"))) {
            LocalEtl etl = new LocalEtl(lake, pipelineFile, StateMachineDefinition.loadResource("statemachine/etl.asl.json"),
                    spark, out, err, Duration.ZERO);
            LocalStateMachine.Execution execution = etl.run(run, input);
            if (!execution.succeeded()) {
                err.println("tarn: etl run " + run + " failed: " + execution.error() + ": " + execution.cause());
                return 1;
            }
            JsonNode report = execution.output().path("repair").path("report");
            for (JsonNode table : report.path("tables")) {
                out.println("  " + table.path("table").asText() + ": " + table.path("partitions").asLong() + " partitions written, "
                        + table.path("registered").asLong() + " newly registered");
            }
            out.println("tarn etl: done; query with ./tarn query \"SELECT * FROM <table>\"");
            return 0;
        }
    }
}
