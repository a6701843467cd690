package io.tarn.poll;

import static io.tarn.config.Environment.required;
import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * The SqlPoller function's configuration, from its environment (names match template.yaml).
 *
 * @param dbSecretArn the Secrets Manager secret holding the Azure SQL connection (JSON with host,
 *     port, database, user, password)
 * @param pipelineConfig a pipeline.yaml path; empty means the copy bundled in the function jar
 * @param safetyMargin no new page is started when less of the invocation's time remains
 * @param tempDir local scratch space for pages before upload
 */
public record SqlPollerConfig(
        String region,
        String rawBucket,
        String stateTable,
        String dbSecretArn,
        Optional<String> pipelineConfig,
        Duration safetyMargin,
        Path tempDir) {

    /** Set by Lambda itself in every function's environment. */
    public static final String AWS_REGION = "AWS_REGION";
    public static final String RAW_BUCKET = "RAW_BUCKET";
    public static final String STATE_TABLE = "STATE_TABLE";
    public static final String DB_SECRET_ARN = "DB_SECRET_ARN";
    public static final String PIPELINE_CONFIG = "PIPELINE_CONFIG";
    public static final String POLL_SAFETY_MARGIN_SECONDS = "POLL_SAFETY_MARGIN_SECONDS";
    /** Set by Lambda to {@code /tmp}, the only writable folder. */
    public static final String TMPDIR = "TMPDIR";
    public static final String DEFAULT_TMPDIR = "/tmp";

    public SqlPollerConfig {
        requireNonNull(region, "region is null");
        requireNonNull(rawBucket, "rawBucket is null");
        requireNonNull(stateTable, "stateTable is null");
        requireNonNull(dbSecretArn, "dbSecretArn is null");
        requireNonNull(pipelineConfig, "pipelineConfig is null");
        requireNonNull(safetyMargin, "safetyMargin is null");
        requireNonNull(tempDir, "tempDir is null");
    }

    /**
     * Reads the configuration; a missing required variable or a bad value fails at once, naming
     * the variable.
     */
    public static SqlPollerConfig fromEnv(Map<String, String> env) {
        requireNonNull(env, "env is null");
        return new SqlPollerConfig(
                required(env, AWS_REGION),
                required(env, RAW_BUCKET),
                required(env, STATE_TABLE),
                required(env, DB_SECRET_ARN),
                Optional.ofNullable(env.get(PIPELINE_CONFIG)).filter(s -> !s.isBlank()),
                safetyMargin(env.get(POLL_SAFETY_MARGIN_SECONDS)),
                Path.of(Optional.ofNullable(env.get(TMPDIR)).filter(s -> !s.isBlank()).orElse(DEFAULT_TMPDIR), "tarn"));
    }

    /** The poller's settings. */
    public PollerSettings pollerSettings() {
        return new PollerSettings(rawBucket, tempDir, safetyMargin, PollerSettings.DEFAULT_LEASE);
    }

    private static Duration safetyMargin(String value) {
        if (value == null || value.isBlank()) {
            return PollerSettings.DEFAULT_SAFETY_MARGIN;
        }
        try {
            long seconds = Long.parseLong(value.trim());
            if (seconds >= 0) {
                return Duration.ofSeconds(seconds);
            }
        } catch (NumberFormatException e) {
            // reported below, with the variable's name
        }
        throw new IllegalArgumentException("Environment variable " + POLL_SAFETY_MARGIN_SECONDS
                + " must be a whole number of seconds, 0 or more, got '" + value + "'");
    }

}
