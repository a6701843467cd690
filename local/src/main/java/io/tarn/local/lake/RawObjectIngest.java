package io.tarn.local.lake;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tarn.functions.rawobject.RawObjectEvents;
import io.tarn.functions.rawobject.RawObjectHandler;
import io.tarn.parquet.ParquetSettings;
import io.tarn.parquet.StagingSchema;
import io.tarn.pipeline.Dataset;
import io.tarn.pipeline.PipelineConfig;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Collectors;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;

/**
 * Hands objects of the local raw bucket to the RawObject handler as their S3 notifications would,
 * and summarises the handler's result per object: what {@code tarn ingest}, {@code tarn poll} and
 * {@code tarn up} do with each new raw object.
 */
public final class RawObjectIngest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> SUMMARY_FIELDS = List.of("rowsRead", "rowsWritten", "rowsQuarantined",
            "partitions", "outputKeys", "quarantineKey", "manifestKey", "reason");

    private final LocalLake lake;
    private final RawObjectHandler handler;

    /** The handler is wired to {@code lake}; its logs go to {@code logs}. */
    public RawObjectIngest(LocalLake lake, PipelineConfig pipeline, PrintStream logs) {
        this.lake = requireNonNull(lake, "lake is null");
        this.handler = new RawObjectHandler(lake.rawObjectProcessor(
                requireNonNull(pipeline, "pipeline is null"), ParquetSettings.defaults(), requireNonNull(logs, "logs is null")));
    }

    /**
     * Loads and initialises what the first conversion of {@code dataset}'s objects needs before any
     * lake exists: the handler's event serializers and the table's Avro and Parquet schemas. For a
     * command that opens the lake meanwhile on another thread; the conversion is the same without.
     */
    public static void preload(Dataset dataset) {
        RawObjectEvents.warmUp();
        new StagingSchema(requireNonNull(dataset, "dataset is null"));
    }

    /**
     * Invokes the handler with the notification of the object now at {@code key}; returns
     * {@code status}, {@code source} and, when present, the counts, keys and reason.
     */
    public ObjectNode ingest(String key) throws IOException {
        HeadObjectResponse head = lake.s3().headObject(b -> b.bucket(LocalLake.RAW_BUCKET).key(key));
        ByteArrayOutputStream response = new ByteArrayOutputStream();
        handler.handleRequest(new ByteArrayInputStream(s3Event(LocalLake.RAW_BUCKET, key, head)), response, null);
        JsonNode result = JSON.readTree(response.toByteArray()).path("results").path(0);
        ObjectNode summary = JSON.createObjectNode();
        summary.put("status", result.path("status").asText());
        summary.put("source", result.path("source").asText());
        for (String field : SUMMARY_FIELDS) {
            if (result.has(field)) {
                summary.set(field, result.get(field));
            }
        }
        return summary;
    }

    /** The S3 notification Lambda receives for a put: keys form-encoded, as S3 sends them. */
    static byte[] s3Event(String bucket, String key, HeadObjectResponse head) {
        String encodedKey = List.of(key.split("/", -1)).stream()
                .map(segment -> URLEncoder.encode(segment, StandardCharsets.UTF_8))
                .collect(Collectors.joining("/"));
        ObjectNode event = JSON.createObjectNode();
        ObjectNode record = event.putArray("Records").addObject();
        record.put("eventVersion", "2.1");
        record.put("eventSource", "aws:s3");
        record.put("awsRegion", "us-east-1");
        record.put("eventTime", head.lastModified().toString());
        record.put("eventName", "ObjectCreated:Put");
        ObjectNode s3 = record.putObject("s3");
        s3.put("s3SchemaVersion", "1.0");
        s3.putObject("bucket").put("name", bucket).put("arn", "arn:aws:s3:::" + bucket);
        ObjectNode object = s3.putObject("object");
        object.put("key", encodedKey);
        object.put("size", head.contentLength());
        object.put("eTag", head.eTag().replace("\"", ""));
        if (head.versionId() != null) {
            object.put("versionId", head.versionId());
        }
        object.put("sequencer", Long.toHexString(head.lastModified().toEpochMilli()).toUpperCase());
        return event.toString().getBytes(StandardCharsets.UTF_8);
    }
}
