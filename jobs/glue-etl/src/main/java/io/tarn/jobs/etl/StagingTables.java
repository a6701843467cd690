package io.tarn.jobs.etl;

import static java.util.Objects.requireNonNull;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.date_format;
import static org.apache.spark.sql.functions.lit;

import io.tarn.catalog.Catalog;
import io.tarn.catalog.Partition;
import io.tarn.catalog.StagingLayout;
import io.tarn.current.ChangeOrder;
import io.tarn.parquet.StagingSchema;
import io.tarn.pipeline.ColumnSpec;
import io.tarn.pipeline.Dataset;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The staging tables as Spark reads them: a dataset's change files, and its current table through
 * the catalog's partitions (which name the current version of each account), never by listing.
 */
final class StagingTables {

    /** The version folder of a current partition: {@code <name>/account_id=<a>/v=<run id>/[dt=<d>/]}. */
    static final String VERSION = "v";

    private final SparkSession spark;
    private final EtlSettings settings;
    private final Catalog catalog;

    StagingTables(SparkSession spark, EtlSettings settings, Catalog catalog) {
        this.spark = requireNonNull(spark, "spark is null");
        this.settings = requireNonNull(settings, "settings is null");
        this.catalog = requireNonNull(catalog, "catalog is null");
    }

    /** The current table's registered partitions by account (unescaped); empty before its first refresh. */
    Map<String, List<Partition>> currentPartitions(String table) {
        Map<String, List<Partition>> byAccount = new TreeMap<>();
        if (catalog.table(table).isPresent()) {
            for (Partition partition : catalog.partitions(table)) {
                byAccount.computeIfAbsent(partition.values().get(0), a -> new ArrayList<>()).add(partition);
            }
        }
        return byAccount;
    }

    /**
     * The rows of these current partitions: data and order columns, and {@code account_id}. The
     * schema is given, not inferred: no partitions is an empty frame of the right columns, and
     * partition values stay strings (an account id of digits must not become a number).
     */
    org.apache.spark.sql.Dataset<Row> currentRows(Dataset dataset, Collection<Partition> partitions) {
        StructType fileSchema = currentFileSchema(dataset);
        org.apache.spark.sql.Dataset<Row> rows;
        if (partitions.isEmpty()) {
            rows = spark.createDataFrame(List.of(), fileSchema);
        } else {
            rows = spark.read().schema(fileSchema)
                    .option("basePath", settings.sparkStagingRoot() + dataset.name())
                    .parquet(partitions.stream().map(p -> sparkPath(p.location())).toArray(String[]::new));
        }
        return rows.drop(VERSION, Dataset.DATE_PARTITION);
    }

    /**
     * The dataset's current rows of these accounts (all when {@code accounts} is null) in its
     * declared columns, the account column under its own name: what a join's SQL reads by the
     * dataset's name.
     */
    org.apache.spark.sql.Dataset<Row> currentView(Dataset dataset, Collection<String> accounts) {
        Map<String, List<Partition>> byAccount = currentPartitions(dataset.name());
        List<Partition> partitions = new ArrayList<>();
        byAccount.forEach((account, list) -> {
            if (accounts == null || accounts.contains(account)) {
                partitions.addAll(list);
            }
        });
        List<Column> projection = new ArrayList<>();
        for (ColumnSpec column : dataset.columns()) {
            projection.add(column.name().equals(dataset.accountColumn())
                    ? col(Dataset.ACCOUNT_PARTITION).as(column.name()) : col(column.name()));
        }
        return currentRows(dataset, partitions).select(projection.toArray(Column[]::new));
    }

    /** The file system of a staging path, as Spark's Hadoop configuration sees it (S3 on Glue, files locally). */
    FileSystem fileSystem(Path path) throws IOException {
        return path.getFileSystem(spark.sparkContext().hadoopConfiguration());
    }

    /** The Spark path of a catalog location under the staging root. */
    String sparkPath(String location) {
        String root = settings.stagingRoot();
        if (!location.startsWith(root)) {
            throw new EtlException("Partition location " + location + " is not under the staging root " + root);
        }
        return settings.sparkStagingRoot() + location.substring(root.length());
    }

