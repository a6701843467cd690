package io.tarn.jobs.etl;

import static java.util.Objects.requireNonNull;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.date_format;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.row_number;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tarn.catalog.Catalog;
import io.tarn.catalog.Partition;
import io.tarn.catalog.StagingLayout;
import io.tarn.catalog.TenantTables;
import io.tarn.current.ChangeIndex;
import io.tarn.current.ChangeOrder;
import io.tarn.current.KeySnapshot;
import io.tarn.ingest.Manifest;
import io.tarn.log.JsonLogger;
import io.tarn.metrics.EmfMetrics;
import io.tarn.metrics.Metric;
import io.tarn.metrics.TarnMetrics;
import io.tarn.parquet.StagingSchema;
import io.tarn.partition.PartitionPaths;
import io.tarn.pipeline.Dataset;
import io.tarn.pipeline.PipelineConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.catalog.ExternalCatalogUtils;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.storage.StorageLevel;
import scala.collection.JavaConverters;
import scala.collection.Seq;

/**
 * Brings each dataset's current table ({@code <name>}) up to its change log ({@code <name>_changes}),
 * reading only the changes added since the last refresh and rewriting only the account
 * partitions they touch.
 *
 * <p>Per dataset: the change index entries written since the watermark, and older than the settle
 * interval, name the manifests and so the change files to read. The accounts to rewrite are those
 * the changes name, plus those currently holding any changed key (a key whose account changed
 * leaves its old partition; a MongoDB delete names only its key). For each such account, its
 * current rows (which keep their winning change's order columns) and the new changes are reduced
 * to the latest change per key by {@link ChangeOrder}; deletes are dropped. The result is written
 * as a new version, {@code <name>/account_id=<a>/v=<run id>/[dt=<d>/]}, then the catalog's
 * partitions of those accounts move to it (emptied ones are removed), and once the joins have
 * rebuilt the same accounts, the watermark advances ({@link #commit}).
 *
 * <p>A rerun of the same run id writes the same versions and moves to the same locations. A crash
 * before the watermark advances leaves it where it was: the next run reads the same changes again
 * over whatever the catalog points at, and re-applying a change that already won gives the same row.
 */
final class RefreshRun {

    /** Per dataset, the last change index entry applied: {@code refresh/<dataset>.json}. */
    static final String STATE_PREFIX = StagingLayout.REFRESH_STATE_PREFIX;
    /** The count of a run's {@code lastRun} that says how many current partitions it wrote. */
    static final String PARTITIONS_WRITTEN = "partitionsWritten";
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Symlink manifests written at once: S3 round trips, not CPU. */
    private static final int SYMLINK_THREADS = 16;

    private final SparkSession spark;
    private final PipelineConfig pipeline;
    private final EtlSettings settings;
    private final Catalog catalog;
    private final Clock clock;
    private final StagingTables staging;
    private final SnapshotDeletes snapshotDeletes;
    private final ChangeLogCompaction compaction;
    private final EmfMetrics metrics;

