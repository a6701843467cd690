package io.tarn.current;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A complete snapshot of an Azure SQL table's primary keys: how the refresh learns which rows were
 * deleted at a source that cannot say so itself (the rowversion and timestamp cursors).
 *
 * <p>In the raw bucket, outside every dataset's prefix (so RawObject never converts them):
 * <ul>
 *   <li>{@code key-snapshots/<dataset>/<started>/<nnnnnn>.csv}: the pages of a cursor dataset's
 *       snapshot, a header CSV of the key columns;
 *   <li>{@code key-snapshots/<dataset>/latest.json}: this record, the latest complete snapshot.
 *       The poller writes it only after the snapshot's last page is in S3, so a snapshot that
 *       stopped early (the poller ran out of time) is never announced.
 * </ul>
 * A change_tracking re-snapshot is announced too: its pages are the data pages it wrote (they hold
 * every column, the keys among them).
 *
 * <p>A key absent from the snapshot whose latest change was ingested before {@code startedAt} was
 * deleted at the source: every row that existed throughout the snapshot is in one of its pages,
 * and a row written since it began arrives with a later ingestion time. The refresh writes such a
 * key's delete into the change log, ordered at {@code startedAt}.
 *
 * @param startedAt when the poller began reading the snapshot (before its first page)
 * @param pages raw keys of the snapshot's pages, in the order written
 */
public record KeySnapshot(String dataset, Instant startedAt, List<String> pages) {

    /** The raw bucket's prefix of key snapshots; no dataset's raw_prefix may start with it. */
    public static final String PREFIX = "key-snapshots/";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final DateTimeFormatter STAMP =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'").withZone(ZoneOffset.UTC);

    public KeySnapshot {
        requireNonNull(dataset, "dataset is null");
        requireNonNull(startedAt, "startedAt is null");
        pages = List.copyOf(pages);
    }

    /** The key of the pointer to a dataset's latest complete snapshot. */
    public static String latestKey(String dataset) {
        return PREFIX + dataset + "/latest.json";
    }

    /** The folder of the snapshot begun at {@code startedAt}. */
    public static String folder(String dataset, Instant startedAt) {
        return PREFIX + dataset + "/" + STAMP.format(startedAt) + "/";
    }

    /** The key of a cursor snapshot's page, numbered from 1. */
    public static String pageKey(String dataset, Instant startedAt, int page) {
        return folder(dataset, startedAt) + "%06d.csv".formatted(page);
    }

    /** The snapshot's start as its folder names it: {@code yyyyMMddTHHmmss.SSSZ}. */
    public String stamp() {
        return STAMP.format(startedAt);
    }

    /** The snapshot's name in the change log ({@code _source_key} of the deletes it finds). */
    public String name() {
        return folder(dataset, startedAt);
    }

    public byte[] toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("dataset", dataset);
        json.put("startedAt", startedAt.toString());
        json.put("pages", pages);
        try {
            return JSON.writeValueAsBytes(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("A key snapshot is plain data and always serialises", e);
        }
    }

    /** @throws IllegalArgumentException naming what is wrong, when {@code json} is not a pointer */
    public static KeySnapshot fromJson(byte[] json) {
        try {
            JsonNode node = JSON.readTree(json);
            List<String> pages = new ArrayList<>();
            node.path("pages").forEach(page -> pages.add(page.asText()));
            if (!node.path("dataset").isTextual() || !node.path("startedAt").isTextual() || pages.isEmpty()) {
                throw new IllegalArgumentException("Not a Tarn key snapshot pointer (dataset, startedAt and pages"
                        + " required): " + new String(json, StandardCharsets.UTF_8));
            }
            return new KeySnapshot(node.path("dataset").asText(), Instant.parse(node.path("startedAt").asText()), pages);
        } catch (IOException | DateTimeParseException e) {
            throw new IllegalArgumentException("Not a Tarn key snapshot pointer: " + e.getMessage(), e);
        }
    }
}
