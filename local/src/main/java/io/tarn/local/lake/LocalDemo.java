package io.tarn.local.lake;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.tarn.aws.s3.S3ObjectStore;
import io.tarn.catalog.Partition;
import io.tarn.etl.RunManifest;
import io.tarn.ingest.IngestOutcome;
import io.tarn.ingest.Manifest;
import io.tarn.ingest.RawObjectRef;
import io.tarn.ingest.RawObjectService;
import io.tarn.local.adapters.LocalAzureSql;
import io.tarn.local.adapters.LocalQuery;
import io.tarn.local.sfn.LocalStateMachine;
import io.tarn.local.sfn.StateMachineDefinition;
import io.tarn.pipeline.Dataset;
import io.tarn.pipeline.JoinSpec;
import io.tarn.pipeline.PipelineConfig;
import io.tarn.poll.Deadline;
import io.tarn.poll.PollReport;
import io.tarn.poll.PollRequest;
import io.tarn.storage.ObjectStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.apache.spark.sql.SparkSession;

/**
 * {@code tarn demo}: the whole lake on this machine, from an empty folder. Seeds the sources (the
 * Azure SQL database in H2; DMS full-load and CDC files of MySQL orders and MongoDB events in the
 * raw bucket, as DMS would write them), polls Azure SQL, hands every raw object to the RawObject
 * function, runs the ETL state machine, then prints what each dataset became and answers two
 * queries; then deletes a row in Azure SQL, polls with a key snapshot and runs the ETL again, and
 * shows the row gone. Every source's deletes are on show: the DMS CDC file updates one order and
 * deletes another, a MongoDB CDC file deletes an event by its _id alone. Run again on the same
 * folder, it does only what is new: the ledger answers for every object converted before, the
 * poller's watermarks for every row pulled before.
 */
public final class LocalDemo {

    /** DMS files the demo lands in the raw bucket, by key; bundled in the tarn jar under samples/. */
    static final List<String> DMS_FILES = List.of(
            "dms/shop/orders/LOAD00000001.csv",
            "dms/shop/orders/20240601-1200000000.csv",
            "dms/app/events/LOAD00000001.csv",
            "dms/app/events/20240601-1200000000.csv");

    /** The Azure SQL row the demo deletes at the source, after the first ETL run. */
    static final String AZURE_SQL_DELETE = "DELETE FROM dbo.invoices WHERE invoice_id = 9003";

    /** What one dataset or joined table holds after the run. */
    public record DatasetSummary(String name, int rawObjects, int newObjects, long rowsRead, long rowsWritten,
            long rowsQuarantined, int partitions) {}

    /** What the demo did, for its caller to check. */
    public record Summary(List<DatasetSummary> datasets, int objectsPolled, boolean etlSucceeded) {}

    private static final ObjectMapper JSON = new ObjectMapper();

    private final LocalLake lake;
    private final PipelineConfig pipeline;
    private final Path pipelineFile;
    private final Supplier<SparkSession> spark;
    private final PrintStream out;
    private final PrintStream logs;

    /**
     * @param out progress, the summary table and the queries' answers
     * @param logs the functions' JSON log lines
     */
    public LocalDemo(LocalLake lake, PipelineConfig pipeline, Path pipelineFile, Supplier<SparkSession> spark,
            PrintStream out, PrintStream logs) {
        this.lake = requireNonNull(lake, "lake is null");
        this.pipeline = requireNonNull(pipeline, "pipeline is null");
        this.pipelineFile = requireNonNull(pipelineFile, "pipelineFile is null");
        this.spark = requireNonNull(spark, "spark is null");
        this.out = requireNonNull(out, "out is null");
        this.logs = requireNonNull(logs, "logs is null");
    }