    RefreshRun(SparkSession spark, PipelineConfig pipeline, EtlSettings settings, Catalog catalog, Clock clock,
            JsonLogger log) {
        this.spark = requireNonNull(spark, "spark is null");
        this.pipeline = requireNonNull(pipeline, "pipeline is null");
        this.settings = requireNonNull(settings, "settings is null");
        this.catalog = requireNonNull(catalog, "catalog is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.staging = new StagingTables(spark, settings, catalog);
        this.snapshotDeletes = new SnapshotDeletes(spark, settings, catalog, staging);
        this.compaction = new ChangeLogCompaction(spark, settings, catalog, staging);
        this.metrics = new EmfMetrics(requireNonNull(log, "log is null"), clock);
    }

    /**
     * What the refresh keeps per dataset in {@code refresh/<dataset>.json}: the last change index
     * entry applied, the versions it moved partitions away from, with when, so they can be
     * deleted once no running query can still be reading them, the start of the last key
     * snapshot applied, and the change-log partitions ({@code [account, day]}) that received files
     * and are not compacted yet.
     */
    record State(Optional<String> watermark, String runId, List<Superseded> superseded, Optional<Instant> keySnapshot,
            List<List<String>> open) {
        State {
            superseded = List.copyOf(superseded);
            requireNonNull(keySnapshot, "keySnapshot is null");
            open = List.copyOf(open);
        }

        State withSuperseded(List<Superseded> versions) {
            return new State(watermark, runId, versions, keySnapshot, open);
        }
    }

    /** A partition location the catalog no longer points at, since {@code at}. */
    record Superseded(String location, String at) {}

    /**
     * What one dataset's refresh did: the accounts it rewrote (unescaped), which the joins rebuild,
     * the state the dataset has once they have ({@link #commit}), whether that state is new (to be
     * written) or the one it already had, and its counts, which the committed state keeps as
     * {@code lastRun}.
     */
    record Refreshed(String dataset, Set<String> accounts, State state, boolean changed, Map<String, Long> counts) {
        Refreshed {
            counts = Map.copyOf(counts);
        }

        /** A refresh that keeps {@code done}. */
        Refreshed(String dataset, Set<String> accounts, State done, Map<String, Long> counts) {
            this(dataset, accounts, done, true, counts);
        }

        /** A refresh that found nothing new, over {@code state}. */
        static Refreshed unchanged(String dataset, State state) {
            return new Refreshed(dataset, Set.of(), state, false, Map.of());
        }

        /** The state to write once the joins are rebuilt, empty when nothing was new. */
        Optional<State> done() {
            return changed ? Optional.of(state) : Optional.empty();
        }
    }

    List<Refreshed> run() {
        Instant cutoff = clock.instant().minus(settings.settle());
        List<Refreshed> refreshed = new ArrayList<>();
        for (Dataset dataset : pipeline.datasets()) {
            refreshed.add(refresh(dataset, cutoff));
        }
        return refreshed;
    }

    private Refreshed refresh(Dataset dataset, Instant cutoff) {
        State state = readState(dataset);
        Optional<String> watermark = state.watermark();
        List<String> entries = newEntries(dataset, watermark, cutoff);
        Optional<KeySnapshot> snapshot = snapshotDeletes.newSnapshot(dataset, state.keySnapshot());
        Instant now = clock.instant();
        writeEverySymlinkOnce(dataset);
        boolean closing = state.open().stream().anyMatch(day -> closed(day, now));
        if (entries.isEmpty() && snapshot.isEmpty() && state.superseded().isEmpty() && !closing) {
            return Refreshed.unchanged(dataset.name(), state);
        }
        // One read of the catalog's partitions serves the cleanup, the key lookup and the rewrite.
        Map<String, List<Partition>> current = staging.currentPartitions(dataset.name());
        state = removeExpiredVersions(dataset, state, current);
        if (entries.isEmpty() && snapshot.isEmpty()) {
            if (!closing) {
                return Refreshed.unchanged(dataset.name(), state);
            }
            // Nothing new, but days of the change log have closed since the last run.
            List<Superseded> superseded = new ArrayList<>(state.superseded());
            List<List<String>> open = compactClosed(dataset, state.open(), now, superseded);
            return new Refreshed(dataset.name(), Set.of(), new State(state.watermark(), settings.runId(),
                    superseded, state.keySnapshot(), open),
                    Map.of("changeLogDaysCompacted", (long) (state.open().size() - open.size())));
        }
        // A replayed object has an entry per conversion, all naming its one manifest.
        Map<String, Manifest> manifests = new LinkedHashMap<>();
        for (String entry : entries) {
            String manifestKey = new String(readBytes(entry), StandardCharsets.UTF_8).trim();
            Manifest manifest = Manifest.fromJson(readBytes(manifestKey));
            manifests.put(manifest.objectId(), manifest);
        }
        List<String> files = new ArrayList<>();
        Set<String> accounts = new TreeSet<>();
        Set<List<String>> open = new LinkedHashSet<>(state.open());
        for (Manifest manifest : manifests.values()) {
            manifest.outputKeys().forEach(key -> files.add(settings.sparkStagingRoot() + key));
            manifest.partitions().forEach(p -> accounts.add(p.values().get(0)));
            manifest.partitions().forEach(p -> open.add(p.values()));
        }
        boolean keyOnlyDeletes = accounts.remove(PartitionPaths.NO_ACCOUNT);

        StagingSchema schema = new StagingSchema(dataset);
        List<String> keys = dataset.primaryKey().stream().map(name -> keyColumn(dataset, name)).toList();
        List<String> columns = new ArrayList<>(StagingTables.currentColumns(schema));
        org.apache.spark.sql.Dataset<Row> changes = (files.isEmpty()
                ? spark.createDataFrame(List.of(), StagingTables.changesSchema(schema))
                : spark.read()
                        .schema(StagingTables.changesSchema(schema))
                        .option("basePath", settings.sparkStagingRoot() + dataset.changesTable())
                        .parquet(files.toArray(String[]::new)))
                .select(columns(columns, StagingLayout.OP));
        List<Partition> all = new ArrayList<>();
        current.values().forEach(all::addAll);
        if (snapshot.isPresent()) {
            // Deletes found by the key snapshot join the new changes, and their accounts the rewrite.
            org.apache.spark.sql.Dataset<Row> deletes = snapshotDeletes.write(dataset, snapshot.get(), changes.unionByName(
                    staging.currentRows(dataset, all).withColumn(StagingLayout.OP, lit("I")).select(columns(columns, StagingLayout.OP))),
                    state.open()).select(columns(columns, StagingLayout.OP));
            deletes.select(Dataset.ACCOUNT_PARTITION).distinct().collectAsList().forEach(row -> accounts.add(row.getString(0)));
            snapshotDeletes.lastPartitions().forEach(p -> open.add(p.values()));
            changes = changes.unionByName(deletes);
        }

        if (!current.isEmpty()) {
            // The accounts holding a changed key now: the key moved away from them, or a delete
            // names only the key. Only the key columns and the account of the current files are read.
            List<String> lookup = new ArrayList<>(keys);
            if (!lookup.contains(Dataset.ACCOUNT_PARTITION)) {
                lookup.add(Dataset.ACCOUNT_PARTITION);
            }
            staging.currentRows(dataset, all).select(columns(lookup))
                    .join(changes.select(columns(keys)).distinct(), seq(keys), "left_semi")
                    .select(Dataset.ACCOUNT_PARTITION).distinct()
                    .collectAsList().forEach(row -> accounts.add(row.getString(0)));
        }

        long unheldDeletes = keyOnlyDeletes ? unheldDeletes(dataset, keys, changes, all) : 0;

        List<Partition> previous = new ArrayList<>();
        accounts.forEach(account -> previous.addAll(current.getOrDefault(account, List.of())));
        Column[] order = StagingTables.changeOrder(dataset);
        org.apache.spark.sql.Dataset<Row> latest = changes
                .unionByName(staging.currentRows(dataset, previous).withColumn(StagingLayout.OP, lit("I"))
                        .select(columns(columns, StagingLayout.OP)))
                .withColumn("_rn", row_number().over(Window.partitionBy(columns(keys)).orderBy(order)))
                .where(col("_rn").equalTo(1).and(col(StagingLayout.OP).notEqual(lit("D"))))
                .drop("_rn", StagingLayout.OP);
        List<String> partitionColumns = new ArrayList<>(List.of(Dataset.ACCOUNT_PARTITION, StagingTables.VERSION));
        if (dataset.partitionDate().isPresent()) {
            // The same UTC day RowTyper checked the row has (the session's time zone is UTC).
            latest = latest.withColumn(Dataset.DATE_PARTITION, date_format(col(dataset.partitionDate().get()), "yyyy-MM-dd"));
            partitionColumns.add(Dataset.DATE_PARTITION);
        }
        // One task per partition, so one file per partition.
        latest = latest.withColumn(StagingTables.VERSION, lit(settings.runId()))
                .repartition(columns(partitionColumns));

        List<String> valueColumns = new ArrayList<>(partitionColumns);
        valueColumns.remove(StagingTables.VERSION);
        List<Partition> written = new ArrayList<>();
        List<Superseded> superseded = new ArrayList<>(state.superseded());
        Set<String> newLocations = new HashSet<>();
        latest.persist(StorageLevel.MEMORY_AND_DISK());
        try {
            for (Row row : latest.select(columns(valueColumns)).distinct().collectAsList()) {
                List<String> values = new ArrayList<>();
                for (int i = 0; i < valueColumns.size(); i++) {
                    values.add(row.getString(i));
                }
                written.add(new Partition(values, location(dataset, values)));
            }
            // Every location this run writes or moves away from is recorded before anything is
            // written: a crash anywhere after leaves no version unknown. Cleanup deletes a recorded
            // one after the retention unless the catalog points at it (the run's own, once moved).
            written.forEach(p -> newLocations.add(p.location()));
            String at = now.toString();
            previous.stream().map(Partition::location).filter(l -> !newLocations.contains(l)).distinct()
                    .forEach(location -> superseded.add(new Superseded(location, at)));
            newLocations.forEach(location -> superseded.add(new Superseded(location, at)));
            // The change-log days this run adds to, the snapshot's deletes among them, are open from
            // here on: a rerun after the move finds the deletes there, and compaction finds the days.
            writeState(dataset, new State(watermark, settings.runId(), superseded, state.keySnapshot(), List.copyOf(open)));
            latest.write()
                    .mode(SaveMode.Overwrite)
                    // Replaces only this run's version folders: a rerun of the run id writes them again.
                    .option("partitionOverwriteMode", "dynamic")
                    .option("compression", "zstd")
                    .partitionBy(partitionColumns.toArray(String[]::new))
                    .parquet(settings.sparkStagingRoot() + dataset.name());
        } finally {
            latest.unpersist();
        }

        Set<List<String>> kept = new HashSet<>();
        written.forEach(p -> kept.add(p.values()));
        List<List<String>> removals = previous.stream().map(Partition::values).filter(v -> !kept.contains(v)).toList();
        catalog.ensureTable(schema.currentTableDefinition(settings.stagingRoot() + dataset.name() + "/"));
        catalog.movePartitions(dataset.name(), written, removals);
        writeSymlinks(dataset, written, removals);
        // Moved: this run's versions are current, no longer candidates for deletion. The watermark
        // advances only once the joins have rebuilt these accounts (commit): a run that fails in
        // between is retried, reads the same changes again and the joins get the same accounts.
        Optional<String> applied = entries.isEmpty() ? watermark : Optional.of(entries.get(entries.size() - 1));
        List<Superseded> remaining = new ArrayList<>(superseded.stream()
                .filter(v -> !newLocations.contains(v.location())).toList());
        List<List<String>> stillOpen = compactClosed(dataset, List.copyOf(open), now, remaining);
        Map<String, Long> counts = new LinkedHashMap<>();
        counts.put("changeObjects", (long) manifests.size());
        counts.put("accountsRewritten", (long) accounts.size());
        counts.put(PARTITIONS_WRITTEN, (long) written.size());
        counts.put("partitionsRemoved", (long) removals.size());
        counts.put("deletesOfUnheldKeys", unheldDeletes);
        counts.put("changeLogDaysCompacted", (long) (open.size() - stillOpen.size()));
        return new Refreshed(dataset.name(), accounts, new State(applied, settings.runId(), remaining,
                snapshot.map(KeySnapshot::startedAt).or(state::keySnapshot), stillOpen), counts);
    }

    /**
     * The keys deleted by key alone (a MongoDB delete names only {@code _id}; its account reads as
     * null) that neither the current table nor the other new changes hold: nothing to delete,
     * counted rather than an error.
     */
    private long unheldDeletes(Dataset dataset, List<String> keys, org.apache.spark.sql.Dataset<Row> changes,
            List<Partition> all) {
        org.apache.spark.sql.Dataset<Row> held = changes.where(col(Dataset.ACCOUNT_PARTITION).isNotNull()).select(columns(keys))
                .unionByName(staging.currentRows(dataset, all).select(columns(keys)));
        return changes.where(col(Dataset.ACCOUNT_PARTITION).isNull()).select(columns(keys)).distinct()
                .join(held.distinct(), seq(keys), "left_anti").count();
    }

    /**
     * Compacts the change-log days among {@code open} that have closed, adding the compactions they
     * replace to {@code superseded}; returns the days still open.
     */
    private List<List<String>> compactClosed(Dataset dataset, List<List<String>> open, Instant now,
            List<Superseded> superseded) {
        List<List<String>> closed = open.stream().filter(day -> closed(day, now)).toList();
        if (closed.isEmpty()) {
            return open;
        }
        Set<String> known = new HashSet<>();
        superseded.forEach(v -> known.add(v.location()));
        for (String location : compaction.compact(dataset, closed)) {
            if (known.add(location)) {
                superseded.add(new Superseded(location, now.toString()));
            }
        }
        return open.stream().filter(day -> !closed(day, now)).toList();
    }

    /** Whether a change-log day ({@code [account, yyyy-MM-dd]}) ended longer than the lateness ago. */
    private boolean closed(List<String> partition, Instant now) {
        Instant end = LocalDate.parse(partition.get(1)).plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
        return end.plus(settings.compactionLateness()).isBefore(now);
    }

    /** Advances each refreshed dataset's watermark: called after everything built on this refresh succeeded. */
    void commit(List<Refreshed> refreshed) {
        for (Refreshed table : refreshed) {
            table.done().ifPresent(state -> writeState(pipeline.dataset(table.dataset()).orElseThrow(), state,
                    table.counts()));
        }
        publishMetrics(refreshed);
    }

    /**
     * Per dataset, the partitions this run rewrote and the current table's lag: now minus when the
     * newest change it holds reached staging (its change index entry's time), also after a run with
     * nothing new, which still reports how far behind the table is. A dataset that never had a
     * change has no lag to report.
     */
    private void publishMetrics(List<Refreshed> refreshed) {
        Instant now = clock.instant();
        for (Refreshed table : refreshed) {
            Dataset dataset = pipeline.dataset(table.dataset()).orElseThrow();
            Map<Metric, Number> values = new LinkedHashMap<>();
            values.put(TarnMetrics.PARTITIONS_REWRITTEN, table.counts().getOrDefault(PARTITIONS_WRITTEN, 0L));
            table.state().watermark().ifPresent(entry -> values.put(TarnMetrics.REFRESH_LAG_SECONDS,
                    Duration.between(ChangeIndex.writtenAt(entry), now).toMillis() / 1000.0));
            metrics.publishForDataset(dataset.name(), values);
        }
    }

    /**
     * Points each moved partition's symlink manifest at its new version's files, and removes the
     * manifests of emptied partitions: what a tenant's twin of the table reads
     * ({@link TenantTables#twin}). Each manifest is one object, replaced whole, so a query reads
     * the old version's files or the new one's; the old files stay for the retention. Written
     * after the move: a crash in between is a rerun that moves and writes them again.
     */
    private void writeSymlinks(Dataset dataset, List<Partition> written, List<List<String>> removals) {
        List<Callable<Void>> tasks = new ArrayList<>();
        for (Partition partition : written) {
            tasks.add(() -> {
                Path folder = new Path(staging.sparkPath(partition.location()));
                FileSystem fs = staging.fileSystem(folder);
                StringBuilder manifest = new StringBuilder();
                for (FileStatus file : fs.listStatus(folder, p -> p.getName().endsWith(".parquet"))) {
                    manifest.append(partition.location()).append(file.getPath().getName()).append('\n');
                }
                try (OutputStream out = fs.create(symlink(dataset, partition.values()), true)) {
                    out.write(manifest.toString().getBytes(StandardCharsets.UTF_8));
                }
                return null;
            });
        }
        for (List<String> values : removals) {
            tasks.add(() -> {
                Path manifest = symlink(dataset, values);
                staging.fileSystem(manifest).delete(manifest, false);
                return null;
            });
        }
        // A list and a put per partition: on S3 that is two round trips each, so they run side by side.
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(SYMLINK_THREADS, tasks.size())));
        try {
            for (Future<Void> task : pool.invokeAll(tasks)) {
                task.get();
            }
        } catch (ExecutionException e) {
            throw new EtlException("Cannot write the symlink manifests of " + dataset.name() + ": " + e.getCause().getMessage(),
                    e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EtlException("Interrupted writing the symlink manifests of " + dataset.name(), e);
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * Writes the manifest of every current partition once, then marks the table's manifests
     * complete ({@code _symlink/<name>/_complete}): partitions moved before the twins read
     * manifests (a stack upgraded to them) have none, and would be empty for tenants until their
     * account next changed. After that, each move writes its own.
     */
    private void writeEverySymlinkOnce(Dataset dataset) {
        Path marker = new Path(settings.sparkStagingRoot() + TenantTables.SYMLINK_PREFIX + dataset.name() + "/_complete");
        try {
            FileSystem fs = staging.fileSystem(marker);
            if (fs.exists(marker)) {
                return;
            }
            List<Partition> all = new ArrayList<>();
            staging.currentPartitions(dataset.name()).values().forEach(all::addAll);
            writeSymlinks(dataset, all, List.of());
            fs.create(marker, true).close();
        } catch (IOException e) {
            throw new EtlException("Cannot write the symlink manifests of " + dataset.name() + ": " + e.getMessage(), e);
        }
    }

    /** {@code _symlink/<name>/account_id=<a>/[dt=<d>/]symlink.txt} under the staging root. */
    private Path symlink(Dataset dataset, List<String> values) {
        StringBuilder key = new StringBuilder(settings.sparkStagingRoot()).append(TenantTables.SYMLINK_PREFIX)
                .append(dataset.name()).append('/').append(Dataset.ACCOUNT_PARTITION).append('=')
                .append(ExternalCatalogUtils.escapePathName(values.get(0))).append('/');
        if (values.size() > 1) {
            key.append(Dataset.DATE_PARTITION).append('=').append(ExternalCatalogUtils.escapePathName(values.get(1))).append('/');
        }
        return new Path(key.append(TenantTables.SYMLINK_FILE).toString());
    }

    /** The catalog location of a current partition of this run's version, escaped as Spark wrote it. */
    private String location(Dataset dataset, List<String> values) {
        StringBuilder location = new StringBuilder(settings.stagingRoot()).append(dataset.name()).append('/')
                .append(Dataset.ACCOUNT_PARTITION).append('=').append(ExternalCatalogUtils.escapePathName(values.get(0)))
                .append('/').append(StagingTables.VERSION).append('=')
                .append(ExternalCatalogUtils.escapePathName(settings.runId())).append('/');
        if (values.size() > 1) {
            location.append(Dataset.DATE_PARTITION).append('=')
                    .append(ExternalCatalogUtils.escapePathName(values.get(1))).append('/');
        }
        return location.toString();
    }

    static String keyColumn(Dataset dataset, String name) {
        return name.equals(dataset.accountColumn()) ? Dataset.ACCOUNT_PARTITION : name;
    }

    private static Column[] columns(List<String> names, String... more) {
        List<Column> columns = new ArrayList<>();
        names.forEach(name -> columns.add(col(name)));
        for (String name : more) {
            columns.add(col(name));
        }
        return columns.toArray(Column[]::new);
    }

    private static Seq<String> seq(List<String> names) {
        return JavaConverters.asScalaBuffer(names).toList();
    }

    // ------------------------------------------------------------------------------------------
    // The change index and the watermark, through Hadoop's file system (S3 on Glue, files locally)
    // ------------------------------------------------------------------------------------------

    /** The index entries after the watermark and written at or before the cutoff, in order. */
    private List<String> newEntries(Dataset dataset, Optional<String> watermark, Instant cutoff) {
        String datasetFolder = ChangeIndex.PREFIX + dataset.name() + "/";
        Optional<Instant> since = watermark.map(ChangeIndex::writtenAt);
        List<String> entries = new ArrayList<>();
        for (String day : children(datasetFolder)) {
            // Days and hours before the watermark's hold only applied entries: not listed.
            if (since.isPresent() && day.compareTo(ChangeIndex.day(since.get())) < 0) {
                continue;
            }
            for (String hour : children(datasetFolder + day + "/")) {
                String folder = datasetFolder + day + "/" + hour + "/";
                if (since.isPresent() && folder.compareTo(ChangeIndex.hourFolder(dataset.name(), since.get())) < 0) {
                    continue;
                }
                for (String name : children(folder)) {
                    String key = folder + name;
                    if (watermark.map(w -> key.compareTo(w) > 0).orElse(true) && !ChangeIndex.writtenAt(key).isAfter(cutoff)) {
                        entries.add(key);
                    }
                }
            }
        }
        entries.sort(null);
        return entries;
    }

    private List<String> children(String folder) {
        Path path = new Path(settings.sparkStagingRoot() + folder);
        try {
            FileSystem fs = staging.fileSystem(path);
            if (!fs.exists(path)) {
                return List.of();
            }
            List<String> names = new ArrayList<>();
            for (FileStatus status : fs.listStatus(path)) {
                names.add(status.getPath().getName());
            }
            names.sort(null);
            return names;
        } catch (IOException e) {
            throw new EtlException("Cannot list " + path + ": " + e.getMessage(), e);
        }
    }

    /**
     * Deletes the superseded versions older than the retention, longer than any query runs, unless
     * the catalog points at one again (a run that crashed before its move recorded it early).
     */
    private State removeExpiredVersions(Dataset dataset, State state, Map<String, List<Partition>> currentPartitions) {
        if (state.superseded().isEmpty()) {
            return state;
        }
        Instant expiry = clock.instant().minus(settings.versionRetention());
        Set<String> current = new HashSet<>();
        currentPartitions.values().forEach(list -> list.forEach(p -> current.add(p.location())));
        List<Superseded> kept = new ArrayList<>();
        for (Superseded version : state.superseded()) {
            if (current.contains(version.location())) {
                continue; // not superseded after all
            }
            if (Instant.parse(version.at()).isAfter(expiry)) {
                kept.add(version);
                continue;
            }
            Path folder = new Path(staging.sparkPath(version.location()));
            try {
                staging.fileSystem(folder).delete(folder, true);
            } catch (IOException e) {
                throw new EtlException("Cannot delete superseded version " + folder + ": " + e.getMessage(), e);
            }
        }
        if (kept.size() == state.superseded().size()) {
            return state;
        }
        State pruned = state.withSuperseded(kept);
        writeState(dataset, pruned);
        return pruned;
    }

    private State readState(Dataset dataset) {
        String key = STATE_PREFIX + dataset.name() + ".json";
        Path path = new Path(settings.sparkStagingRoot() + key);
        try {
            FileSystem fs = staging.fileSystem(path);
            if (!fs.exists(path)) {
                return new State(Optional.empty(), "", List.of(), Optional.empty(), List.of());
            }
            JsonNode json = JSON.readTree(readBytes(key));
            List<Superseded> superseded = new ArrayList<>();
            json.path("superseded").forEach(v -> superseded.add(new Superseded(v.path("location").asText(), v.path("at").asText())));
            String watermark = json.path("watermark").asText("");
            String keySnapshot = json.path("keySnapshot").asText("");
            List<List<String>> open = new ArrayList<>();
            json.path("open").forEach(day -> open.add(List.of(day.path(0).asText(), day.path(1).asText())));
            return new State(watermark.isEmpty() ? Optional.empty() : Optional.of(watermark),
                    json.path("runId").asText(""), superseded,
                    keySnapshot.isEmpty() ? Optional.empty() : Optional.of(Instant.parse(keySnapshot)), open);
        } catch (IOException e) {
            throw new EtlException("Cannot read refresh state " + path + ": " + e.getMessage(), e);
        }
    }

    private void writeState(Dataset dataset, State state) {
        writeState(dataset, state, Map.of());
    }

    /** The state, and what the run that committed it did ({@code lastRun}), when it is a commit. */
    private void writeState(Dataset dataset, State state, Map<String, Long> lastRun) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("watermark", state.watermark().orElse(""));
        json.put("runId", state.runId());
        json.put("superseded", state.superseded());
        json.put("keySnapshot", state.keySnapshot().map(Instant::toString).orElse(""));
        json.put("open", state.open());
        Path path = new Path(settings.sparkStagingRoot() + STATE_PREFIX + dataset.name() + ".json");
        try {
            FileSystem fs = staging.fileSystem(path);
            if (!lastRun.isEmpty()) {
                json.put("lastRun", lastRun);
            } else if (fs.exists(path)) {
                // A write between commits (before the version is written, after a cleanup) keeps
                // what the last committed run did.
                JsonNode previous = JSON.readTree(readBytes(STATE_PREFIX + dataset.name() + ".json")).path("lastRun");
                if (!previous.isMissingNode()) {
                    json.put("lastRun", previous);
                }
            }
            try (OutputStream out = fs.create(path, true)) {
                out.write(JSON.writeValueAsBytes(json));
            }
        } catch (IOException e) {
            throw new EtlException("Cannot write refresh state " + path + ": " + e.getMessage(), e);
        }
    }

    private byte[] readBytes(String key) {
        Path path = new Path(settings.sparkStagingRoot() + key);
        try {
            FileSystem fs = staging.fileSystem(path);
            try (InputStream in = fs.open(path)) {
                return in.readAllBytes();
            }
        } catch (IOException e) {
            throw new EtlException("Cannot read " + path + ": " + e.getMessage(), e);
        }
    }
}
