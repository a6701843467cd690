package io.tarn.ingest;

import static io.tarn.config.Environment.required;
import static java.util.Objects.requireNonNull;

import io.tarn.catalog.TenantTables;
import io.tarn.parquet.ParquetSettings;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;

/**
 * The RawObject function's configuration, from its environment (names match template.yaml).
 *
 * @param pipelineConfig a pipeline.yaml path; empty means the copy bundled in the function jar
 * @param tenantTables where the tables' tenant-facing twins go; empty for none
 */
public record RawObjectConfig(
        String region,
        String stagingBucket,
        String stateTable,
        String glueDatabase,
        Optional<TenantTables> tenantTables,
        Optional<String> pipelineConfig,
        Path tempDir,
        ParquetSettings parquet) {

    /** Set by Lambda itself in every function's environment. */
    public static final String AWS_REGION = "AWS_REGION";
    public static final String STAGING_BUCKET = "STAGING_BUCKET";
    public static final String STATE_TABLE = "STATE_TABLE";
    public static final String GLUE_DATABASE = "GLUE_DATABASE";
    public static final String PIPELINE_CONFIG = "PIPELINE_CONFIG";
    public static final String PARQUET_CODEC = "PARQUET_CODEC";
    public static final String MEMORY_BUDGET_MB = "MEMORY_BUDGET_MB";
    public static final String TMPDIR = "TMPDIR";

    public RawObjectConfig {
        requireNonNull(region, "region is null");
        requireNonNull(stagingBucket, "stagingBucket is null");
        requireNonNull(stateTable, "stateTable is null");
        requireNonNull(glueDatabase, "glueDatabase is null");
        requireNonNull(tenantTables, "tenantTables is null");
        requireNonNull(pipelineConfig, "pipelineConfig is null");
        requireNonNull(tempDir, "tempDir is null");
        requireNonNull(parquet, "parquet is null");
    }

    /**
     * Reads the configuration; a missing required variable or a bad value fails at once, naming
     * the variable.
     */
    public static RawObjectConfig fromEnv(Map<String, String> env) {
        ParquetSettings parquet = ParquetSettings.defaults();
        String codec = env.getOrDefault(PARQUET_CODEC, "zstd").toUpperCase(Locale.ROOT);
        if (!codec.equals("ZSTD") && !codec.equals("SNAPPY")) {
            throw new IllegalArgumentException(
                    "Environment variable " + PARQUET_CODEC + " must be zstd or snappy, got '" + env.get(PARQUET_CODEC) + "'");
        }
        parquet = parquet.withCodec(CompressionCodecName.valueOf(codec));
        String budget = env.get(MEMORY_BUDGET_MB);
        if (budget != null) {
            try {
                parquet = parquet.withMemoryBudget(Long.parseLong(budget.trim()) << 20);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        "Environment variable " + MEMORY_BUDGET_MB + " must be a positive number of MiB, got '" + budget + "'");
            }
        }
        return new RawObjectConfig(
                required(env, AWS_REGION),
                required(env, STAGING_BUCKET),
                required(env, STATE_TABLE),
                required(env, GLUE_DATABASE),
                TenantTables.fromEnv(env),
                Optional.ofNullable(env.get(PIPELINE_CONFIG)).filter(s -> !s.isBlank()),
                Path.of(env.getOrDefault(TMPDIR, "/tmp"), "tarn"),
                parquet);
    }

}