    public Summary run(String runId) throws IOException, SQLException {
        ObjectStore store = new S3ObjectStore(lake.s3());

        out.println("[1/6] sources: Azure SQL in H2 under " + lake.dir().resolve("azuresql")
                + ", DMS files in s3://" + LocalLake.RAW_BUCKET);
        var connections = LocalAzureSql.open(lake.dir());
        int landed = 0;
        for (String key : DMS_FILES) {
            if (store.head(LocalLake.RAW_BUCKET, key).isEmpty()) {
                try (InputStream sample = resource("samples/" + key)) {
                    store.put(LocalLake.RAW_BUCKET, key, sample.readAllBytes(), "text/csv");
                }
                landed++;
            }
        }
        out.println("      " + landed + " DMS file(s) landed, " + (DMS_FILES.size() - landed) + " already there");

        out.println("[2/6] polling Azure SQL (SqlPoller)");
        PollReport report = lake.sqlPollerService(pipeline, connections, logs).poll(PollRequest.all(), Deadline.none());
        int polled = 0;
        for (PollReport.TableReport table : report.tables()) {
            out.printf("      %-10s %d row(s) in %d new object(s)%n", table.dataset(), table.rows(), table.objectKeys().size());
            polled += table.objectKeys().size();
        }

        out.println("[3/6] converting raw objects (RawObject)");
        RawObjectService rawObject = lake.rawObjectService(pipeline, logs);
        Map<String, Integer> newObjects = new LinkedHashMap<>();
        Map<String, Integer> rawObjects = new LinkedHashMap<>();
        convert(store, rawObject, rawObjects, newObjects);

        out.println("[4/6] ETL state machine (Glue job on Spark local, crawler refresh, partition registration)");
        LocalEtl etl = new LocalEtl(lake, pipelineFile, StateMachineDefinition.loadResource("statemachine/etl.asl.json"),
                spark, new PrintStream(PrintStream.nullOutputStream()), logs, Duration.ZERO);
        LocalStateMachine.Execution execution = etl(etl, runId);

        out.println("[5/6] what the lake holds");
        List<DatasetSummary> summaries = summarise(store, rawObjects, newObjects, runId);
        printTable(summaries);

        LocalQuery query = lake.query();
        out.println();
        out.println("Account acme's orders as they are now (the current table orders; every change is in"
                + " orders_changes), queried as acme (tarn query --account acme):");
        query.run("""
                SELECT order_id, status, total, currency, created_at
                FROM orders
                ORDER BY order_id""", Optional.of("acme"), out);
        out.println();
        out.println("account_daily for acme and globex:");
        query.run("""
                SELECT account_id, day, orders, revenue, invoiced, events, plan, region
                FROM account_daily WHERE account_id IN ('acme', 'globex') ORDER BY account_id, day""", Optional.empty(), out);
        out.println();
        out.println("Orders 1002 and 1004 in the change log (orders_changes) and in the current table (orders):"
                + " the CDC file updated 1002 and deleted 1004");
        query.run("""
                SELECT c.order_id, count(*) AS changes, max_by(c._op, c._commit_ts) AS last_op, max(o.status) AS now
                FROM orders_changes c LEFT JOIN orders o ON o.order_id = c.order_id
                WHERE c.order_id IN (1002, 1004) GROUP BY c.order_id ORDER BY c.order_id""", Optional.empty(), out);
        out.println();
        out.println("Events: the MongoDB CDC file deleted acme's checkout by its _id alone; the current table:");
        query.run("SELECT account_id, event_type FROM events ORDER BY account_id, event_type", Optional.empty(), out);

        out.println();
        out.println("[6/6] a hard delete in Azure SQL, caught by a key snapshot: " + AZURE_SQL_DELETE);
        int deleted;
        try (Connection connection = connections.open(); Statement statement = connection.createStatement()) {
            deleted = statement.executeUpdate(AZURE_SQL_DELETE);
        }
        out.println("      " + deleted + " row(s) deleted; polling invoices with a key snapshot (snapshot_keys)");
        for (PollReport.TableReport table : lake.sqlPollerService(pipeline, connections, logs)
                .poll(new PollRequest(List.of("invoices"), true), Deadline.none()).tables()) {
            out.printf("      %-10s %d row(s) in %d new object(s), key snapshot %s%n", table.dataset(), table.rows(),
                    table.objectKeys().size(), table.keySnapshot().orElse("none"));
        }
        convert(store, rawObject, new LinkedHashMap<>(), new LinkedHashMap<>());
        LocalStateMachine.Execution deletes = etl(etl, runId + "-deletes");
        out.println("Invoices now (9003 is gone; its delete is in invoices_changes, named after the snapshot):");
        query.run("SELECT invoice_id, account_id, amount FROM invoices ORDER BY invoice_id", Optional.empty(), out);
        return new Summary(summaries, polled, execution.succeeded() && deletes.succeeded());
    }

