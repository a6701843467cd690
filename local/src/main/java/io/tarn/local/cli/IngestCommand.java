package io.tarn.local.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tarn.local.lake.LocalLake;
import io.tarn.local.lake.RawObjectIngest;
import io.tarn.pipeline.Dataset;
import io.tarn.pipeline.PipelineConfig;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.io.IOException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
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
        // The embedded S3 server takes most of a small ingest's start: it starts on a thread of its
        // own while this one reads pipeline.yaml and loads the classes the conversion needs first.
        FutureTask<LocalLake> opening = new FutureTask<>(() -> LocalLake.open(dir.writable()));
        Thread opener = new Thread(opening, "tarn-lake-open");
        opener.setDaemon(true);
        opener.start();
        String key;
        PipelineConfig config;
        try {
            config = pipeline.load();
            Dataset dataset = config.dataset(datasetName).orElseThrow(() -> new IllegalArgumentException(
                    "unknown dataset '" + datasetName + "' (pipeline.yaml has: "
                            + config.datasets().stream().map(Dataset::name).collect(Collectors.joining(", ")) + ")"));
            key = dataset.rawPrefix() + file.getFileName();
            RawObjectIngest.preload(dataset);
        } catch (RuntimeException e) {
            closeWhenOpened(opening, e);
            throw e;
        }
        try (LocalLake lake = opened(opening)) {
            lake.s3().putObject(b -> b.bucket(LocalLake.RAW_BUCKET).key(key), RequestBody.fromFile(file));
            ObjectNode summary = new RawObjectIngest(lake, config, err).ingest(key);
            Commands.printJson(out, summary);
            return summary.path("status").asText().equals("skipped") ? 1 : 0;
        }
    }

    /** Closes the lake once it is open, after a failure that leaves no use for it. */
    private static void closeWhenOpened(FutureTask<LocalLake> opening, RuntimeException failure) {
        try {
            opened(opening).close();
        } catch (IOException | RuntimeException e) {
            failure.addSuppressed(e);
        }
    }

    /** The lake the opener thread opened, or what it failed with. */
    private static LocalLake opened(FutureTask<LocalLake> opening) throws IOException {
        try {
            return opening.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the local lake opened", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException(cause);
        }
    }
}
