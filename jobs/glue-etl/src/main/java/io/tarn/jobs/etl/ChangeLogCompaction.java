package io.tarn.jobs.etl;

import static java.util.Objects.requireNonNull;

import io.tarn.catalog.Catalog;
import io.tarn.catalog.Partition;
import io.tarn.parquet.StagingSchema;
import io.tarn.pipeline.Dataset;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.catalog.ExternalCatalogUtils;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Compacts closed days of a change log: a {@code <name>_changes} partition
 * ({@code account_id=<a>/dt=<d>/}) that no longer receives files holds one small file per raw
 * object, and Athena pays a request per file. Its files are rewritten as one file per ~128 MB into
 * {@code account_id=<a>/v=c<digest>/dt=<d>/}, beside the landing folder rather than inside it,
 * and the catalog's partition moves there in one step: a query reads the landing files or the
 * compacted ones, never both.
 *
 * <p>The digest is of the landing folder's file names and sizes, so the version names exactly
 * what it holds. A replayed raw object rewrites its own file in the landing folder (the same name,
 * the same bytes): the digest does not change and no row is added. A late object (a redelivered
 * event days later) adds a file: the day is compacted again into a new version, and the one it
 * replaces is deleted after the retention, like a superseded current version. A rerun finds the
 * version written (Spark's {@code _SUCCESS}) and only moves to it.
 *
 * <p>The landing files stay: they are what the tenants' twin of the change log reads (its
 * partitions are projected onto the landing folders), and what the refresh reads changes from.
 */
final class ChangeLogCompaction {

    /** About one file per this many bytes of landing files (compression is alike on both sides). */
    static final long TARGET_FILE_BYTES = 128L << 20;
    static final String VERSION_PREFIX = StagingTables.VERSION + "=c";

    private final SparkSession spark;
    private final EtlSettings settings;
    private final Catalog catalog;
    private final StagingTables staging;

    ChangeLogCompaction(SparkSession spark, EtlSettings settings, Catalog catalog, StagingTables staging) {
        this.spark = requireNonNull(spark, "spark is null");
        this.settings = requireNonNull(settings, "settings is null");
        this.catalog = requireNonNull(catalog, "catalog is null");
        this.staging = requireNonNull(staging, "staging is null");
    }

    /**
     * Compacts these change-log partitions ({@code [account, day]}, unescaped) and moves the
     * catalog to the compacted versions.
     *
     * @return the locations of earlier compactions of the same days, superseded now
     */
    List<String> compact(Dataset dataset, Collection<List<String>> partitions) {
        List<Partition> moved = new ArrayList<>();
        List<String> superseded = new ArrayList<>();
        StructType fileSchema = fileSchema(new StagingSchema(dataset));
        String table = dataset.changesTable() + "/";
        try {
            for (List<String> values : partitions) {
                String account = Dataset.ACCOUNT_PARTITION + "=" + ExternalCatalogUtils.escapePathName(values.get(0));
                String day = Dataset.DATE_PARTITION + "=" + ExternalCatalogUtils.escapePathName(values.get(1));
                Path landing = new Path(settings.sparkStagingRoot() + table + account + "/" + day + "/");
                FileSystem fs = staging.fileSystem(landing);
                FileStatus[] files = fs.exists(landing)
                        ? fs.listStatus(landing, p -> p.getName().endsWith(".parquet") && !p.getName().startsWith("."))
                        : new FileStatus[0];
                if (files.length == 0) {
                    continue;
                }
                String version = VERSION_PREFIX + digest(files);
                String relative = table + account + "/" + version + "/" + day + "/";
                Path target = new Path(settings.sparkStagingRoot() + relative);
                if (!fs.exists(new Path(target, "_SUCCESS"))) {
                    long bytes = Arrays.stream(files).mapToLong(FileStatus::getLen).sum();
                    int outputs = (int) Math.max(1, (bytes + TARGET_FILE_BYTES - 1) / TARGET_FILE_BYTES);
                    spark.read().schema(fileSchema).parquet(landing.toString())
                            .coalesce(outputs)
                            .write().mode(SaveMode.Overwrite).option("compression", "zstd")
                            .parquet(target.toString());
                }
                moved.add(new Partition(values, settings.stagingRoot() + relative));
                Path accountFolder = new Path(settings.sparkStagingRoot() + table + account + "/");
                for (FileStatus earlier : fs.listStatus(accountFolder, p -> p.getName().startsWith(VERSION_PREFIX))) {
                    if (!earlier.getPath().getName().equals(version) && fs.exists(new Path(earlier.getPath(), day))) {
                        superseded.add(settings.stagingRoot() + table + account + "/" + earlier.getPath().getName() + "/"
                                + day + "/");
                    }
                }
            }
        } catch (IOException e) {
            throw new EtlException("Cannot compact " + dataset.changesTable() + ": " + e.getMessage(), e);
        }
        if (!moved.isEmpty()) {
            catalog.ensureTable(new StagingSchema(dataset).changesTableDefinition(settings.stagingRoot() + table));
            catalog.movePartitions(dataset.changesTable(), moved, List.of());
        }
        return superseded;
    }

    /** The change files' own columns: the change log's schema without the partition columns of its paths. */
    private static StructType fileSchema(StagingSchema schema) {
        List<StructField> fields = new ArrayList<>();
        for (StructField field : StagingTables.changesSchema(schema).fields()) {
            if (!field.name().equals(Dataset.ACCOUNT_PARTITION) && !field.name().equals(Dataset.DATE_PARTITION)) {
                fields.add(field);
            }
        }
        return new StructType(fields.toArray(StructField[]::new));
    }

    /** 16 hex digits of SHA-256 over the files' names and sizes, in name order. */
    private static String digest(FileStatus[] files) {
        StringBuilder text = new StringBuilder();
        Arrays.stream(files).sorted(Comparator.comparing(f -> f.getPath().getName()))
                .forEach(f -> text.append(f.getPath().getName()).append(':').append(f.getLen()).append('\n'));
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JRE", e);
        }
    }
}
