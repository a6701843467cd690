package io.tarn.ingest;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.util.List;

/**
 * What one raw object became: counts, partitions and every object written. Stored beside the
 * staging data ({@code manifests/<table>/<object id>.json}) and returned by the function.
 *
 * @param quarantineKey staging key of the quarantined rows, or null when every row was written
 */
public record Manifest(
        String source,
        String objectId,
        String dataset,
        String table,
        String schemaFingerprint,
        long rowsRead,
        long rowsWritten,
        long rowsQuarantined,
        List<PartitionEntry> partitions,
        List<String> outputKeys,
        String quarantineKey,
        String manifestKey,
        String ingestedAt) {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public Manifest {
        requireNonNull(source, "source is null");
        requireNonNull(objectId, "objectId is null");
        partitions = List.copyOf(partitions);
        outputKeys = List.copyOf(outputKeys);
    }

    /** One partition written: values in partition-key order, its location and row count. */
    public record PartitionEntry(List<String> values, String location, long rows, int files) {
        public PartitionEntry {
            values = List.copyOf(values);
        }
    }

    public byte[] toJson() {
        try {
            return JSON.writeValueAsBytes(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("A manifest is plain data and always serialises", e);
        }
    }

    public static Manifest fromJson(byte[] json) {
        try {
            return JSON.readValue(json, Manifest.class);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("Not a Tarn manifest: " + e.getMessage(), e);
        }
    }
}
