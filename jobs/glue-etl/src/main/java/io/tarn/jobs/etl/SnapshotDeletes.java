package io.tarn.jobs.etl;

import static java.util.Objects.requireNonNull;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.row_number;

import io.tarn.catalog.Catalog;
import io.tarn.catalog.Partition;
import io.tarn.catalog.StagingLayout;
import io.tarn.current.KeySnapshot;
import io.tarn.log.JsonLogger;
import io.tarn.parquet.StagingSchema;
import io.tarn.pipeline.ColumnSpec;
import io.tarn.pipeline.Dataset;
import io.tarn.pipeline.PollSpec;
import java.io.IOException;
import java.io.InputStream;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.catalog.ExternalCatalogUtils;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The deletes a key snapshot reveals (see {@link KeySnapshot}): every key the current table holds
 * or the new changes name whose latest change is not a delete, was ingested before the snapshot
 * began, and is absent from the snapshot's pages. They are written into the change log like any
 * change, {@code _op = 'D'}, {@code _source_key} the snapshot's name, ordered at its start
 * ({@code _ingested_at}, no commit timestamp), so a change the poller lands later still wins.
 *
 * <p>Files are named after the snapshot ({@code keysnapshot-<started>-<n>.zstd.parquet} in the
 * change log's {@code account_id=<a>/dt=<day of the start>} partition). A rerun before the
 * partitions moved finds the same keys and replaces its own files in the same partitions. After
 * they moved (the run failed later, in the joins), the keys are gone from the current table and
 * are not found again; the files the first attempt wrote are in partitions its state recorded as
 * open, and are read from there, so the rerun applies, and the joins rebuild, the same accounts.
 */
final class SnapshotDeletes {

    static final String FILE_PREFIX = "keysnapshot-";
    private static final JsonLogger LOG = new JsonLogger(System.out, Clock.systemUTC(), "glue-etl-refresh");

    private final SparkSession spark;
    private final EtlSettings settings;
    private final Catalog catalog;
    private final StagingTables staging;
    private List<Partition> lastPartitions = List.of();

    SnapshotDeletes(SparkSession spark, EtlSettings settings, Catalog catalog, StagingTables staging) {
        this.spark = requireNonNull(spark, "spark is null");
        this.settings = requireNonNull(settings, "settings is null");
        this.catalog = requireNonNull(catalog, "catalog is null");
        this.staging = requireNonNull(staging, "staging is null");
    }

    /**
     * The dataset's latest complete key snapshot when it is newer than {@code applied}; none when
     * the dataset is not polled, the run has no raw bucket, or no snapshot is complete yet.
     */
    Optional<KeySnapshot> newSnapshot(Dataset dataset, Optional<java.time.Instant> applied) {
        if (dataset.poll().isEmpty() || settings.sparkRawRoot().isEmpty()) {
            return Optional.empty();
        }
        Path pointer = new Path(settings.sparkRawRoot().get() + KeySnapshot.latestKey(dataset.name()));
        KeySnapshot snapshot;
        try {
            FileSystem fs = staging.fileSystem(pointer);
            if (!fs.exists(pointer)) {
                return Optional.empty();
            }
            try (InputStream in = fs.open(pointer)) {
                snapshot = KeySnapshot.fromJson(in.readAllBytes());
            }
        } catch (IOException e) {
            throw new EtlException("Cannot read key snapshot pointer " + pointer + ": " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new EtlException("Key snapshot pointer " + pointer + ": " + e.getMessage(), e);
        }
        if (!snapshot.dataset().equals(dataset.name())) {
            throw new EtlException("Key snapshot pointer " + pointer + " names dataset '" + snapshot.dataset() + "'");
        }
        if (applied.isPresent() && !snapshot.startedAt().isAfter(applied.get())) {
            return Optional.empty();
        }
        // A page that is gone (expired) would read as keys that are gone: never apply such a snapshot.
        try {
            for (String page : snapshot.pages()) {
                Path path = new Path(settings.sparkRawRoot().get() + page);
                if (!staging.fileSystem(path).exists(path)) {
                    LOG.warn("key snapshot skipped: a page is gone", Map.of("dataset", dataset.name(),
                            "snapshot", snapshot.name(), "page", page));
                    return Optional.empty();
                }
            }
        } catch (IOException e) {
            throw new EtlException("Cannot check the pages of key snapshot " + snapshot.name() + ": " + e.getMessage(), e);
        }
        return Optional.of(snapshot);
    }

    /**
     * Finds the snapshot's deletes among {@code known} (the current rows and the new changes, in
     * the change log's columns with {@code _op}), writes them into the change log, registers its
     * partitions, and returns them as read back from there.
     */
    org.apache.spark.sql.Dataset<Row> write(Dataset dataset, KeySnapshot snapshot, org.apache.spark.sql.Dataset<Row> known,
            Collection<List<String>> open) {
        StagingSchema schema = new StagingSchema(dataset);
        List<String> keys = dataset.primaryKey().stream().map(name -> RefreshRun.keyColumn(dataset, name)).toList();
        Column[] order = StagingTables.changeOrder(dataset);
        Timestamp started = Timestamp.from(snapshot.startedAt());
        String day = LocalDate.ofInstant(snapshot.startedAt(), ZoneOffset.UTC).toString();
        org.apache.spark.sql.Dataset<Row> gone = known
                .withColumn("_rn", row_number().over(Window.partitionBy(cols(keys)).orderBy(order)))
                .where(col("_rn").equalTo(1).and(col(StagingLayout.OP).notEqual(lit("D")))
                        .and(col(StagingLayout.INGESTED_AT).lt(lit(started))))
                .select(cols(keys, Dataset.ACCOUNT_PARTITION))
                .join(snapshotKeys(dataset, snapshot), seq(keys), "left_anti");

        List<Column> deleteColumns = new ArrayList<>();
        for (StructField field : StagingTables.changesSchema(schema).fields()) {
            String name = field.name();
            if (keys.contains(name) || name.equals(Dataset.ACCOUNT_PARTITION)) {
                deleteColumns.add(col(name));
            } else {
                Object value = switch (name) {
                    case StagingLayout.OP -> "D";
                    case StagingLayout.SOURCE_KEY -> snapshot.name();
                    case StagingLayout.SOURCE_LINE -> 0L;
                    case StagingLayout.INGESTED_AT -> started;
                    case Dataset.DATE_PARTITION -> day;
                    default -> null;
                };
                deleteColumns.add(lit(value).cast(field.dataType()).as(name));
            }
        }
        String temp = settings.sparkStagingRoot() + "_tmp/" + FILE_PREFIX + dataset.name() + "/" + settings.runId() + "/";
        gone.select(deleteColumns.toArray(Column[]::new))
                .repartition(col(Dataset.ACCOUNT_PARTITION))
                .write().mode(SaveMode.Overwrite).option("compression", "zstd")
                .partitionBy(Dataset.ACCOUNT_PARTITION, Dataset.DATE_PARTITION)
                .parquet(temp);

        List<String> files = new ArrayList<>();
        List<Partition> partitions = new ArrayList<>();
        try {
            Path tempPath = new Path(temp);
            FileSystem fs = staging.fileSystem(tempPath);
            String table = dataset.changesTable() + "/";
            for (FileStatus accountFolder : fs.listStatus(tempPath, p -> p.getName().startsWith(Dataset.ACCOUNT_PARTITION + "="))) {
                String escaped = accountFolder.getPath().getName();
                String account = ExternalCatalogUtils.unescapePathName(escaped.substring(Dataset.ACCOUNT_PARTITION.length() + 1));
                for (FileStatus dayFolder : fs.listStatus(accountFolder.getPath())) {
                    String relative = table + escaped + "/" + dayFolder.getPath().getName() + "/";
                    Path target = new Path(settings.sparkStagingRoot() + relative);
                    fs.mkdirs(target);
                    String prefix = FILE_PREFIX + snapshot.stamp() + "-";
                    // An earlier attempt's files for this snapshot here held the same keys: replaced.
                    for (FileStatus old : fs.listStatus(target, p -> p.getName().startsWith(prefix))) {
                        fs.delete(old.getPath(), false);
                    }
                    int n = 0;
                    for (FileStatus part : fs.listStatus(dayFolder.getPath(), p -> p.getName().endsWith(".parquet"))) {
                        Path file = new Path(target, prefix + (n++) + ".zstd.parquet");
                        if (!fs.rename(part.getPath(), file)) {
                            throw new EtlException("Cannot move " + part.getPath() + " to " + file);
                        }
                        files.add(file.toString());
                    }
                    partitions.add(new Partition(List.of(account, day), settings.stagingRoot() + relative));
                }
            }
            fs.delete(tempPath, true);
        } catch (IOException e) {
            throw new EtlException("Cannot move the deletes of " + snapshot.name() + " into " + dataset.changesTable()
                    + ": " + e.getMessage(), e);
        }
        // An earlier attempt of this run may have moved the current table past some deletes (then
        // failed in the joins): those keys are not found again, but their files are in partitions
        // it recorded as open, and they still name accounts the joins must rebuild.
        try {
            String prefix = FILE_PREFIX + snapshot.stamp() + "-";
            for (List<String> values : open) {
                if (!values.get(1).equals(day) || partitions.stream().anyMatch(p -> p.values().equals(values))) {
                    continue;
                }
                String relative = dataset.changesTable() + "/" + Dataset.ACCOUNT_PARTITION + "="
                        + ExternalCatalogUtils.escapePathName(values.get(0)) + "/" + Dataset.DATE_PARTITION + "=" + day + "/";
                Path folder = new Path(settings.sparkStagingRoot() + relative);
                FileSystem fs = staging.fileSystem(folder);
                if (!fs.exists(folder)) {
                    continue;
                }
                FileStatus[] earlier = fs.listStatus(folder, p -> p.getName().startsWith(prefix));
                for (FileStatus file : earlier) {
                    files.add(file.getPath().toString());
                }
                if (earlier.length > 0) {
                    partitions.add(new Partition(values, settings.stagingRoot() + relative));
                }
            }
        } catch (IOException e) {
            throw new EtlException("Cannot list the earlier deletes of " + snapshot.name() + ": " + e.getMessage(), e);
        }
        lastPartitions = List.copyOf(partitions);
        StructType changes = StagingTables.changesSchema(schema);
        if (files.isEmpty()) {
            return spark.createDataFrame(List.of(), changes);
        }
        catalog.ensureTable(schema.changesTableDefinition(settings.stagingRoot() + dataset.changesTable() + "/"));
        catalog.registerPartitions(dataset.changesTable(), partitions);
        return spark.read().schema(changes).option("basePath", settings.sparkStagingRoot() + dataset.changesTable())
                .parquet(files.toArray(String[]::new));
    }

    /** The change-log partitions the last {@link #write} put deletes in. */
    List<Partition> lastPartitions() {
        return lastPartitions;
    }

    /**
     * The snapshot's keys, typed as the dataset declares them. Pages are header CSV as the poller
     * writes them: the key columns of a cursor snapshot, or a change_tracking re-snapshot's data
     * pages ({@code _op} and every column).
     */
    private org.apache.spark.sql.Dataset<Row> snapshotKeys(Dataset dataset, KeySnapshot snapshot) {
        boolean dataPages = dataset.poll().orElseThrow().strategy() == PollSpec.Strategy.CHANGE_TRACKING;
        List<String> header = new ArrayList<>();
        if (dataPages) {
            header.add(StagingLayout.OP);
            dataset.csvColumns().forEach(c -> header.add(c.name()));
        } else {
            header.addAll(dataset.primaryKey());
        }
        StructType text = DataTypes.createStructType(header.stream()
                .map(name -> DataTypes.createStructField(name, DataTypes.StringType, true)).toList());
        String root = settings.sparkRawRoot().orElseThrow();
        org.apache.spark.sql.Dataset<Row> pages = spark.read().schema(text)
                .option("header", true)
                .option("multiLine", true)
                .option("escape", "\"")
                .option("sep", String.valueOf(dataset.format().delimiter()))
                .csv(snapshot.pages().stream().map(page -> root + page).toArray(String[]::new));
        List<Column> typed = new ArrayList<>();
        for (String name : dataset.primaryKey()) {
            ColumnSpec column = dataset.column(name);
            typed.add(col(name).cast(StagingTables.sparkType(column)).as(RefreshRun.keyColumn(dataset, name)));
        }
        return pages.select(typed.toArray(Column[]::new));
    }

    private static Column[] cols(List<String> names, String... more) {
        List<Column> columns = new ArrayList<>();
        names.forEach(name -> columns.add(col(name)));
        for (String name : more) {
            if (!names.contains(name)) {
                columns.add(col(name));
            }
        }
        return columns.toArray(Column[]::new);
    }

    private static scala.collection.Seq<String> seq(List<String> names) {
        return scala.collection.JavaConverters.asScalaBuffer(names).toList();
    }
}
