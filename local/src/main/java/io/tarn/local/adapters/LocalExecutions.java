package io.tarn.local.adapters;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tarn.etl.RunManifest;
import io.tarn.etl.trigger.EtlExecutions;
import io.tarn.etl.trigger.EtlTriggerException;
import io.tarn.local.sfn.LocalStateMachine.Execution;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The ETL state machine's executions on the local lake, kept as Step Functions keeps them: by name,
 * one file each under {@code DIR/executions/}, so that a name is started once whatever process asks
 * again ({@code ExecutionAlreadyExists}). Starting one hands it to a {@link Runner}: {@code tarn
 * invoke} runs it before it exits, {@code tarn up} beside its watcher.
 */
public final class LocalExecutions implements EtlExecutions {

    /** Runs a started execution, now or later, and reports its end to {@code executions}' {@link #finished}. */
    @FunctionalInterface
    public interface Runner {
        void run(String name, JsonNode input, LocalExecutions executions);
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path folder;
    private final Runner runner;
    private final Clock clock;

    public LocalExecutions(Path dir, Runner runner, Clock clock) {
        this.folder = requireNonNull(dir, "dir is null").resolve("executions");
        this.runner = requireNonNull(runner, "runner is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    @Override
    public boolean start(String name, String input) {
        RunManifest.checkRunId(name);
        JsonNode parsed;
        try {
            parsed = JSON.readTree(input);
            Files.createDirectories(folder);
            ObjectNode record = JSON.createObjectNode().put("name", name).put("status", "RUNNING")
                    .put("startedAt", clock.instant().toString());
            record.set("input", parsed);
            // CREATE_NEW decides, atomically, which start of a name is the one.
            Files.write(file(name), JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(record),
                    java.nio.file.StandardOpenOption.CREATE_NEW, java.nio.file.StandardOpenOption.WRITE);
        } catch (FileAlreadyExistsException e) {
            return false;
        } catch (IOException e) {
            throw new EtlTriggerException("Cannot start local execution " + name + " under " + folder, e);
        }
        runner.run(name, parsed, this);
        return true;
    }

    /** Records how the execution ended. */
    public void finished(Execution execution) {
        try {
            ObjectNode record = (ObjectNode) JSON.readTree(file(execution.name()).toFile());
            record.put("status", execution.succeeded() ? "SUCCEEDED" : "FAILED").put("stoppedAt", clock.instant().toString());
            if (!execution.succeeded()) {
                record.put("error", execution.error()).put("cause", execution.cause());
            }
            Path temp = Files.createTempFile(folder, execution.name(), ".tmp");
            Files.write(temp, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(record));
            Files.move(temp, file(execution.name()), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot record the end of local execution " + execution.name(), e);
        }
    }

    /** Every execution started on this lake, by name. */
    public List<JsonNode> list() throws IOException {
        List<JsonNode> executions = new ArrayList<>();
        if (!Files.isDirectory(folder)) {
            return executions;
        }
        try (Stream<Path> files = Files.list(folder)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".json")).sorted().toList()) {
                executions.add(JSON.readTree(file.toFile()));
            }
        }
        return executions;
    }

    private Path file(String name) {
        return folder.resolve(name + ".json");
    }
}
