package io.tarn.etl;

import static io.tarn.config.Environment.optional;
import static io.tarn.config.Environment.required;
import static java.util.Objects.requireNonNull;

import io.tarn.catalog.TenantTables;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The PartitionRepair function's configuration, from its environment (names match template.yaml).
 *
 * @param stagingBucket where the ETL job stores run manifests
 * @param glueDatabase the Glue database of the staging tables (also the Athena queries' database)
 * @param athenaWorkgroup the workgroup Athena statements run in (ALTER TABLE, and MSCK REPAIR
 *     TABLE for a run without manifest, whatever the registration)
 * @param registration how a manifest's partitions are registered
 * @param tenantTables where the tables' tenant-facing twins go; empty for none
 */
public record PartitionRepairConfig(String region, String stagingBucket, String glueDatabase, String athenaWorkgroup,
        Registration registration, Optional<TenantTables> tenantTables) {

    /** Set by Lambda itself in every function's environment. */
    public static final String AWS_REGION = "AWS_REGION";
    public static final String STAGING_BUCKET = "STAGING_BUCKET";
    public static final String GLUE_DATABASE = "GLUE_DATABASE";
    public static final String ATHENA_WORKGROUP = "ATHENA_WORKGROUP";
    public static final String REGISTRATION = "REGISTRATION";

    /** How partitions are registered: {@code glue} (the default) or {@code athena}. */
    public enum Registration {
        /** Glue BatchCreatePartition, 100 per call: the exact, cheap way. */
        GLUE,
        /** Athena {@code ALTER TABLE ... ADD IF NOT EXISTS PARTITION}, for accounts that grant Athena, not Glue writes. */
        ATHENA;

        /** The name in the environment and the report. */
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public PartitionRepairConfig {
        requireNonNull(region, "region is null");
        requireNonNull(stagingBucket, "stagingBucket is null");
        requireNonNull(glueDatabase, "glueDatabase is null");
        requireNonNull(athenaWorkgroup, "athenaWorkgroup is null");
        requireNonNull(registration, "registration is null");
        requireNonNull(tenantTables, "tenantTables is null");
    }

    /** Reads the configuration; a missing variable or a bad value fails at once, naming the variable. */
    public static PartitionRepairConfig fromEnv(Map<String, String> env) {
        requireNonNull(env, "env is null");
        String registration = optional(env, REGISTRATION).orElse(Registration.GLUE.label());
        Registration parsed = Arrays.stream(Registration.values())
                .filter(r -> r.label().equals(registration.trim().toLowerCase(Locale.ROOT)))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("Environment variable " + REGISTRATION + " must be "
                        + Arrays.stream(Registration.values()).map(Registration::label).collect(Collectors.joining(" or "))
                        + ", got '" + registration + "'"));
        return new PartitionRepairConfig(
                required(env, AWS_REGION), required(env, STAGING_BUCKET), required(env, GLUE_DATABASE),
                required(env, ATHENA_WORKGROUP), parsed, TenantTables.fromEnv(env));
    }
}
