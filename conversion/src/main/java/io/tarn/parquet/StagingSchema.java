package io.tarn.parquet;

import static io.tarn.catalog.StagingLayout.CHANGE_SEQ;
import static io.tarn.catalog.StagingLayout.COMMIT_TS;
import static io.tarn.catalog.StagingLayout.INGESTED_AT;
import static io.tarn.catalog.StagingLayout.OP;
import static io.tarn.catalog.StagingLayout.SOURCE_KEY;
import static io.tarn.catalog.StagingLayout.SOURCE_LINE;

import io.tarn.catalog.CatalogColumn;
import io.tarn.catalog.TableDefinition;
import io.tarn.pipeline.ColumnSpec;
import io.tarn.pipeline.ColumnType;
import io.tarn.pipeline.Dataset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.parquet.avro.AvroSchemaConverter;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;

/**
 * The staging table of a dataset: its data columns (the dataset's columns less the account, which
 * lives in the partition path) followed by the columns Tarn adds to every row ({@link
 * io.tarn.catalog.StagingLayout}).
 */
public final class StagingSchema {

    /** Where parquet-avro's writer keeps the Avro schema in a file's footer. */
    static final String AVRO_SCHEMA_KEY = "parquet.avro.schema";

    private final Dataset dataset;
    private final List<ColumnSpec> dataColumns;
    private final Schema avroSchema;
    private final MessageType messageType;
    /** The files' key-value metadata, made once: the schema's JSON is the same for every file. */
    private final Map<String, String> fileMetadata;
    private final ColumnBatch.Type[] batchTypes;

    public StagingSchema(Dataset dataset) {
        this.dataset = dataset;
        this.dataColumns = dataset.columns().stream()
                .filter(c -> !c.name().equals(dataset.accountColumn()))
                .toList();
        SchemaBuilder.FieldAssembler<Schema> fields = SchemaBuilder.record(dataset.name()).namespace("tarn.staging").fields();
        for (ColumnSpec column : dataColumns) {
            Schema type = avroType(column.type(), column.name());
            // Deletes (and MongoDB deletes above all) carry only the key, so a column that is never
            // null in the source can still be null in a staging row.
            fields = fields.name(column.name()).type(nullable(type)).withDefault(null);
        }
        fields = fields.name(OP).type().stringType().noDefault();
        fields = fields.name(COMMIT_TS).type(nullable(timestampMicros())).withDefault(null);
        fields = fields.name(SOURCE_KEY).type().stringType().noDefault();
        fields = fields.name(SOURCE_LINE).type().longType().noDefault();
        fields = fields.name(INGESTED_AT).type(timestampMicros()).noDefault();
        if (hasChangeSeq()) {
            fields = fields.name(CHANGE_SEQ).type(nullable(Schema.create(Schema.Type.STRING))).withDefault(null);
        }
        this.avroSchema = fields.endRecord();
        // parquet-avro's mapping: the files have the types and annotations Avro readers expect.
        this.messageType = new AvroSchemaConverter(new PlainParquetConfiguration()).convert(avroSchema);
        this.fileMetadata = Map.of(AVRO_SCHEMA_KEY, avroSchema.toString());
        this.batchTypes = messageType.getColumns().stream()
                .map(column -> batchType(column.getPrimitiveType().getPrimitiveTypeName()))
                .toArray(ColumnBatch.Type[]::new);
    }

    public Dataset dataset() {
        return dataset;
    }

    public Schema avroSchema() {
        return avroSchema;
    }

    /** The files' Parquet schema: one column per field of {@link #avroSchema()}, in the same order. */
    public MessageType messageType() {
        return messageType;
    }

    /**
     * The key-value metadata of every file: the Avro schema under the key parquet-avro reads, so
     * that Avro-based readers get back the rows as typed.
     */
    public Map<String, String> fileMetadata() {
        return fileMetadata;
    }

    /** An empty batch of this table's columns. */
    public ColumnBatch newBatch(int capacity) {
        return new ColumnBatch(batchTypes, capacity);
    }

    /** The dataset columns stored in the files, in schema order (field index = list index). */
    public List<ColumnSpec> dataColumns() {
        return dataColumns;
    }

    public int opIndex() {
        return dataColumns.size();
    }

    public int commitTsIndex() {
        return dataColumns.size() + 1;
    }

    public int sourceKeyIndex() {
        return dataColumns.size() + 2;
    }

    public int sourceLineIndex() {
        return dataColumns.size() + 3;
    }

    public int ingestedAtIndex() {
        return dataColumns.size() + 4;
    }

    /** Whether the dataset's rows carry {@code _change_seq} (its format declares {@code change_seq}). */
    public boolean hasChangeSeq() {
        return dataset.format().changeSeq();
    }

    /** The index of {@code _change_seq}, when {@link #hasChangeSeq()}: the last field. */
    public int changeSeqIndex() {
        if (!hasChangeSeq()) {
            throw new IllegalStateException("dataset '" + dataset.name() + "' declares no change_seq");
        }
        return dataColumns.size() + 5;
    }

