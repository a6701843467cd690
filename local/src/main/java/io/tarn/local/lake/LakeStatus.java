package io.tarn.local.lake;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tarn.aws.s3.S3ObjectStore;
import io.tarn.catalog.StagingLayout;
import io.tarn.current.ChangeIndex;
import io.tarn.etl.RunManifest;
import io.tarn.ingest.RawObjectRef;
import io.tarn.local.adapters.LocalLedger;
import io.tarn.local.adapters.LocalWatermarks;
import io.tarn.pipeline.Dataset;
import io.tarn.pipeline.PipelineConfig;
import io.tarn.pipeline.SourceKind;
import io.tarn.state.LedgerEntry;
import io.tarn.state.Watermark;
import io.tarn.storage.ObjectInfo;
import io.tarn.storage.ObjectNotFoundException;
import io.tarn.storage.ObjectStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * What {@code tarn status} tells of a local lake, per dataset: its raw objects (the newest, when
 * it landed, how many are converted and how many wait), its quarantined rows, its current table's
 * last refresh and lag, and the poller's watermark and lease; and what the stack's alarms would
 * flag, with the defaults of their template parameters as thresholds.
 */
public final class LakeStatus {

    /** QuarantineRatioAlarmThreshold's default: the share of an hour's rows read that may be quarantined. */
    public static final double QUARANTINE_RATIO_THRESHOLD = 0.1;
    /** The quarantine alarms' period: they compare the rows of one hour. */
    public static final Duration QUARANTINE_WINDOW = Duration.ofHours(1);
    /** StalenessAlarmSeconds's default: how old the newest change a current table holds may be. */
    public static final Duration STALE_AFTER = Duration.ofSeconds(21600);

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The whole lake's status at {@code at}. */
    public record Report(Instant at, List<DatasetStatus> datasets) {
        public Report {
            datasets = List.copyOf(datasets);
        }

        /** Every flag of every dataset, each prefixed with its dataset. */
        public List<String> flags() {
            List<String> flags = new ArrayList<>();
            datasets.forEach(d -> d.flags().forEach(flag -> flags.add(d.name() + ": " + flag)));
            return flags;
        }
    }

    /**
     * One dataset.
     *
     * @param newestRaw the raw object that landed last, if any
     * @param rowsRead over every converted object, as {@code rowsQuarantined}
     * @param hourRowsRead over the objects converted in the last hour, as {@code hourRowsQuarantined}:
     *     what the quarantine alarm compares
     * @param refresh the last refresh that applied changes to the current table, if any
     * @param poller an azuresql dataset's watermark and lease
     */
    public record DatasetStatus(String name, Optional<ObjectInfo> newestRaw, int objectsConverted, int objectsWaiting,
            long rowsRead, long rowsQuarantined, long hourRowsRead, long hourRowsQuarantined, Optional<Refresh> refresh,
            Optional<Poller> poller, List<String> flags) {
        public DatasetStatus {
            flags = List.copyOf(flags);
        }
    }

    /**
     * The current table's refresh: the run that last committed it and when it finished, and when
     * the newest change it applied reached staging.
     */
    public record Refresh(String runId, Optional<Instant> finishedAt, Instant newestChangeAt, Duration lag) {}

    /** The poller's state of one table: its committed watermark and who holds its lease, if anyone. */
    public record Poller(Optional<Watermark> watermark, Optional<LocalWatermarks.Lease> lease) {}

    private final ObjectStore store;
    private final LocalLedger ledger;
    private final LocalWatermarks watermarks;
    private final Clock clock;