    /**
     * {@link ChangeOrder} as Spark sort columns, latest first: the one rendering of the rule (the
     * session's time zone is UTC, as the sequence's time is).
     */
    static Column[] changeOrder(Dataset dataset) {
        return ChangeOrder.of(dataset).terms().stream().map(term -> {
            Column value = col(term.column());
            if (term.orCommitTimestamp()) {
                value = coalesce(value, concat(date_format(col(StagingLayout.COMMIT_TS), ChangeOrder.SEQUENCE_TIME),
                        lit(ChangeOrder.SEQUENCE_COUNTER_ZERO)));
            }
            return term.nullsLast() ? value.desc_nulls_last() : value.desc();
        }).toArray(Column[]::new);
    }

    /** The change files' schema: every column of the files, then the account and landing day (strings). */
    static StructType changesSchema(StagingSchema schema) {
        List<StructField> fields = new ArrayList<>(dataFields(schema));
        fields.add(DataTypes.createStructField(StagingLayout.OP, DataTypes.StringType, true));
        fields.addAll(orderFields(schema));
        fields.add(DataTypes.createStructField(Dataset.ACCOUNT_PARTITION, DataTypes.StringType, true));
        fields.add(DataTypes.createStructField(Dataset.DATE_PARTITION, DataTypes.StringType, true));
        return DataTypes.createStructType(fields);
    }

    /** The current files' schema read from the table root: data and order columns, then account, version, day. */
    static StructType currentFileSchema(Dataset dataset) {
        StagingSchema schema = new StagingSchema(dataset);
        List<StructField> fields = new ArrayList<>(dataFields(schema));
        fields.addAll(orderFields(schema));
        fields.add(DataTypes.createStructField(Dataset.ACCOUNT_PARTITION, DataTypes.StringType, true));
        fields.add(DataTypes.createStructField(VERSION, DataTypes.StringType, true));
        if (dataset.partitionDate().isPresent()) {
            fields.add(DataTypes.createStructField(Dataset.DATE_PARTITION, DataTypes.StringType, true));
        }
        return DataTypes.createStructType(fields);
    }

    /** A current row's columns: the data columns, the order columns of its change, its account. */
    static List<String> currentColumns(StagingSchema schema) {
        List<String> columns = new ArrayList<>();
        schema.dataColumns().forEach(c -> columns.add(c.name()));
        orderFields(schema).forEach(f -> columns.add(f.name()));
        columns.add(Dataset.ACCOUNT_PARTITION);
        return columns;
    }

    private static List<StructField> dataFields(StagingSchema schema) {
        List<StructField> fields = new ArrayList<>();
        for (ColumnSpec column : schema.dataColumns()) {
            fields.add(DataTypes.createStructField(column.name(), sparkType(column), true));
        }
        return fields;
    }

    /** The columns a change keeps in the current table, as the files hold them after the data. */
    private static List<StructField> orderFields(StagingSchema schema) {
        List<StructField> fields = new ArrayList<>(List.of(
                DataTypes.createStructField(StagingLayout.COMMIT_TS, DataTypes.TimestampType, true),
                DataTypes.createStructField(StagingLayout.SOURCE_KEY, DataTypes.StringType, true),
                DataTypes.createStructField(StagingLayout.SOURCE_LINE, DataTypes.LongType, true),
                DataTypes.createStructField(StagingLayout.INGESTED_AT, DataTypes.TimestampType, true)));
        if (schema.hasChangeSeq()) {
            fields.add(DataTypes.createStructField(StagingLayout.CHANGE_SEQ, DataTypes.StringType, true));
        }
        return fields;
    }

    static DataType sparkType(ColumnSpec column) {
        return switch (column.type().kind()) {
            case STRING -> DataTypes.StringType;
            case INT -> DataTypes.IntegerType;
            case LONG -> DataTypes.LongType;
            case DOUBLE -> DataTypes.DoubleType;
            case DECIMAL -> DataTypes.createDecimalType(column.type().precision(), column.type().scale());
            case BOOLEAN -> DataTypes.BooleanType;
            case DATE -> DataTypes.DateType;
            case TIMESTAMP -> DataTypes.TimestampType;
        };
    }
}
