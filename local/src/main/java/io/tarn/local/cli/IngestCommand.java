package io.tarn.local.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tarn.local.lake.LocalLake;
import io.tarn.local.lake.RawObjectIngest;
import io.tarn.pipeline.Dataset;
import io.tarn.pipeline.PipelineConfig;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import software.amazon.awssdk.core.sync.RequestBody;

@Command(name = "ingest", description = "put a CSV file into the local raw bucket and run the RawObject function on it")
final class IngestCommand extends LakeCommand.WithPipeline {

    @Option(names = "--dataset", paramLabel = "NAME", required = true, description = "the dataset of pipeline.yaml the file belongs to")
    private String datasetName;

    @Option(names = "--file", paramLabel = "PATH", required = true, description = "the CSV file")
    private Path file;

    IngestCommand(PrintStream out, PrintStream err) {
        super(out, err);
    }

    @Override
    public Integer call() throws Exception {
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new IllegalArgumentException("cannot read file " + file);
        }
        PipelineConfig config = pipeline.load();
        Dataset dataset = config.dataset(datasetName).orElseThrow(() -> new IllegalArgumentException(
                "unknown dataset '" + datasetName + "' (pipeline.yaml has: "
                        + config.datasets().stream().map(Dataset::name).collect(Collectors.joining(", ")) + ")"));
        String key = dataset.rawPrefix() + file.getFileName();
        try (LocalLake lake = LocalLake.open(dir.writable())) {
            lake.s3().putObject(b -> b.bucket(LocalLake.RAW_BUCKET).key(key), RequestBody.fromFile(file));
            ObjectNode summary = new RawObjectIngest(lake, config, err).ingest(key);
            Commands.printJson(out, summary);
            return summary.path("status").asText().equals("skipped") ? 1 : 0;
        }
    }
}
