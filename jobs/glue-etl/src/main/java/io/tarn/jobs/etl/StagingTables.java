package io.tarn.jobs.etl;

import static java.util.Objects.requireNonNull;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.row_number;

import io.tarn.parquet.StagingSchema;
import io.tarn.pipeline.ColumnSpec;
import io.tarn.pipeline.Dataset;
import io.tarn.pipeline.SourceKind;
import java.io.IOException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/** The staging tables as Spark reads them: the files the RawObject conversion writes, and their current state. */
final class StagingTables {

    private final SparkSession spark;
    private final String root;

    /** @param root the folder holding one folder per table, with a trailing slash */
    StagingTables(SparkSession spark, String root) {
        this.spark = requireNonNull(spark, "spark is null");
        this.root = requireNonNull(root, "root is null");
    }

    /**
     * Every staging row of the dataset. The schema is given, not inferred: a table with no data
     * yet is an empty frame of the right columns, and partition values stay strings (an account
     * id of digits must not become a number).
     */
    org.apache.spark.sql.Dataset<Row> rows(Dataset dataset) {
        StructType schema = sparkSchema(new StagingSchema(dataset));
        String location = root + dataset.name();
        if (!exists(location)) {
            return spark.createDataFrame(List.of(), schema);
        }
        return spark.read().schema(schema).option("basePath", location).parquet(location);
    }

    /**
     * The dataset's current state: the latest row per primary key, rows whose latest change is a
     * delete removed, in the dataset's declared columns (the account column under its own name).
     */
    org.apache.spark.sql.Dataset<Row> currentState(Dataset dataset, org.apache.spark.sql.Dataset<Row> rows) {
        Column[] key = dataset.primaryKey().stream().map(name -> col(keyColumn(dataset, name))).toArray(Column[]::new);
        List<Column> projection = new ArrayList<>();
        for (ColumnSpec column : dataset.columns()) {
            projection.add(column.name().equals(dataset.accountColumn())
                    ? col(Dataset.ACCOUNT_PARTITION).as(column.name()) : col(column.name()));
        }
        return rows
                .withColumn("_rn", row_number().over(Window.partitionBy(key).orderBy(changeOrder(dataset))))
                .where(col("_rn").equalTo(1).and(col(StagingSchema.OP).notEqual(lit("D"))))
                .select(projection.toArray(Column[]::new));
    }

    /**
     * Latest change first. DMS rows carry the commit timestamp, and DMS does not keep transaction
     * order across CDC files, so the commit timestamp decides, then the raw object's name (DMS
     * names CDC files by time), then the line within it.
     *
     * <p>Azure SQL rows have no commit timestamp. The poller is serial (one lease per table), so
     * the landing time of its pages ({@code _ingested_at}, the raw object's S3 last-modified time)
     * is the order it read them in. That comes before the key because page keys
     * ({@code <strategy>/<start>__<end>.csv}, see {@code RawPageKeys}) do not always sort in poll
     * order: a change-tracking resync's {@code snapshot-...} start sorts after every numeric
     * version, so it would beat the syncs that follow it. Pages that land within the same second
     * come from one poll run, where a primary key is read at most once (or, with the timestamp
     * strategy, re-read unchanged), so their key order cannot pick a wrong version.
     */
    static List<Column> changeOrderColumns(Dataset dataset) {
        List<Column> order = new ArrayList<>();
        order.add(col(StagingSchema.COMMIT_TS).desc_nulls_last());
        if (dataset.source() == SourceKind.AZURESQL) {
            order.add(col(StagingSchema.INGESTED_AT).desc());
        }
        order.add(col(StagingSchema.SOURCE_KEY).desc());
        order.add(col(StagingSchema.SOURCE_LINE).desc());
        return order;
    }

    /** Accounts with a staging file of the dataset written at or after {@code since}. */
    List<String> accountsWrittenSince(Dataset dataset, Instant since) {
        return rows(dataset)
                .where(col("_metadata.file_modification_time").geq(lit(Timestamp.from(since))))
                .select(Dataset.ACCOUNT_PARTITION).distinct()
                .collectAsList().stream().map(row -> row.getString(0)).toList();
    }

    static org.apache.spark.sql.Dataset<Row> forAccounts(org.apache.spark.sql.Dataset<Row> rows, Collection<String> accounts) {
        return rows.where(col(Dataset.ACCOUNT_PARTITION).isin(accounts.toArray()));
    }

    /** The Spark schema of the files, partition columns (strings) last, as Spark lists them. */
    static StructType sparkSchema(StagingSchema schema) {
        List<StructField> fields = new ArrayList<>();
        for (ColumnSpec column : schema.dataColumns()) {
            fields.add(DataTypes.createStructField(column.name(), sparkType(column), true));
        }
        fields.add(DataTypes.createStructField(StagingSchema.OP, DataTypes.StringType, true));
        fields.add(DataTypes.createStructField(StagingSchema.COMMIT_TS, DataTypes.TimestampType, true));
        fields.add(DataTypes.createStructField(StagingSchema.SOURCE_KEY, DataTypes.StringType, true));
        fields.add(DataTypes.createStructField(StagingSchema.SOURCE_LINE, DataTypes.LongType, true));
        fields.add(DataTypes.createStructField(StagingSchema.INGESTED_AT, DataTypes.TimestampType, true));
        for (String key : schema.dataset().partitionKeys()) {
            fields.add(DataTypes.createStructField(key, DataTypes.StringType, true));
        }
        return DataTypes.createStructType(fields);
    }

    private static DataType sparkType(ColumnSpec column) {
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

    private static String keyColumn(Dataset dataset, String name) {
        return name.equals(dataset.accountColumn()) ? Dataset.ACCOUNT_PARTITION : name;
    }

    private static Column[] changeOrder(Dataset dataset) {
        return changeOrderColumns(dataset).toArray(Column[]::new);
    }

    private boolean exists(String location) {
        Path path = new Path(location);
        try {
            FileSystem fs = path.getFileSystem(spark.sparkContext().hadoopConfiguration());
            return fs.exists(path);
        } catch (IOException e) {
            throw new EtlException("Cannot check staging table folder " + location + ": " + e.getMessage(), e);
        }
    }
}
