package io.tarn.local.cli;

import io.tarn.local.lake.BundledFile;
import io.tarn.pipeline.PipelineConfig;
import io.tarn.pipeline.PipelineLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Option;

/** {@code --pipeline}: pipeline.yaml, for the commands that read it. */
final class PipelineOption {

    @Option(names = "--pipeline", paramLabel = "FILE", order = LakeCommand.COMMON_OPTIONS + 1,
            description = "pipeline.yaml (default: ./pipeline.yaml, else the one in the tarn jar)")
    private Optional<String> file = Optional.empty();

    /** The pipeline: --pipeline, ./pipeline.yaml, or the one in the tarn jar. */
    PipelineConfig load() {
        if (file.isPresent()) {
            return PipelineLoader.load(Path.of(file.get()));
        }
        Path local = Path.of("pipeline.yaml");
        return Files.exists(local) ? PipelineLoader.load(local) : PipelineLoader.loadResource("pipeline.yaml");
    }

    /** pipeline.yaml as a file: --pipeline, ./pipeline.yaml, or the one in the tarn jar copied under {@code dir}. */
    Path file(Path dir) throws IOException {
        return BundledFile.resolve(file, "--pipeline", "pipeline.yaml", dir);
    }
}
