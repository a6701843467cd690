package io.tarn.local.lake;

import static java.util.Objects.requireNonNull;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tarn.embedded.LambdaContext;
import io.tarn.etl.CrawlerRefreshConfig;
import io.tarn.etl.CrawlerRefreshService;
import io.tarn.etl.PartitionRepairConfig;
import io.tarn.etl.PartitionRepairService;
import io.tarn.etl.RunManifest;
import io.tarn.functions.crawlerrefresh.CrawlerRefreshHandler;
import io.tarn.functions.partitionrepair.PartitionRepairHandler;
import io.tarn.jobs.etl.EtlJob;
import io.tarn.jobs.etl.EtlSettings;
import io.tarn.local.sfn.LocalStateMachine.Execution;
import io.tarn.local.sfn.LocalStateMachine.TaskFailedException;
import io.tarn.local.sfn.LocalStateMachine;
import io.tarn.local.sfn.StateMachineDefinition;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.apache.spark.sql.SparkSession;

/**
 * The ETL flow on the local lake: {@code statemachine/etl.asl.json} itself, run by
 * {@link LocalStateMachine}, with its tasks done here: the Glue job on Spark local, the
 * CrawlerRefresh and PartitionRepair handlers with the local catalog and state table, and alerts
 * printed. Pauses are skipped (the local crawler has finished by its first status check) but for
 * the wait of a run started by the trigger until its window's end, which decides what its job reads.
 */
public final class LocalEtl {

    /** What the definition's placeholders stand for locally, as DefinitionSubstitutions does in AWS. */
    static final String FUNCTION_ARN = "arn:aws:lambda:local:000000000000:function:";
    static final Map<String, String> SUBSTITUTIONS = Map.of(
            "EtlJobName", "tarn-etl",
            "CrawlerRefreshFunctionArn", FUNCTION_ARN + "CrawlerRefreshFunction",
            "PartitionRepairFunctionArn", FUNCTION_ARN + "PartitionRepairFunction",
            "AlertTopicArn", "arn:aws:sns:local:000000000000:AlertTopic");

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String REGION = "us-east-1";

    private final LocalLake lake;
    private final Path pipelineFile;
    private final StateMachineDefinition definition;
    private final Supplier<SparkSession> spark;
    private final PrintStream progress;
    private final PrintStream logs;
    private final Duration settle;

    /**
     * @param definition {@code statemachine/etl.asl.json}, its placeholders not yet substituted
     * @param spark the Spark session of the Glue job, asked for only when the job runs
     * @param progress told each state as it is entered, and alerts
     * @param logs the functions' JSON log lines
     * @param settle how old a change must be for the refresh to take it: zero when nothing converts
     *     objects while the ETL runs (tarn etl, the demo), a little more under tarn up
     */
    public LocalEtl(LocalLake lake, Path pipelineFile, StateMachineDefinition definition, Supplier<SparkSession> spark,
            PrintStream progress, PrintStream logs, Duration settle) {
        this.lake = requireNonNull(lake, "lake is null");
        this.pipelineFile = requireNonNull(pipelineFile, "pipelineFile is null");
        this.definition = requireNonNull(definition, "definition is null").substitute(SUBSTITUTIONS);
        this.spark = requireNonNull(spark, "spark is null");
        this.progress = requireNonNull(progress, "progress is null");
        this.logs = requireNonNull(logs, "logs is null");
        this.settle = requireNonNull(settle, "settle is null");
    }

    /**
     * The Glue job's Spark session on this machine's cores, started on first use (a run that
     * never reaches the job pays nothing) and stopped on close. Scratch files go under {@code dir}.
     */
    public static final class LocalSpark implements Supplier<SparkSession>, AutoCloseable {
        private final Path dir;
        private SparkSession session;

        public LocalSpark(Path dir) {
            this.dir = requireNonNull(dir, "dir is null");
        }

        @Override
        public synchronized SparkSession get() {
            if (session == null) {
                session = SparkSession.builder()
                        .master("local[*]")
                        .appName("tarn-etl")
                        .config("spark.ui.enabled", "false")
                        .config("spark.driver.host", "127.0.0.1")
                        .config("spark.sql.shuffle.partitions", "4")
                        .config("spark.local.dir", dir.resolve("spark").toString())
                        .config("spark.sql.warehouse.dir", dir.resolve("spark-warehouse").toUri().toString())
                        .getOrCreate();
            }
            return session;
        }

        @Override
        public synchronized void close() {
            if (session != null) {
                session.stop();
                session = null;
            }
        }
    }

    /**
     * Runs one execution of the state machine.
     *
     * @param runId the execution name, which the job uses as its run id
     * @param input the execution's input, e.g. {@code {}} or {@code {"mode": "backfill", "datasets": "orders"}}
     */
    public Execution run(String runId, JsonNode input) {
        return run(runId, input, duration -> { });
    }