    /**
     * Columns written without dictionary encoding: all but strings (other than the primary key),
     * booleans and dates. Numbers and timestamps are mostly distinct per row, so a dictionary
     * would fall back to plain encoding after costing CPU (hash lookups were a third of the
     * conversion's time, measured) and memory in every open writer; ZSTD still finds what repeats.
     */
    public Set<String> plainColumns() {
        Set<String> plain = new HashSet<>();
        for (ColumnSpec column : dataColumns) {
            ColumnType.Kind kind = column.type().kind();
            boolean dictionary = (kind == ColumnType.Kind.STRING && !dataset.primaryKey().contains(column.name()))
                    || kind == ColumnType.Kind.BOOLEAN || kind == ColumnType.Kind.DATE;
            if (!dictionary) {
                plain.add(column.name());
            }
        }
        // Constant or nearly so per file: ZSTD squeezes them plain for less CPU than a dictionary
        // lookup per row costs.
        plain.add(OP);
        plain.add(COMMIT_TS);
        plain.add(SOURCE_KEY);
        plain.add(SOURCE_LINE);
        plain.add(INGESTED_AT);
        if (hasChangeSeq()) {
            plain.add(CHANGE_SEQ);
        }
        return plain;
    }

    /**
     * The change log's catalog table, {@code <name>_changes} at {@code location}
     * ({@code s3://staging-bucket/<name>_changes/}): every column of the files, partitioned by
     * account and landing day.
     */
    public TableDefinition changesTableDefinition(String location) {
        return new TableDefinition(dataset.changesTable(), location, catalogColumns(true),
                partitionKeys(dataset.changesPartitionKeys()));
    }

    /**
     * The current table's catalog table, {@code <name>} at {@code location}: the data columns and
     * the order columns of each row's winning change (no {@code _op}: a current row is never a
     * delete), partitioned as the dataset says.
     */
    public TableDefinition currentTableDefinition(String location) {
        return new TableDefinition(dataset.name(), location, catalogColumns(false), partitionKeys(dataset.partitionKeys()),
                TableDefinition.Storage.VERSIONED_PARQUET);
    }

    private List<CatalogColumn> catalogColumns(boolean withOp) {
        List<CatalogColumn> columns = new ArrayList<>();
        for (ColumnSpec column : dataColumns) {
            columns.add(new CatalogColumn(column.name(), column.type().catalogType()));
        }
        if (withOp) {
            columns.add(new CatalogColumn(OP, "string"));
        }
        columns.add(new CatalogColumn(COMMIT_TS, "timestamp"));
        columns.add(new CatalogColumn(SOURCE_KEY, "string"));
        columns.add(new CatalogColumn(SOURCE_LINE, "bigint"));
        columns.add(new CatalogColumn(INGESTED_AT, "timestamp"));
        if (hasChangeSeq()) {
            columns.add(new CatalogColumn(CHANGE_SEQ, "string"));
        }
        return columns;
    }

    private static List<CatalogColumn> partitionKeys(List<String> names) {
        return names.stream().map(key -> new CatalogColumn(key, "string")).toList();
    }

    /**
     * A short, stable digest of the table's columns and types: it changes exactly when the schema
     * does, which is what decides whether a crawler run is worth starting.
     */
    public String fingerprint() {
        return changesTableDefinition("").fingerprint();
    }

    /** Bytes of the fixed type that holds a decimal of this precision (two's complement). */
    public static int decimalBytes(int precision) {
        int bytes = 1;
        while (Math.pow(2, 8 * bytes - 1) < Math.pow(10, precision)) {
            bytes++;
        }
        return bytes;
    }

    private static Schema avroType(ColumnType type, String columnName) {
        return switch (type.kind()) {
            case STRING -> Schema.create(Schema.Type.STRING);
            case INT -> Schema.create(Schema.Type.INT);
            case LONG -> Schema.create(Schema.Type.LONG);
            case DOUBLE -> Schema.create(Schema.Type.DOUBLE);
            case BOOLEAN -> Schema.create(Schema.Type.BOOLEAN);
            case DATE -> LogicalTypes.date().addToSchema(Schema.create(Schema.Type.INT));
            case TIMESTAMP -> timestampMicros();
            case DECIMAL -> LogicalTypes.decimal(type.precision(), type.scale())
                    .addToSchema(Schema.createFixed(columnName + "_decimal", null, "tarn.staging",
                            decimalBytes(type.precision())));
        };
    }

    private static ColumnBatch.Type batchType(PrimitiveType.PrimitiveTypeName type) {
        return switch (type) {
            case INT32 -> ColumnBatch.Type.INT32;
            case INT64 -> ColumnBatch.Type.INT64;
            case DOUBLE -> ColumnBatch.Type.DOUBLE;
            case BOOLEAN -> ColumnBatch.Type.BOOLEAN;
            case BINARY, FIXED_LEN_BYTE_ARRAY -> ColumnBatch.Type.BINARY;
            default -> throw new IllegalStateException("no staging column is stored as " + type);
        };
    }

    private static Schema timestampMicros() {
        return LogicalTypes.timestampMicros().addToSchema(Schema.create(Schema.Type.LONG));
    }

    private static Schema nullable(Schema type) {
        return Schema.createUnion(Schema.create(Schema.Type.NULL), type);
    }
}
