package io.tarn.etl;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.tarn.catalog.CatalogColumn;
import io.tarn.catalog.Partition;
import io.tarn.catalog.TableDefinition;
import io.tarn.storage.ObjectNotFoundException;
import io.tarn.storage.ObjectStore;
import io.tarn.storage.StorageException;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What one ETL job run wrote: per table its schema, schema fingerprint and exactly the partitions
 * written. The job stores it at {@link #key(String)} in the staging bucket when it has finished
 * writing; crawler refresh reads the fingerprints and partition repair registers the partitions.
 *
 * @param runId the run's identity (the state machine passes its execution name)
 * @param mode {@code join} or {@code backfill}
 */
public record RunManifest(String runId, String mode, String startedAt, String finishedAt, List<TableOutput> tables) {

    /** Where run manifests live in the staging bucket: {@code etl-runs/<run id>.json}. */
    public static final String PREFIX = "etl-runs/";

    private static final Pattern RUN_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public RunManifest {
        checkRunId(runId);
        requireNonNull(mode, "mode is null");
        tables = List.copyOf(tables);
    }

    /**
     * One table the run wrote.
     *
     * @param location the table's root, {@code s3://bucket/table/}
     * @param columns data columns with Hive types, partition keys excluded
     * @param partitions every partition written by this run, values raw (not escaped)
     */
    public record TableOutput(String table, String location, String schemaFingerprint, List<CatalogColumn> columns,
            List<CatalogColumn> partitionKeys, List<PartitionOutput> partitions) {

        public TableOutput {
            requireNonNull(table, "table is null");
            requireNonNull(location, "location is null");
            requireNonNull(schemaFingerprint, "schemaFingerprint is null");
            columns = List.copyOf(columns);
            partitionKeys = List.copyOf(partitionKeys);
            partitions = List.copyOf(partitions);
        }

        public TableDefinition definition() {
            return new TableDefinition(table, location, columns, partitionKeys);
        }

        public List<Partition> catalogPartitions() {
            return partitions.stream().map(p -> new Partition(p.values(), p.location())).toList();
        }
    }

    /** One partition written: values in partition-key order, its location and the rows it now holds. */
    public record PartitionOutput(List<String> values, String location, long rows) {
        public PartitionOutput {
            values = List.copyOf(values);
            requireNonNull(location, "location is null");
        }
    }

    /** The staging key of a run's manifest. */
    public static String key(String runId) {
        return PREFIX + checkRunId(runId) + ".json";
    }

    /**
     * A run id becomes part of an object key, so only what a Step Functions execution name or a
     * Glue job run id can hold is accepted: letters, digits, {@code . _ -}, at most 128.
     */
    public static String checkRunId(String runId) {
        requireNonNull(runId, "runId is null");
        if (!RUN_ID.matcher(runId).matches()) {
            throw new IllegalArgumentException("run id '" + runId
                    + "' must be 1 to 128 letters, digits, '.', '_' or '-', starting with a letter or digit");
        }
        return runId;
    }

    public byte[] toJson() {
        try {
            return JSON.writeValueAsBytes(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("A run manifest is plain data and always serialises", e);
        }
    }

    /**
     * The manifest of a run, read from the staging bucket, or empty when there is none (the run
     * wrote nothing, or the job failed before it finished).
     *
     * @throws IllegalArgumentException naming the object when it is not a run manifest
     */
    public static Optional<RunManifest> load(ObjectStore store, String bucket, String runId) {
        requireNonNull(store, "store is null");
        requireNonNull(bucket, "bucket is null");
        String key = key(runId);
        String source = "s3://" + bucket + "/" + key;
        try (InputStream in = store.open(bucket, key, Optional.empty())) {
            return Optional.of(fromJson(in.readAllBytes(), source));
        } catch (ObjectNotFoundException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new StorageException("Cannot read run manifest " + source, e);
        }
    }

    /** @throws IllegalArgumentException naming {@code source} when the bytes are not a run manifest */
    public static RunManifest fromJson(byte[] json, String source) {
        try {
            return JSON.readValue(json, RunManifest.class);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("Not a Tarn run manifest: " + source + ": "
                    + e.getMessage().lines().findFirst().orElse(""), e);
        }
    }
}
