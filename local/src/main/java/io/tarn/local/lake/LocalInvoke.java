package io.tarn.local.lake;

import static java.util.Objects.requireNonNull;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tarn.embedded.LambdaContext;
import io.tarn.etl.CrawlerRefreshConfig;
import io.tarn.etl.PartitionRepairConfig;
import io.tarn.etl.trigger.EtlTriggerConfig;
import io.tarn.functions.crawlerrefresh.CrawlerRefreshHandler;
import io.tarn.functions.etltrigger.EtlTriggerHandler;
import io.tarn.functions.partitionrepair.PartitionRepairHandler;
import io.tarn.functions.rawobject.RawObjectHandler;
import io.tarn.functions.sqlpoller.SqlPollerHandler;
import io.tarn.ingest.RawObjectConfig;
import io.tarn.local.adapters.LocalAzureSql;
import io.tarn.local.adapters.LocalExecutions;
import io.tarn.local.sfn.LocalStateMachine;
import io.tarn.local.sfn.StateMachineDefinition;
import io.tarn.local.template.SamTemplate;
import io.tarn.pipeline.PipelineConfig;
import io.tarn.pipeline.PipelineConfigException;
import io.tarn.pipeline.PipelineLoader;
import io.tarn.poll.SqlPollerConfig;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.sql.SparkSession;

/**
 * {@code tarn invoke}: one function of template.yaml run on the local lake with an event file, as
 * {@code sam local invoke} runs it in a container. The handler class, memory, timeout and
 * environment come from the template (the function's variables over {@code Globals}); the
 * function's configuration is read from that environment by its own {@code fromEnv}, and its
 * services are wired to the local lake instead of AWS. The handler's response is printed on
 * {@code out}, its logs go to {@code logs}; a handler error is printed the way Lambda reports it,
 * {@code {"errorType": ..., "errorMessage": ...}}.
 *
 * <p>A function's {@code Condition} is not evaluated: the local lake has every part the conditions
 * ask for (SqlPoller's Azure SQL is the H2 database of {@link LocalAzureSql}).
 */
public final class LocalInvoke {

    /** Lambda's defaults when neither the function nor {@code Globals} set them. */
    static final int DEFAULT_MEMORY_MB = 128;
    static final int DEFAULT_TIMEOUT_SECONDS = 3;

    private static final String FUNCTION_TYPE = "AWS::Serverless::Function";
    private static final Pattern SUB_REFERENCE = Pattern.compile("\\$\\{([^}]*)}");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Builds a function's handler on the local lake from its environment. */
    private interface Wiring {
        RequestStreamHandler handler(LocalLake lake, Map<String, String> env) throws Exception;
    }

    private final Path dir;
    private final Supplier<PipelineConfig> pipeline;
    private final PrintStream out;
    private final PrintStream logs;
    private final Map<String, Wiring> wirings;
    /** Spark for the ETL runs an EtlTrigger invocation starts, started only if one does. */
    private LocalEtl.LocalSpark spark;

    /**
     * @param dir the local lake's folder
     * @param pipeline pipeline.yaml, for a function whose PIPELINE_CONFIG is empty (in Lambda the copy
     *     in its jar)
     * @param out the handler's response, or its error
     * @param logs the function's log lines
     * @param pipelineFile pipeline.yaml as a file, for the Glue job of an ETL run EtlTrigger starts
     */
    public LocalInvoke(Path dir, Supplier<PipelineConfig> pipeline, Supplier<Path> pipelineFile, PrintStream out,
            PrintStream logs) {
        this.dir = requireNonNull(dir, "dir is null");
        this.pipeline = requireNonNull(pipeline, "pipeline is null");
        this.out = requireNonNull(out, "out is null");
        this.logs = requireNonNull(logs, "logs is null");
        // By the handler class the template names. A function's /tmp is DIR/tmp here, whatever TMPDIR says.
        this.wirings = Map.of(
                RawObjectHandler.class.getName(), (lake, env) -> {
                    RawObjectConfig config = RawObjectConfig.fromEnv(env);
                    return new RawObjectHandler(lake.rawObjectProcessor(pipeline(config.pipelineConfig()), config.parquet(), logs));
                },
                SqlPollerHandler.class.getName(), (lake, env) -> {
                    SqlPollerConfig config = SqlPollerConfig.fromEnv(env);
                    // DB_SECRET_ARN names the local stand-in, the H2 database under DIR/azuresql.
                    return new SqlPollerHandler(lake.sqlPollerService(pipeline(config.pipelineConfig()),
                            LocalAzureSql.open(dir), config.safetyMargin(), logs)::poll);
                },
                CrawlerRefreshHandler.class.getName(), (lake, env) -> new CrawlerRefreshHandler(
                        lake.crawlerRefreshService(CrawlerRefreshConfig.fromEnv(env), logs)::handle),
                PartitionRepairHandler.class.getName(), (lake, env) -> new PartitionRepairHandler(
                        lake.partitionRepairService(PartitionRepairConfig.fromEnv(env), logs)::repair),
                EtlTriggerHandler.class.getName(), (lake, env) -> {
                    // STATE_MACHINE_ARN names the local state machine; an execution EtlTrigger starts
                    // runs here before the invocation's process ends, as Step Functions would run it.
                    EtlTriggerConfig config = EtlTriggerConfig.fromEnv(env);
                    LocalEtl etl = new LocalEtl(lake, pipelineFile.get(),
                            StateMachineDefinition.loadResource("statemachine/etl.asl.json"), this::spark, logs, logs,
                            Duration.ZERO);
                    LocalExecutions executions = new LocalExecutions(dir, (name, input, started) -> {
                        logs.println("tarn invoke: execution " + name + " of the ETL state machine:");
                        started.finished(etl.run(name, input, LocalStateMachine.Sleeper.UNTIL_TIMESTAMPS));
                    }, Clock.systemUTC());
                    return PojoHandlers.stream(new EtlTriggerHandler(lake.etlTriggerService(config, executions, logs)),
                            SQSEvent.class, SQSBatchResponse.class);
                });
    }

