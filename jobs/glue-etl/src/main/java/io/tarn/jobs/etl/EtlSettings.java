package io.tarn.jobs.etl;

import static java.util.Objects.requireNonNull;

import io.tarn.aws.AwsSettings;
import io.tarn.catalog.TenantTables;
import io.tarn.etl.RunManifest;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What one run of the ETL job does, from its arguments ({@code --name value} pairs).
 *
 * @param pipeline pipeline.yaml: a local path, a {@code file:} URI or {@code s3://bucket/key}
 * @param staging the staging layer: {@code s3://bucket} (Glue) or {@code file:///dir/} (a join run
 *     on local files). Run manifests and catalog locations name it.
 * @param stagingDir where Spark reads and writes the staging bucket's objects when it cannot reach
 *     them through {@code staging} itself: the folder an embedded S3 server serves for the bucket
 * @param raw the raw bucket, {@code s3://bucket}: what a backfill converts, and where the refresh
 *     finds the poller's key snapshots
 * @param rawDir where Spark reads the raw bucket's objects when it cannot reach them through
 *     {@code raw} itself: the folder an embedded S3 server serves for the bucket
 * @param datasets backfill: the datasets to convert (all when empty); join: the joins to build
 * @param glueDatabase join: the Glue database of the staging tables, whose current tables the
 *     refresh moves to their new versions (a local run passes its catalog instead)
 * @param settle join: how old a change index entry must be for the refresh to take it; an entry
 *     younger than that may be followed by one its writer timed earlier but finished later
 * @param versionRetention join: how long a current partition's superseded version is kept (a
 *     query that started before the move may still read it)
 * @param aws region, and an endpoint override for a local S3 server
 * @param compactionLateness join: how long after its day a change-log partition may still receive
 *     files; older days are compacted ({@link ChangeLogCompaction})
 * @param tenants join: the tenants' database, whose twins of the current tables the refresh keeps
 *     (a twin reads the symlink manifests each partition move rewrites); none without it
 */
public record EtlSettings(
        Mode mode,
        String runId,
        String pipeline,
        URI staging,
        Optional<URI> stagingDir,
        Optional<URI> raw,
        Optional<URI> rawDir,
        List<String> datasets,
        Optional<String> glueDatabase,
        Duration settle,
        Duration versionRetention,
        AwsSettings aws,
        Optional<TenantTables> tenants,
        Duration compactionLateness) {

    public enum Mode { JOIN, BACKFILL }

    public static final String MODE = "--mode";
    public static final String RUN_ID = "--run-id";
    public static final String PIPELINE = "--pipeline";
    public static final String STAGING = "--staging";
    public static final String STAGING_DIR = "--staging-dir";
    public static final String RAW = "--raw";
    public static final String RAW_DIR = "--raw-dir";
    public static final String DATASETS = "--datasets";
    public static final String GLUE_DATABASE = "--glue-database";
    public static final String TENANT_GLUE_DATABASE = "--tenant-glue-database";
    public static final String TENANT_DATE_RANGE = "--tenant-date-range";
    public static final String SETTLE_SECONDS = "--settle-seconds";
    /**
     * Longer than a change index entry takes to write, as timed by its writer's clock, and shorter
     * than EtlTrigger's settle (TRIGGER_SETTLE_SECONDS, 10 s): a window's run starts that long
     * after the window's end, so it takes every change of its window.
     */
    public static final Duration DEFAULT_SETTLE = Duration.ofSeconds(5);
    public static final String VERSION_RETENTION_HOURS = "--version-retention-hours";
    public static final String COMPACTION_LATENESS_DAYS = "--compaction-lateness-days";
    /**
     * A raw object lands on its day (S3's last-modified time names the change log's day), so a
     * day receives files later only from a conversion delayed that long: a redelivery from the
     * dead-letter queue, a backfill of old objects.
     */
    public static final Duration DEFAULT_COMPACTION_LATENESS = Duration.ofDays(2);
    /** Athena's longest query runs for hours at most; a day leaves room. */
    public static final Duration DEFAULT_VERSION_RETENTION = Duration.ofHours(24);
    public static final String REGION = "--region";
    public static final String S3_ENDPOINT = "--s3-endpoint";
    /** The {@code --datasets} value meaning every dataset (backfill) or every join (join). */
    public static final String ALL = "all";

    private static final Set<String> KNOWN = Set.of(
            MODE, RUN_ID, PIPELINE, STAGING, STAGING_DIR, RAW, RAW_DIR, DATASETS, GLUE_DATABASE, TENANT_GLUE_DATABASE,
            TENANT_DATE_RANGE, SETTLE_SECONDS, VERSION_RETENTION_HOURS, COMPACTION_LATENESS_DAYS,
            REGION, S3_ENDPOINT);
    /** Glue sets AWS_REGION in the job's environment; a local run names the region or gets this one. */
    static final String DEFAULT_REGION = "us-east-1";

    public EtlSettings {
        requireNonNull(mode, "mode is null");
        requireNonNull(runId, "runId is null");
        requireNonNull(pipeline, "pipeline is null");
        requireNonNull(staging, "staging is null");
        requireNonNull(stagingDir, "stagingDir is null");
        requireNonNull(raw, "raw is null");
        requireNonNull(rawDir, "rawDir is null");
        datasets = List.copyOf(datasets);
        requireNonNull(glueDatabase, "glueDatabase is null");
        requireNonNull(settle, "settle is null");
        requireNonNull(versionRetention, "versionRetention is null");
        requireNonNull(aws, "aws is null");
        requireNonNull(tenants, "tenants is null");
        requireNonNull(compactionLateness, "compactionLateness is null");
        check(mode, runId, staging, stagingDir, raw, rawDir);
    }

    /** A run without tenant-facing twins. */
    public EtlSettings(Mode mode, String runId, String pipeline, URI staging, Optional<URI> stagingDir, Optional<URI> raw,
            Optional<URI> rawDir, List<String> datasets, Optional<String> glueDatabase, Duration settle,
            Duration versionRetention, AwsSettings aws) {
        this(mode, runId, pipeline, staging, stagingDir, raw, rawDir, datasets, glueDatabase, settle, versionRetention, aws,
                Optional.empty(), DEFAULT_COMPACTION_LATENESS);
    }

    /**
     * Reads {@code --name value} arguments; {@code env} supplies {@code AWS_REGION} when no
     * {@code --region} is given.
     *
     * @throws EtlArgumentException naming the first argument that is missing, unknown or wrong
     */
    public static EtlSettings parse(String[] args, Map<String, String> env) {
        Map<String, String> values = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i += 2) {
            String name = args[i];
            if (!KNOWN.contains(name)) {
                throw new EtlArgumentException(name, "unknown argument (expected one of " + new java.util.TreeSet<>(KNOWN) + ")");
            }
            if (i + 1 >= args.length || args[i + 1].startsWith("--")) {
                throw new EtlArgumentException(name, "has no value");
            }
            if (values.put(name, args[i + 1]) != null) {
                throw new EtlArgumentException(name, "is given twice");
            }
        }
        String modeText = required(values, MODE);
        Mode mode = switch (modeText.toLowerCase(Locale.ROOT)) {
            case "join" -> Mode.JOIN;
            case "backfill" -> Mode.BACKFILL;
            default -> throw new EtlArgumentException(MODE, "must be join or backfill, got '" + modeText + "'");
        };
        String region = Optional.ofNullable(values.get(REGION))
                .or(() -> Optional.ofNullable(env.get("AWS_REGION")).filter(r -> !r.isBlank()))
                .orElse(DEFAULT_REGION);
        Optional<URI> endpoint = Optional.ofNullable(values.get(S3_ENDPOINT)).map(text -> uri(S3_ENDPOINT, text));
        if (endpoint.isPresent() && !Set.of("http", "https").contains(endpoint.get().getScheme())) {
            throw new EtlArgumentException(S3_ENDPOINT, "must be an http(s) URL, got '" + values.get(S3_ENDPOINT) + "'");
        }
        // "all" is what the state machine passes when a run names no datasets (Glue arguments cannot be empty).
        List<String> datasets = Optional.ofNullable(values.get(DATASETS))
                .filter(text -> !text.strip().equalsIgnoreCase(ALL))
                .map(text -> Arrays.stream(text.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList())
                .orElse(List.of());
        Duration settle = duration(values, SETTLE_SECONDS, ChronoUnit.SECONDS).orElse(DEFAULT_SETTLE);
        Duration retention = duration(values, VERSION_RETENTION_HOURS, ChronoUnit.HOURS).orElse(DEFAULT_VERSION_RETENTION);
        return new EtlSettings(mode, required(values, RUN_ID), required(values, PIPELINE),
                uri(STAGING, required(values, STAGING)),
                Optional.ofNullable(values.get(STAGING_DIR)).map(text -> uri(STAGING_DIR, text)),
                Optional.ofNullable(values.get(RAW)).map(text -> uri(RAW, text)),
                Optional.ofNullable(values.get(RAW_DIR)).map(text -> uri(RAW_DIR, text)),
                datasets, Optional.ofNullable(values.get(GLUE_DATABASE)).filter(v -> !v.isBlank()), settle, retention,
                new AwsSettings(region, endpoint, Optional.empty()), tenants(values),
                duration(values, COMPACTION_LATENESS_DAYS, ChronoUnit.DAYS).orElse(DEFAULT_COMPACTION_LATENESS));
    }

    /** The same run against other AWS settings: a local S3 server's credentials, say. */
    public EtlSettings withAws(AwsSettings other) {
        return new EtlSettings(mode, runId, pipeline, staging, stagingDir, raw, rawDir, datasets, glueDatabase, settle,
                versionRetention, other, tenants, compactionLateness);
    }

    /** The staging bucket when staging is {@code s3://bucket}. */
    public Optional<String> stagingBucket() {
        return "s3".equals(staging.getScheme()) ? Optional.of(staging.getHost()) : Optional.empty();
    }

    /** The raw bucket ({@code raw} is {@code s3://bucket}). */
    public Optional<String> rawBucket() {
        return raw.map(URI::getHost);
    }

    /** The root catalog locations and run manifests name: {@code s3://bucket/} or {@code file:///dir/}. */
    public String stagingRoot() {
        return withSlash(staging.toString());
    }

    /** The root Spark reads the raw bucket's objects under, when there is a raw bucket. */
    public Optional<String> sparkRawRoot() {
        return rawDir.or(() -> raw).map(uri -> withSlash(uri.toString()));
    }

    /** The root Spark reads and writes the staging tables under. */
    public String sparkStagingRoot() {
        return withSlash(stagingDir.orElse(staging).toString());
    }

    private static void check(Mode mode, String runId, URI staging, Optional<URI> stagingDir, Optional<URI> raw,
            Optional<URI> rawDir) {
        try {
            RunManifest.checkRunId(runId);
        } catch (IllegalArgumentException e) {
            throw new EtlArgumentException(RUN_ID, e.getMessage());
        }
        boolean s3 = "s3".equals(staging.getScheme());
        if (s3 ? !isBucket(staging) : !"file".equals(staging.getScheme())) {
            throw new EtlArgumentException(STAGING, "must be s3://bucket or file:///dir/, got '" + staging + "'");
        }
        stagingDir.ifPresent(dir -> {
            if (!"file".equals(dir.getScheme())) {
                throw new EtlArgumentException(STAGING_DIR, "must be a file:///dir/ URI, got '" + dir + "'");
            }
        });
        rawDir.ifPresent(dir -> {
            if (!"file".equals(dir.getScheme())) {
                throw new EtlArgumentException(RAW_DIR, "must be a file:///dir/ URI, got '" + dir + "'");
            }
        });
        if (mode == Mode.BACKFILL) {
            if (!s3) {
                throw new EtlArgumentException(STAGING, "must be s3://bucket for a backfill: it writes through the same"
                        + " S3 calls as the RawObject function, got '" + staging + "'");
            }
            URI rawUri = raw.orElseThrow(() -> new EtlArgumentException(RAW, "is required for a backfill"));
            if (!"s3".equals(rawUri.getScheme()) || !isBucket(rawUri)) {
                throw new EtlArgumentException(RAW, "must be s3://bucket, got '" + rawUri + "'");
            }
        }
    }

    private static boolean isBucket(URI uri) {
        return uri.getHost() != null && (uri.getPath() == null || uri.getPath().isEmpty() || uri.getPath().equals("/"));
    }

    /** A whole number of {@code unit}s, 0 or more, when the argument is given. */
    private static Optional<Duration> duration(Map<String, String> values, String name, ChronoUnit unit) {
        return Optional.ofNullable(values.get(name)).map(text -> {
            try {
                long amount = Long.parseLong(text.strip());
                if (amount >= 0) {
                    return Duration.of(amount, unit);
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw new EtlArgumentException(name, "must be a number of " + unit.name().toLowerCase(Locale.ROOT)
                    + " (0 or more), got '" + text + "'");
        });
    }

    /** The tenants' database, when one is named (the state machine passes "" for a stack without tenants). */
    private static Optional<TenantTables> tenants(Map<String, String> values) {
        Optional<String> database = Optional.ofNullable(values.get(TENANT_GLUE_DATABASE)).map(String::strip)
                .filter(v -> !v.isEmpty());
        String range = Optional.ofNullable(values.get(TENANT_DATE_RANGE)).map(String::strip).filter(v -> !v.isEmpty())
                .orElse(TenantTables.DEFAULT_DATE_RANGE);
        try {
            return database.map(name -> new TenantTables(name, range));
        } catch (IllegalArgumentException e) {
            throw new EtlArgumentException(TENANT_DATE_RANGE, e.getMessage());
        }
    }

    private static String required(Map<String, String> values, String name) {
        String value = values.get(name);
        if (value == null || value.isBlank()) {
            throw new EtlArgumentException(name, "is required");
        }
        return value;
    }

    private static URI uri(String argument, String text) {
        try {
            return new URI(text);
        } catch (URISyntaxException e) {
            throw new EtlArgumentException(argument, "is not a URI: '" + text + "'");
        }
    }

    private static String withSlash(String text) {
        return text.endsWith("/") ? text : text + "/";
    }
}