    /** Hands every raw object of a dataset to RawObject; counts them, and those it converted now. */
    private void convert(ObjectStore store, RawObjectService rawObject, Map<String, Integer> rawObjects,
            Map<String, Integer> newObjects) {
        for (String key : store.list(LocalLake.RAW_BUCKET, "")) {
            Optional<Dataset> dataset = pipeline.datasetForKey(key);
            if (dataset.isEmpty()) {
                continue;
            }
            rawObjects.merge(dataset.get().name(), 1, Integer::sum);
            IngestOutcome outcome = rawObject.process(RawObjectRef.of(LocalLake.RAW_BUCKET, key));
            if (outcome instanceof IngestOutcome.Processed processed) {
                newObjects.merge(dataset.get().name(), 1, Integer::sum);
                Manifest manifest = processed.manifest();
                out.printf("      %-45s read %d, written %d, quarantined %d%n", key, manifest.rowsRead(),
                        manifest.rowsWritten(), manifest.rowsQuarantined());
            }
        }
        if (newObjects.isEmpty()) {
            out.println("      nothing new: every raw object was converted before");
        }
    }

    private LocalStateMachine.Execution etl(LocalEtl etl, String runId) {
        LocalStateMachine.Execution execution = etl.run(runId, JSON.createObjectNode().put("mode", "join"));
        out.println("      " + (execution.succeeded() ? "succeeded" : "FAILED: " + execution.error() + ": " + execution.cause())
                + " (" + String.join(" -> ", execution.visited()) + ")");
        return execution;
    }

    private List<DatasetSummary> summarise(ObjectStore store, Map<String, Integer> rawObjects,
            Map<String, Integer> newObjects, String runId) throws IOException {
        List<DatasetSummary> summaries = new ArrayList<>();
        for (Dataset dataset : pipeline.datasets()) {
            long read = 0;
            long written = 0;
            long quarantined = 0;
            for (String key : store.list(LocalLake.STAGING_BUCKET, "manifests/" + dataset.name() + "/")) {
                try (InputStream in = store.open(LocalLake.STAGING_BUCKET, key, Optional.empty())) {
                    Manifest manifest = Manifest.fromJson(in.readAllBytes());
                    read += manifest.rowsRead();
                    written += manifest.rowsWritten();
                    quarantined += manifest.rowsQuarantined();
                }
            }
            summaries.add(new DatasetSummary(dataset.name(), rawObjects.getOrDefault(dataset.name(), 0),
                    newObjects.getOrDefault(dataset.name(), 0), read, written, quarantined,
                    lake.catalog().partitions(dataset.name()).size()));
        }
        Optional<RunManifest> run = RunManifest.load(store, LocalLake.STAGING_BUCKET, runId);
        for (JoinSpec join : pipeline.joins()) {
            long rows = run.stream().flatMap(r -> r.tables().stream()).filter(t -> t.table().equals(join.name()))
                    .flatMap(t -> t.partitions().stream()).mapToLong(RunManifest.PartitionOutput::rows).sum();
            List<Partition> partitions = lake.catalog().partitions(join.name());
            summaries.add(new DatasetSummary(join.name(), 0, 0, 0, rows, 0, partitions.size()));
        }
        return summaries;
    }

    private void printTable(List<DatasetSummary> summaries) {
        out.printf("      %-14s %11s %5s %10s %8s %12s %11s%n",
                "dataset", "raw objects", "new", "rows read", "written", "quarantined", "partitions");
        for (DatasetSummary s : summaries) {
            boolean joined = pipeline.join(s.name()).isPresent();
            // A joined table has no raw objects of its own; its rows are what the last run wrote.
            out.printf("      %-14s %11s %5s %10s %8d %12s %11d%n", s.name(), joined ? "-" : s.rawObjects(),
                    joined ? "-" : s.newObjects(), joined ? "-" : s.rowsRead(), s.rowsWritten(),
                    joined ? "-" : s.rowsQuarantined(), s.partitions());
        }
    }

    private static InputStream resource(String name) {
        InputStream in = LocalDemo.class.getClassLoader().getResourceAsStream(name);
        if (in == null) {
            throw new IllegalStateException("the tarn jar lacks " + name);
        }
        return in;
    }
}
