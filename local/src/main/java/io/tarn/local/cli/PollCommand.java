package io.tarn.local.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tarn.local.adapters.LocalAzureSql;
import io.tarn.local.lake.LocalLake;
import io.tarn.local.lake.RawObjectIngest;
import io.tarn.pipeline.Dataset;
import io.tarn.pipeline.PipelineConfig;
import io.tarn.pipeline.SourceKind;
import io.tarn.poll.ConnectionFactory;
import io.tarn.poll.Deadline;
import io.tarn.poll.PollReport;
import io.tarn.poll.PollRequest;
import java.io.PrintStream;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.TypeConversionException;

@Command(name = "poll",
        description = "pull changed rows of the azuresql datasets into the local raw bucket and ingest each new object")
final class PollCommand extends LakeCommand.WithPipeline {

    @Option(names = "--jdbc-url", paramLabel = "URL",
            description = "the database to poll (default: the local H2 database under DIR/azuresql, seeded on first use)")
    private String url;

    @Option(names = "--user", paramLabel = "U", description = "the user for --jdbc-url")
    private String user;

    @Option(names = "--password", paramLabel = "P", description = "the password for --jdbc-url")
    private String password;

    @Option(names = "--tables", paramLabel = "a,b", converter = Names.Converter.class,
            description = "the azuresql datasets to poll (default: all)")
    private Names tables = new Names(List.of());

    @Option(names = "--snapshot-keys",
            description = "also land a key snapshot now (the next etl deletes rows whose keys are gone)")
    private boolean snapshotKeys;

    PollCommand(PrintStream out, PrintStream err) {
        super(out, err);
    }

    /** Names separated by commas, each once; none means all. */
    record Names(List<String> names) {

        static final class Converter implements ITypeConverter<Names> {
            @Override
            public Names convert(String value) {
                List<String> names = new ArrayList<>();
                for (String name : value.split(",", -1)) {
                    String trimmed = name.trim();
                    if (trimmed.isEmpty()) {
                        throw new TypeConversionException("takes dataset names separated by commas, got '" + value + "'");
                    }
                    if (!names.contains(trimmed)) {
                        names.add(trimmed);
                    }
                }
                return new Names(names);
            }
        }
    }

    @Override
    public Integer call() throws Exception {
        if (url == null && (user != null || password != null)) {
            throw new ParameterException(spec.commandLine(), "--user and --password go with --jdbc-url");
        }
        PipelineConfig config = pipeline.load();
        PollRequest request = new PollRequest(polled(tables.names(), config), snapshotKeys);
        Path lakeDir = dir.writable();
        ConnectionFactory connections = url == null
                ? LocalAzureSql.open(lakeDir)
                : () -> DriverManager.getConnection(url, user, password);
        try (LocalLake lake = LocalLake.open(lakeDir)) {
            PollReport report = lake.sqlPollerService(config, connections, err).poll(request, Deadline.none());
            RawObjectIngest ingest = new RawObjectIngest(lake, config, err);
            ObjectNode summary = Commands.JSON.createObjectNode();
            ArrayNode tableNodes = summary.putArray("tables");
            boolean skipped = false;
            for (PollReport.TableReport table : report.tables()) {
                ObjectNode node = tableNodes.addObject();
                node.put("dataset", table.dataset());
                node.put("pages", table.pages());
                node.put("rows", table.rows());
                ArrayNode keys = node.putArray("objectKeys");
                table.objectKeys().forEach(keys::add);
                node.put("caughtUp", table.caughtUp());
                table.stoppedBecause().ifPresent(reason -> node.put("stoppedBecause", reason));
                table.keySnapshot().ifPresent(outcome -> node.put("keySnapshot", outcome));
                ArrayNode objects = node.putArray("objects");
                for (String key : table.objectKeys()) {
                    ObjectNode ingested = ingest.ingest(key);
                    ObjectNode object = objects.addObject();
                    object.put("key", key);
                    for (String field : List.of("status", "rowsRead", "rowsWritten", "rowsQuarantined", "reason")) {
                        if (ingested.has(field)) {
                            object.set(field, ingested.get(field));
                        }
                    }
                    skipped |= ingested.path("status").asText().equals("skipped");
                }
            }
            Commands.printJson(out, summary);
            return skipped ? 1 : 0;
        }
    }

    /** The datasets named by {@code --tables}, checked against pipeline.yaml; none means all. */
    private static List<String> polled(List<String> names, PipelineConfig pipeline) {
        List<String> polled = pipeline.datasets().stream()
                .filter(d -> d.source() == SourceKind.AZURESQL).map(Dataset::name).toList();
        for (String name : names) {
            if (!polled.contains(name)) {
                throw new IllegalArgumentException("unknown azuresql dataset '" + name + "' (pipeline.yaml has: "
                        + String.join(", ", polled) + ")");
            }
        }
        return names;
    }
}