    LakeStatus(ObjectStore store, LocalLedger ledger, LocalWatermarks watermarks, Clock clock) {
        this.store = requireNonNull(store, "store is null");
        this.ledger = requireNonNull(ledger, "ledger is null");
        this.watermarks = requireNonNull(watermarks, "watermarks is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    /** The status of the lake's datasets now, as {@code clock} tells it. */
    public static Report of(LocalLake lake, PipelineConfig pipeline, Clock clock) {
        return new LakeStatus(new S3ObjectStore(lake.s3()), lake.ledger(), lake.watermarks(), clock).report(pipeline);
    }

    Report report(PipelineConfig pipeline) {
        Instant now = clock.instant();
        List<DatasetStatus> datasets = new ArrayList<>();
        for (Dataset dataset : pipeline.datasets()) {
            datasets.add(dataset(dataset, now));
        }
        return new Report(now, datasets);
    }

    private DatasetStatus dataset(Dataset dataset, Instant now) {
        List<ObjectInfo> raw = new ArrayList<>();
        for (String key : store.list(LocalLake.RAW_BUCKET, dataset.rawPrefix())) {
            if (!key.endsWith("/")) {
                store.head(LocalLake.RAW_BUCKET, key).ifPresent(raw::add);
            }
        }
        Optional<ObjectInfo> newest = raw.stream().max(Comparator.comparing(ObjectInfo::lastModified)
                .thenComparing(ObjectInfo::key));
        int converted = 0;
        long rowsRead = 0;
        long rowsQuarantined = 0;
        long hourRead = 0;
        long hourQuarantined = 0;
        Instant hourAgo = now.minus(QUARANTINE_WINDOW);
        for (ObjectInfo object : raw) {
            // The identity RawObject gives the object: locally the bucket is unversioned, so its ETag.
            String objectId = RawObjectRef.objectId(LocalLake.RAW_BUCKET, object.key(),
                    object.versionId().orElse(object.eTag()));
            Optional<LedgerEntry> entry = ledger.findProcessed(objectId);
            if (entry.isEmpty()) {
                continue;
            }
            converted++;
            rowsRead += entry.get().rowsRead();
            rowsQuarantined += entry.get().rowsQuarantined();
            if (entry.get().processedAt().isAfter(hourAgo)) {
                hourRead += entry.get().rowsRead();
                hourQuarantined += entry.get().rowsQuarantined();
            }
        }
        Optional<Refresh> refresh = refresh(dataset, now);
        Optional<Poller> poller = dataset.source() == SourceKind.AZURESQL
                ? Optional.of(new Poller(watermarks.watermark(dataset.name()), watermarks.lease(dataset.name())))
                : Optional.empty();

        List<String> flags = new ArrayList<>();
        if (hourRead > 0 && (double) hourQuarantined / hourRead > QUARANTINE_RATIO_THRESHOLD) {
            flags.add("%s of the rows read in the last hour were quarantined (%d of %d; the alarm is above %s)"
                    .formatted(percent((double) hourQuarantined / hourRead), hourQuarantined, hourRead,
                            percent(QUARANTINE_RATIO_THRESHOLD)));
        }
        if (refresh.isEmpty()) {
            flags.add("stale: no ETL run has applied a change to the current table %s yet".formatted(dataset.name()));
        } else if (refresh.get().lag().compareTo(STALE_AFTER) > 0) {
            flags.add("stale: the newest change in the current table %s reached staging %s ago (the alarm is after %s)"
                    .formatted(dataset.name(), duration(refresh.get().lag()), duration(STALE_AFTER)));
        }
        poller.flatMap(Poller::lease).filter(lease -> !lease.until().isAfter(now)).ifPresent(lease -> flags.add(
                "the poller's lease expired at %s and is still held by %s: a poll stopped without finishing"
                        .formatted(lease.until(), lease.owner())));
        return new DatasetStatus(dataset.name(), newest, converted, raw.size() - converted, rowsRead, rowsQuarantined,
                hourRead, hourQuarantined, refresh, poller, flags);
    }

    /** What the refresh state says of the current table, with its run's finish from the run manifest. */
    private Optional<Refresh> refresh(Dataset dataset, Instant now) {
        String key = StagingLayout.REFRESH_STATE_PREFIX + dataset.name() + ".json";
        JsonNode state;
        try (InputStream in = store.open(LocalLake.STAGING_BUCKET, key, Optional.empty())) {
            state = JSON.readTree(in.readAllBytes());
        } catch (ObjectNotFoundException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read s3://" + LocalLake.STAGING_BUCKET + "/" + key + ": " + e.getMessage(), e);
        }
        String watermark = state.path("watermark").asText("");
        if (watermark.isEmpty()) {
            return Optional.empty();
        }
        String runId = state.path("runId").asText("");
        Optional<Instant> finished = runId.isEmpty() ? Optional.empty()
                : RunManifest.load(store, LocalLake.STAGING_BUCKET, runId).map(run -> Instant.parse(run.finishedAt()));
        Instant newest = ChangeIndex.writtenAt(watermark);
        return Optional.of(new Refresh(runId, finished, newest, Duration.between(newest, now)));
    }

    // ---------------------------------------------------------------------------------------------
    // Rendering
    // ---------------------------------------------------------------------------------------------

    /** The report as text: a table of the datasets, one of the current tables, the pollers, then the flags. */
    public static void print(Report report, PrintStream out) {
        out.println("status at " + seconds(report.at()));
        Table raw = new Table("dataset", "converted", "waiting", "quarantined", "ratio", "newest raw object", "landed");
        for (DatasetStatus d : report.datasets()) {
            raw.add(d.name(), String.valueOf(d.objectsConverted()), String.valueOf(d.objectsWaiting()),
                    String.valueOf(d.rowsQuarantined()),
                    d.rowsRead() == 0 ? "-" : percent((double) d.rowsQuarantined() / d.rowsRead()),
                    d.newestRaw().map(ObjectInfo::key).orElse("-"),
                    d.newestRaw().map(o -> seconds(o.lastModified())).orElse("-"));
        }
        raw.print(out, 1, 2, 3, 4);
        Table current = new Table("current table", "lag", "newest change", "last refresh", "finished");
        for (DatasetStatus d : report.datasets()) {
            d.refresh().ifPresentOrElse(r -> current.add(d.name(), duration(r.lag()), seconds(r.newestChangeAt()),
                    r.runId(), r.finishedAt().map(LakeStatus::seconds).orElse("-")),
                    () -> current.add(d.name(), "never refreshed", "-", "-", "-"));
        }
        current.print(out, 1);
        List<DatasetStatus> polled = report.datasets().stream().filter(d -> d.poller().isPresent()).toList();
        if (!polled.isEmpty()) {
            Table pollers = new Table("poller", "watermark", "committed", "lease");
            for (DatasetStatus d : polled) {
                Poller p = d.poller().orElseThrow();
                pollers.add(d.name(), p.watermark().map(w -> w.position() + " #" + w.sequence()).orElse("-"),
                        p.watermark().map(w -> seconds(w.committedAt())).orElse("-"),
                        p.lease().map(l -> l.owner() + " until " + seconds(l.until())).orElse("free"));
            }
            pollers.print(out);
        }
        List<String> flags = report.flags();
        if (flags.isEmpty()) {
            out.println("nothing an alarm would flag");
        } else {
            out.println(flags.size() + " thing(s) an alarm would flag:");
            flags.forEach(flag -> out.println("  ! " + flag));
        }
    }

    /** Columns as wide as their widest cell, two spaces apart, indented by two. */
    private static final class Table {
        private final List<String[]> rows = new ArrayList<>();

        Table(String... header) {
            rows.add(header);
        }

        void add(String... row) {
            rows.add(row);
        }

        /** Prints the rows, the {@code right} columns aligned right (numbers), the others left; no trailing blanks. */
        void print(PrintStream out, int... right) {
            int columns = rows.get(0).length;
            int[] widths = new int[columns];
            rows.forEach(row -> {
                for (int i = 0; i < columns; i++) {
                    widths[i] = Math.max(widths[i], row[i].length());
                }
            });
            Set<Integer> alignRight = new HashSet<>();
            for (int column : right) {
                alignRight.add(column);
            }
            for (String[] row : rows) {
                StringBuilder line = new StringBuilder();
                for (int i = 0; i < columns; i++) {
                    String pad = " ".repeat(widths[i] - row[i].length());
                    line.append("  ").append(alignRight.contains(i) ? pad + row[i] : row[i] + pad);
                }
                out.println(line.toString().stripTrailing());
            }
        }
    }

    /** The report as one JSON object. */
    public static ObjectNode toJson(Report report) {
        ObjectNode root = JSON.createObjectNode();
        root.put("at", report.at().toString());
        ArrayNode datasets = root.putArray("datasets");
        for (DatasetStatus d : report.datasets()) {
            ObjectNode node = datasets.addObject();
            node.put("dataset", d.name());
            d.newestRaw().ifPresentOrElse(o -> node.putObject("newestRawObject")
                    .put("key", o.key()).put("landedAt", o.lastModified().toString()),
                    () -> node.putNull("newestRawObject"));
            node.put("objectsConverted", d.objectsConverted());
            node.put("objectsWaiting", d.objectsWaiting());
            node.put("rowsRead", d.rowsRead());
            node.put("rowsQuarantined", d.rowsQuarantined());
            putRatio(node, "quarantineRatio", d.rowsQuarantined(), d.rowsRead());
            ObjectNode hour = node.putObject("lastHour");
            hour.put("rowsRead", d.hourRowsRead());
            hour.put("rowsQuarantined", d.hourRowsQuarantined());
            putRatio(hour, "quarantineRatio", d.hourRowsQuarantined(), d.hourRowsRead());
            d.refresh().ifPresentOrElse(r -> {
                ObjectNode refresh = node.putObject("currentTable");
                refresh.put("lastRefreshRunId", r.runId());
                r.finishedAt().ifPresentOrElse(f -> refresh.put("lastRefreshFinishedAt", f.toString()),
                        () -> refresh.putNull("lastRefreshFinishedAt"));
                refresh.put("newestChangeAt", r.newestChangeAt().toString());
                refresh.put("lagSeconds", r.lag().toSeconds());
            }, () -> node.putNull("currentTable"));
            d.poller().ifPresent(p -> {
                ObjectNode poller = node.putObject("poller");
                p.watermark().ifPresentOrElse(w -> poller.putObject("watermark").put("position", w.position())
                        .put("sequence", w.sequence()).put("committedAt", w.committedAt().toString()),
                        () -> poller.putNull("watermark"));
                p.lease().ifPresentOrElse(l -> poller.putObject("lease").put("owner", l.owner())
                        .put("until", l.until().toString()), () -> poller.putNull("lease"));
            });
            d.flags().forEach(node.putArray("flags")::add);
        }
        report.flags().forEach(root.putArray("flags")::add);
        return root;
    }

    private static void putRatio(ObjectNode node, String field, long part, long whole) {
        if (whole == 0) {
            node.putNull(field);
        } else {
            node.put(field, Math.round(10_000.0 * part / whole) / 10_000.0);
        }
    }

    private static String percent(double ratio) {
        return String.format(Locale.ROOT, "%.1f%%", 100 * ratio);
    }

    private static String seconds(Instant at) {
        return at.truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
    }

    /** {@code 2d 3h}, {@code 8h 0m}, {@code 9m 58s}, {@code 4s}. */
    static String duration(Duration duration) {
        long s = Math.max(0, duration.toSeconds());
        if (s >= 86_400) {
            return (s / 86_400) + "d " + (s % 86_400 / 3600) + "h";
        }
        if (s >= 3600) {
            return (s / 3600) + "h " + (s % 3600 / 60) + "m";
        }
        if (s >= 60) {
            return (s / 60) + "m " + (s % 60) + "s";
        }
        return s + "s";
    }
}