    /**
     * Invokes {@code function} of the template in {@code templateFile} with the event in {@code eventFile}.
     *
     * @return the exit code: 0 when the handler returned, 1 when it failed
     * @throws IllegalArgumentException for what the caller got wrong: a function the template lacks,
     *     an event file that is missing or not JSON, a handler or value the local lake cannot run
     */
    public int invoke(Path templateFile, String function, Path eventFile) throws IOException {
        SamTemplate template = SamTemplate.load(templateFile);
        Map<String, Object> properties = functionProperties(template, function);
        String handlerClass = handlerClass(function, properties);
        Wiring wiring = wirings.get(handlerClass);
        if (wiring == null) {
            throw new IllegalArgumentException(function + "'s handler " + handlerClass
                    + " has no local wiring (tarn invoke runs " + String.join(", ", wirings.keySet().stream().sorted().toList()) + ")");
        }
        Map<String, Object> globals = globals(template);
        Map<String, String> env = environment(template, function, globals, properties);
        int memory = number(properties, globals, "MemorySize", DEFAULT_MEMORY_MB);
        int timeout = number(properties, globals, "Timeout", DEFAULT_TIMEOUT_SECONDS);
        byte[] event = event(eventFile);

        try (LocalLake lake = LocalLake.open(dir); Closeable stopSpark = this::stopSpark) {
            env.put(RawObjectConfig.AWS_REGION, lake.s3Server().region());
            ByteArrayOutputStream response = new ByteArrayOutputStream();
            try {
                // What Lambda does at init (the handler's constructor), then the invocation.
                RequestStreamHandler handler = wiring.handler(lake, env);
                handler.handleRequest(new ByteArrayInputStream(event), response,
                        LambdaContext.withTimeout(function, memory, timeout * 1000L));
            } catch (PipelineConfigException e) {
                // pipeline.yaml is tarn's input here (--pipeline), not the function's: one line, as for the other commands.
                throw e;
            } catch (Exception e) {
                out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(error(e)));
                return 1;
            }
            printResponse(response.toByteArray());
            return 0;
        }
    }

    /**
     * template.yaml as a file: {@code path} when given, else {@code ./template.yaml}, else the copy in
     * the tarn jar, written under {@code dir}.
     */
    public static Path templateFile(Optional<String> path, Path dir) throws IOException {
        return BundledFile.resolve(path, "--template", "template.yaml", dir);
    }

    private static Map<String, Object> functionProperties(SamTemplate template, String function) {
        List<String> functions = template.resourcesOfType(FUNCTION_TYPE);
        if (!functions.contains(function)) {
            throw new IllegalArgumentException("unknown function '" + function + "' (" + template.file().getFileName()
                    + " has: " + String.join(", ", functions) + ")");
        }
        return template.properties(function).orElseThrow();
    }

    /** The class of {@code Handler: class::method}; the method must be a RequestStreamHandler's. */
    private static String handlerClass(String function, Map<String, Object> properties) {
        Object handler = properties.get("Handler");
        if (!(handler instanceof String text) || text.isBlank()) {
            throw new IllegalArgumentException(function + " has no Handler in the template");
        }
        String[] parts = text.split("::", -1);
        if (parts.length > 2 || (parts.length == 2 && !parts[1].equals("handleRequest"))) {
            throw new IllegalArgumentException(function + "'s Handler '" + text
                    + "' is not a RequestStreamHandler's class::handleRequest");
        }
        return parts[0];
    }

    private static Map<String, Object> globals(SamTemplate template) {
        return map(map(template.root().get("Globals")).get("Function"));
    }

    /** {@code Globals.Function.Environment.Variables} with the function's own over them, resolved. */
    private static Map<String, String> environment(SamTemplate template, String function, Map<String, Object> globals,
            Map<String, Object> properties) {
        Map<String, Object> variables = new LinkedHashMap<>(map(map(globals.get("Environment")).get("Variables")));
        variables.putAll(map(map(properties.get("Environment")).get("Variables")));
        Map<String, String> env = new LinkedHashMap<>();
        variables.forEach((name, value) -> env.put(name, resolve(template, function, name, value)));
        return env;
    }

    /**
     * A variable's value in the local lake. {@code !Ref} of a resource names its local stand-in
     * (the buckets are the local lake's own), {@code !Ref} of a parameter is its default,
     * {@code !Sub} resolves its {@code ${Name}} the same way.
     */
    private static String resolve(SamTemplate template, String function, String variable, Object value) {
        if (value instanceof String || value instanceof Number || value instanceof Boolean) {
            return String.valueOf(value);
        }
        Map<String, Object> intrinsic = map(value);
        if (intrinsic.size() == 1 && intrinsic.get("Ref") instanceof String name) {
            return ref(template, function, variable, name);
        }
        if (intrinsic.size() == 1 && intrinsic.get("Fn::Sub") instanceof String text) {
            Matcher reference = SUB_REFERENCE.matcher(text);
            StringBuilder resolved = new StringBuilder();
            while (reference.find()) {
                reference.appendReplacement(resolved, Matcher.quoteReplacement(ref(template, function, variable, reference.group(1))));
            }
            return reference.appendTail(resolved).toString();
        }
        throw new IllegalArgumentException(function + "'s environment variable " + variable + " is " + value
                + ": tarn invoke resolves only plain values, !Ref and !Sub");
    }

    private static String ref(SamTemplate template, String function, String variable, String name) {
        String local = switch (name) {
            case "RawBucket" -> LocalLake.RAW_BUCKET;
            case "StagingBucket" -> LocalLake.STAGING_BUCKET;
            case "StateTable" -> LocalLake.STATE_TABLE;
            case "GlueDatabase" -> LocalLake.GLUE_DATABASE;
            case "TenantDatabase" -> LocalLake.TENANT_GLUE_DATABASE;
            case "StagingCrawler" -> LocalLake.CRAWLER;
            case "AthenaWorkGroup" -> LocalLake.ATHENA_WORKGROUP;
            case "AzureSqlSecretArn" -> LocalLake.AZURE_SQL_SECRET;
            case "EtlStateMachine" -> LocalLake.STATE_MACHINE;
            default -> null;
        };
        if (local != null) {
            return local;
        }
        Object parameter = template.parameters().get(name);
        if (parameter instanceof Map<?, ?> definition && definition.get("Default") != null) {
            return String.valueOf(definition.get("Default"));
        }
        throw new IllegalArgumentException(function + "'s environment variable " + variable + " refers to " + name
                + ", which has no local stand-in" + (parameter != null ? " and no default" : ""));
    }

    private static int number(Map<String, Object> properties, Map<String, Object> globals, String name, int otherwise) {
        Object value = properties.containsKey(name) ? properties.get(name) : globals.get(name);
        if (value == null) {
            return otherwise;
        }
        try {
            return Integer.parseInt(String.valueOf(value).trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " in the template must be a whole number, got '" + value + "'");
        }
    }

    /**
     * The event's bytes, handed to the handler as they are (a RequestStreamHandler gets the raw
     * payload), after checking they are JSON: Lambda accepts no other payload.
     */
    private static byte[] event(Path file) throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("event file " + file + " does not exist");
        }
        try {
            // A payload is one JSON value: "{} x" is refused too.
            if (JSON.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).readTree(bytes).isMissingNode()) {
                throw new IllegalArgumentException(file + " is not JSON: it is empty");
            }
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            throw new IllegalArgumentException(file + " is not JSON: " + e.getOriginalMessage().lines().findFirst().orElse("")
                    + (at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")"));
        }
        return bytes;
    }

    /** The response as JSON, indented; anything else as it came. */
    private void printResponse(byte[] response) throws IOException {
        JsonNode json;
        try {
            json = JSON.readTree(response);
        } catch (JsonProcessingException e) {
            out.println(new String(response, StandardCharsets.UTF_8));
            return;
        }
        out.println(json.isMissingNode() ? "null" : JSON.writerWithDefaultPrettyPrinter().writeValueAsString(json));
    }

    /** Lambda's report of a Java function's error: the exception's class and message, no stack trace here. */
    private static ObjectNode error(Exception e) {
        ObjectNode error = JSON.createObjectNode();
        error.put("errorType", e.getClass().getName());
        error.put("errorMessage", String.valueOf(e.getMessage()));
        return error;
    }

    private synchronized SparkSession spark() {
        if (spark == null) {
            spark = new LocalEtl.LocalSpark(dir.resolve("tmp"));
        }
        return spark.get();
    }

    private synchronized void stopSpark() {
        if (spark != null) {
            spark.close();
            spark = null;
        }
    }

    private PipelineConfig pipeline(Optional<String> path) {
        return path.map(p -> PipelineLoader.load(Path.of(p))).orElseGet(pipeline);
    }

    private static Map<String, Object> map(Object value) {
        if (value instanceof Map<?, ?>) {
            @SuppressWarnings("unchecked")
            Map<String, Object> map = (Map<String, Object>) value;
            return map;
        }
        return Map.of();
    }
}
