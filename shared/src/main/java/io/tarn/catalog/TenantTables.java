package io.tarn.catalog;

import static io.tarn.config.Environment.optional;
import static java.util.Objects.requireNonNull;

import io.tarn.pipeline.Dataset;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Where tenants find the staging tables: a database of their own holding a twin of every
 * registered table (same columns, same files) whose partitions Athena projects from the query
 * instead of asking Glue for them. The registered tables' partition list names every account, so
 * it is the customer list; a twin has none. Its {@code account_id} is {@code injected}: every
 * query must name its account with an equality, and Athena reads only that account's folder,
 * where the tenant role's S3 permissions apply. A {@code dt} partition is projected as a date
 * over {@code dateRange}.
 *
 * @param database the Glue database of the twins (the tenant role may read only this one)
 * @param dateRange Athena's {@code projection.dt.range}: two dates ({@code yyyy-MM-dd}) or
 *     {@code NOW} offsets ({@code NOW-3YEARS}), comma-separated; rows whose day lies outside are
 *     not visible through the twins
 */
public record TenantTables(String database, String dateRange) {

    public static final String TENANT_GLUE_DATABASE = "TENANT_GLUE_DATABASE";
    public static final String TENANT_DATE_RANGE = "TENANT_DATE_RANGE";
    /** Business dates can be old (migrated history) or slightly ahead (time zones, scheduled rows). */
    public static final String DEFAULT_DATE_RANGE = "1970-01-01,NOW+1YEARS";

    private static final String BOUND = "(\\d{4}-\\d{2}-\\d{2}|NOW([+-]\\d+(YEARS|MONTHS|WEEKS|DAYS|HOURS|MINUTES|SECONDS))?)";
    private static final Pattern RANGE = Pattern.compile(BOUND + "," + BOUND);

    public TenantTables {
        requireNonNull(database, "database is null");
        requireNonNull(dateRange, "dateRange is null");
        if (!RANGE.matcher(dateRange).matches()) {
            throw new IllegalArgumentException("Environment variable " + TENANT_DATE_RANGE
                    + " must be two days (yyyy-MM-dd) or NOW offsets (NOW-3YEARS), comma-separated, got '"
                    + dateRange + "'");
        }
    }

    /** The twins' settings, or empty when {@value #TENANT_GLUE_DATABASE} is not set (no tenant-facing tables). */
    public static Optional<TenantTables> fromEnv(Map<String, String> env) {
        requireNonNull(env, "env is null");
        return optional(env, TENANT_GLUE_DATABASE).map(database ->
                new TenantTables(database, optional(env, TENANT_DATE_RANGE).orElse(DEFAULT_DATE_RANGE).trim()));
    }

    /** The prefix of the staging bucket under which current tables' symlink manifests live. */
    public static final String SYMLINK_PREFIX = "_symlink/";
    /** A symlink manifest's name in its partition folder. */
    public static final String SYMLINK_FILE = "symlink.txt";

    /**
     * The twin of a registered table: the table itself for one whose partitions' files are in
     * their Hive folders; for a current table, whose partitions move between version folders that
     * no location template can name, a table of the same columns over symlink manifests, one per
     * partition at {@code _symlink/<name>/account_id=<a>/[dt=<d>/]symlink.txt} in the same bucket,
     * which the refresh rewrites when it moves the partition. The tenant prefix policy holds there
     * too: the manifest's key has the account's folder.
     */
    public TableDefinition twin(TableDefinition table) {
        requireNonNull(table, "table is null");
        if (table.storage() != TableDefinition.Storage.VERSIONED_PARQUET) {
            return table;
        }
        return new TableDefinition(table.name(), symlinkLocation(table.location(), table.name()), table.columns(),
                table.partitionKeys(), TableDefinition.Storage.SYMLINK);
    }

    /** {@code s3://bucket/_symlink/<name>/} for a table at {@code s3://bucket/<name>/}. */
    public static String symlinkLocation(String tableLocation, String name) {
        String location = tableLocation.endsWith("/") ? tableLocation : tableLocation + "/";
        String suffix = name + "/";
        if (!location.endsWith("/" + suffix)) {
            throw new IllegalArgumentException("table " + name + " is not at <root>/" + suffix + ": " + tableLocation);
        }
        return location.substring(0, location.length() - suffix.length()) + SYMLINK_PREFIX + suffix;
    }

    /**
     * The table properties that make Athena project the twin's partitions. The location template
     * is the registered tables' Hive layout; Athena puts the injected value in as the query wrote
     * it, so a tenant names its account as its session tag does: the escaped partition value.
     */
    public Map<String, String> projection(TableDefinition table) {
        requireNonNull(table, "table is null");
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("projection.enabled", "true");
        StringBuilder template = new StringBuilder(table.location().endsWith("/") ? table.location() : table.location() + "/");
        for (CatalogColumn key : table.partitionKeys()) {
            String prefix = "projection." + key.name() + ".";
            if (key.name().equals(Dataset.DATE_PARTITION)) {
                properties.put(prefix + "type", "date");
                properties.put(prefix + "format", "yyyy-MM-dd");
                properties.put(prefix + "range", dateRange);
                properties.put(prefix + "interval", "1");
                properties.put(prefix + "interval.unit", "DAYS");
            } else {
                properties.put(prefix + "type", "injected");
            }
            template.append(key.name()).append("=${").append(key.name()).append("}/");
        }
        properties.put("storage.location.template", template.toString());
        return properties;
    }
}