    /**
     * Runs one execution, pausing as {@code sleeper} says: {@code tarn etl} skips every pause, a run
     * started by {@code tarn up}'s trigger waits in its Wait state for its window's end.
     */
    public Execution run(String runId, JsonNode input, LocalStateMachine.Sleeper sleeper) {
        RunManifest.checkRunId(runId);
        CrawlerRefreshService crawlerRefresh = lake.crawlerRefreshService(
                new CrawlerRefreshConfig(REGION, LocalLake.STAGING_BUCKET, LocalLake.STATE_TABLE, LocalLake.CRAWLER,
                        LocalLake.CRAWLER_TABLES), logs);
        PartitionRepairService partitionRepair = lake.partitionRepairService(
                new PartitionRepairConfig(REGION, LocalLake.STAGING_BUCKET, LocalLake.GLUE_DATABASE,
                        LocalLake.ATHENA_WORKGROUP, PartitionRepairConfig.Registration.GLUE, Optional.empty()), logs);
        Map<String, RequestStreamHandler> functions = Map.of(
                FUNCTION_ARN + "CrawlerRefreshFunction", new CrawlerRefreshHandler(crawlerRefresh::handle),
                FUNCTION_ARN + "PartitionRepairFunction", new PartitionRepairHandler(partitionRepair::repair));
        LocalStateMachine.Tasks tasks = (state, resource, parameters) -> switch (resource) {
            case "arn:aws:states:::glue:startJobRun.sync" -> glueJob(parameters.path("Arguments"));
            case "arn:aws:states:::lambda:invoke" -> invoke(functions, parameters);
            case "arn:aws:states:::sns:publish" -> alert(parameters);
            default -> throw new TaskFailedException("States.Runtime", "no local implementation of " + resource);
        };
        return new LocalStateMachine(definition, tasks, sleeper, state -> progress.println("  " + state))
                .run(runId, input);
    }

    private JsonNode glueJob(JsonNode arguments) {
        long started = System.nanoTime();
        // What the Glue entry script does: the job's arguments, GlueArgParser's names (--run_id) as
        // EtlSettings spells them (--run-id), plus what the job's default arguments give it in AWS.
        List<String> args = new ArrayList<>(List.of(
                EtlSettings.PIPELINE, pipelineFile.toAbsolutePath().toString(),
                EtlSettings.STAGING, "s3://" + LocalLake.STAGING_BUCKET + "/",
                EtlSettings.STAGING_DIR, lake.stagingRoot().toUri().toString(),
                EtlSettings.RAW, "s3://" + LocalLake.RAW_BUCKET + "/",
                EtlSettings.RAW_DIR, lake.rawRoot().toUri().toString(),
                EtlSettings.SETTLE_SECONDS, String.valueOf(settle.toSeconds())));
        arguments.fields().forEachRemaining(argument -> {
            args.add(argument.getKey().replace('_', '-'));
            args.add(argument.getValue().asText());
        });
        EtlSettings settings;
        try {
            settings = EtlSettings.parse(args.toArray(String[]::new), Map.of())
                    .withAws(lake.s3Server().settings());
        } catch (IllegalArgumentException e) {
            throw new TaskFailedException("States.TaskFailed", "the job's arguments: " + e.getMessage());
        }
        RunManifest manifest;
        try {
            manifest = EtlJob.run(spark.get(), settings, lake.catalog(), Clock.systemUTC(), logs);
        } catch (RuntimeException e) {
            // A failed Glue job run ends a .sync task with States.TaskFailed.
            throw new TaskFailedException("States.TaskFailed", "Glue job run failed: " + e.getMessage());
        }
        ObjectNode run = JSON.createObjectNode();
        run.put("Id", "jr_local_" + manifest.runId());
        run.put("JobRunState", "SUCCEEDED");
        run.put("ExecutionTime", Duration.ofNanos(System.nanoTime() - started).toSeconds());
        return run;
    }

    /** Lambda's invoke: the payload through the handler, a thrown exception as the function's error. */
    private JsonNode invoke(Map<String, RequestStreamHandler> functions, JsonNode parameters) {
        String name = parameters.path("FunctionName").asText();
        RequestStreamHandler handler = functions.get(name);
        if (handler == null) {
            throw new TaskFailedException("Lambda.ResourceNotFoundException", "no local function " + name);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            handler.handleRequest(new ByteArrayInputStream(JSON.writeValueAsBytes(parameters.path("Payload"))), out,
                    LambdaContext.withTimeout(name.substring(FUNCTION_ARN.length()), 512, 900_000));
            ObjectNode result = JSON.createObjectNode();
            result.put("StatusCode", 200);
            result.set("Payload", JSON.readTree(out.toByteArray()));
            return result;
        } catch (IOException | RuntimeException e) {
            // Lambda names a Java function's error by the exception's class.
            throw new TaskFailedException(e.getClass().getName(), String.valueOf(e.getMessage()));
        }
    }

    private JsonNode alert(JsonNode parameters) {
        progress.println("ALERT to " + parameters.path("TopicArn").asText() + ": " + parameters.path("Subject").asText());
        progress.println(parameters.path("Message").toPrettyString());
        ObjectNode result = JSON.createObjectNode();
        result.put("MessageId", "local-" + System.nanoTime());
        return result;
    }
}
