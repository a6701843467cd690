package io.tarn.typing;

import static java.util.Objects.requireNonNull;

import io.tarn.catalog.StagingLayout;
import io.tarn.csv.CsvReader;
import io.tarn.current.ChangeOrder;
import io.tarn.parquet.StagingSchema;
import io.tarn.partition.PartitionKey;
import io.tarn.partition.PartitionPaths;
import io.tarn.pipeline.ColumnSpec;
import io.tarn.pipeline.ColumnType;
import io.tarn.pipeline.CsvFormat;
import io.tarn.pipeline.Dataset;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.util.Utf8;

/**
 * Turns CSV records of one raw object into typed staging rows and their partitions, or rejects
 * them with a reason. The same code serves the Lambda and the Glue backfill, so both give the same
 * rows for the same file.
 */
public final class RowTyper {

    /** Longer account ids are refused: they are not ids, and S3 keys have a length limit. */
    public static final int MAX_ACCOUNT_LENGTH = 200;
    private static final long MICROS_PER_DAY = 86_400_000_000L;
    /*
     * Strings go to parquet-avro as Avro Utf8: it hands their bytes to the Parquet writer as they
     * are, where a java.lang.String is re-encoded per value and compared through ByteBuffers in
     * the dictionary (a fifth of the conversion's time, measured). Values that repeat on every row
     * are encoded once.
     */
    private static final Utf8 OP_I = new Utf8("I");
    private static final Utf8 OP_U = new Utf8("U");
    private static final Utf8 OP_D = new Utf8("D");

    private final StagingSchema schema;
    private final Dataset dataset;
    private final CsvFormat format;
    private final String sourceUri;
    private final Utf8 sourceKey;
    private final long ingestedAtMicros;
    private final Schema avroSchema;
    private final ColumnSpec[] columns;
    private final Schema[] fixedSchemas;
    private final int[] primaryKey;
    private final int accountField;
    private final ColumnSpec accountSpec;
    private final int partitionDateColumn;
    private final Map<Long, String> dayNames = new HashMap<>();
    /** The change log's day partition of every row of the object: the day it landed. */
    private final String landingDay;

    /** Where each data column comes from: a CSV field index, or -1 when derived or absent. */
    private int[] fieldOf;
    private int opField = -1;
    private int commitTsField = -1;
    private int changeSeqField = -1;
    private int expectedFields = -1;
    private String headerProblem;
    private final int jsonSource;

    public RowTyper(StagingSchema schema, String sourceUri, long ingestedAtMicros) {
        this.schema = requireNonNull(schema, "schema is null");
        this.dataset = schema.dataset();
        this.format = dataset.format();
        this.sourceUri = requireNonNull(sourceUri, "sourceUri is null");
        this.sourceKey = new Utf8(sourceUri);
        this.ingestedAtMicros = ingestedAtMicros;
        this.landingDay = LocalDate.ofEpochDay(Math.floorDiv(ingestedAtMicros, MICROS_PER_DAY)).toString();
        this.avroSchema = schema.avroSchema();
        List<ColumnSpec> data = schema.dataColumns();
        this.columns = data.toArray(ColumnSpec[]::new);
        this.fixedSchemas = new Schema[columns.length];
        for (int i = 0; i < columns.length; i++) {
            if (columns[i].type().kind() == ColumnType.Kind.DECIMAL) {
                fixedSchemas[i] = avroSchema.getFields().get(i).schema().getTypes().get(1);
            }
        }
        this.primaryKey = dataset.primaryKey().stream().mapToInt(this::dataIndex).toArray();
        this.partitionDateColumn = dataset.partitionDate().map(this::dataIndex).orElse(-1);
        this.jsonSource = dataset.columns().stream()
                .filter(ColumnSpec::derived)
                .map(c -> c.fromJson().orElseThrow().column())
                .findFirst().map(this::dataIndex).orElse(-1);
        ColumnSpec account = dataset.column(dataset.accountColumn());
        this.accountSpec = account;
        if (format.layout() == CsvFormat.Layout.DMS) {
            int next = 0;
            opField = next++;
            if (format.commitTimestamp()) {
                commitTsField = next++;
            }
            Map<String, Integer> positions = new HashMap<>();
            for (ColumnSpec column : dataset.csvColumns()) {
                positions.put(column.name(), next++);
            }
            expectedFields = next;
            if (format.changeSeq()) {
                // Appended by the table mapping's add-column, so last; files written before the
                // mapping had it lack the field, and their rows have no sequence.
                changeSeqField = next;
            }
            fieldOf = new int[columns.length];
            for (int i = 0; i < columns.length; i++) {
                fieldOf[i] = positions.getOrDefault(columns[i].name(), -1);
            }
            accountField = account.derived() ? -1 : positions.get(account.name());
        } else {
            accountField = -2; // resolved by the header
        }
    }

    /** Whether the first record of the object is a header that {@link #readHeader} must consume. */
    public boolean expectsHeader() {
        return format.layout() == CsvFormat.Layout.HEADER;
    }

    private int headerAccountField = -1;

    /**
     * Reads the header record (header layout). A header that lacks a required column does not stop
     * the object: every row is then rejected with that reason, so nothing is silently dropped.
     */
    public void readHeader(CsvReader reader) {
        Map<String, Integer> positions = new HashMap<>();
        for (int i = 0; i < reader.fieldCount(); i++) {
            positions.putIfAbsent(reader.field(i).trim().toLowerCase(Locale.ROOT), i);
        }
        fieldOf = new int[columns.length];
        List<String> missing = new ArrayList<>();
        for (int i = 0; i < columns.length; i++) {
            ColumnSpec column = columns[i];
            fieldOf[i] = column.derived() ? -1 : positions.getOrDefault(column.name(), -1);
            if (fieldOf[i] < 0 && !column.derived() && !column.nullable()) {
                missing.add(column.name());
            }
        }
        ColumnSpec account = dataset.column(dataset.accountColumn());
        if (!account.derived()) {
            headerAccountField = positions.getOrDefault(account.name(), -1);
            if (headerAccountField < 0) {
                missing.add(account.name());
            }
        }
        opField = positions.getOrDefault(StagingLayout.OP, -1);
        commitTsField = positions.getOrDefault(StagingLayout.COMMIT_TS, -1);
        changeSeqField = schema.hasChangeSeq() ? positions.getOrDefault(StagingLayout.CHANGE_SEQ, -1) : -1;
        headerProblem = missing.isEmpty() ? null : "header lacks required column(s) " + missing;
    }

    /** The staging row of the reader's current record, with its partition. */
    public TypedRow type(CsvReader reader, long line) throws RowRejectedException {
        if (headerProblem != null) {
            throw new RowRejectedException(headerProblem);
        }
        int count = reader.fieldCount();
        if (expectedFields >= 0 && count != expectedFields && !(changeSeqField >= 0 && count == expectedFields + 1)) {
            throw new RowRejectedException("expected " + expectedFields + " fields"
                    + (changeSeqField >= 0 ? " (or " + (expectedFields + 1) + " with the change sequence)" : "")
                    + ", found " + count);
        }
        char op = 'I';
        if (opField >= 0) {
            CharSequence opText = chars(reader, opField);
            op = opText != null && opText.length() == 1 ? opText.charAt(0) : '?';
            if (op != 'I' && op != 'U' && op != 'D') {
                throw new RowRejectedException("unknown operation '" + opText + "' (expected I, U or D)");
            }
        }
        boolean delete = op == 'D';
        Long commitTs = null;
        if (commitTsField >= 0) {
            CharSequence text = chars(reader, commitTsField);
            if (text != null) {
                try {
                    commitTs = Values.parseTimestampMicros(text);
                } catch (BadValueException e) {
                    throw new RowRejectedException("commit timestamp: " + e.getMessage());
                }
            }
        }

        JsonDocument document = null;
        boolean noDocument = false;
        GenericData.Record row = new GenericData.Record(avroSchema);
        for (int i = 0; i < columns.length; i++) {
            ColumnSpec column = columns[i];
            CharSequence text;
            if (column.derived()) {
                // A MongoDB delete carries its _id only: its document columns are null, not an error.
                if (document == null && !noDocument) {
                    if (delete && documentText(reader) == null) {
                        noDocument = true;
                    } else {
                        document = document(reader);
                    }
                }
                text = noDocument ? null : document.field(column.fromJson().orElseThrow().field());
            } else {
                text = fieldOf[i] < 0 ? null : chars(reader, fieldOf[i]);
            }
            if (text == null) {
                if (!column.nullable() && (!delete || isKey(i))) {
                    throw new RowRejectedException("column '" + column.name() + "': null in a non-nullable column");
                }
                if (isKey(i)) {
                    // Declared nullable, but a change without its key names no row to apply to.
                    throw new RowRejectedException("column '" + column.name() + "': null in the primary key");
                }
                continue;
            }
            try {
                row.put(i, value(i, column.type(), text));
            } catch (BadValueException e) {
                throw new RowRejectedException("column '" + column.name() + "': " + e.getMessage());
            }
        }

        String account = delete ? accountOfDelete(reader, document, noDocument) : account(reader, document);
        if (!delete) {
            currentDay(row); // rejects a row the current table could not place
        }
        row.put(schema.opIndex(), delete ? OP_D : op == 'U' ? OP_U : OP_I);
        row.put(schema.commitTsIndex(), commitTs);
        row.put(schema.sourceKeyIndex(), sourceKey);
        row.put(schema.sourceLineIndex(), line);
        row.put(schema.ingestedAtIndex(), ingestedAtMicros);
        if (schema.hasChangeSeq()) {
            row.put(schema.changeSeqIndex(), changeSeq(reader, count));
        }
        return new TypedRow(new PartitionKey(account, Optional.of(landingDay)), row);
    }

    /**
     * The record's change sequence: null when it has none (a full-load row's field is empty, and a
     * record written before the mapping added it lacks the field); {@link ChangeOrder} ranks such
     * a row by its commit timestamp.
     */
    private Utf8 changeSeq(CsvReader reader, int count) throws RowRejectedException {
        CharSequence text = changeSeqField >= 0 && changeSeqField < count ? chars(reader, changeSeqField) : null;
        if (text == null || text.length() == 0) {
            return null;
        }
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) < '0' || text.charAt(i) > '9') {
                throw new RowRejectedException("change sequence: not digits: '" + text + "'");
            }
        }
        return new Utf8(text.toString());
    }

    /**
     * A delete's account, or {@link PartitionPaths#NO_ACCOUNT} when it names only its key (a
     * MongoDB delete): the refresh applies it to whichever account holds the key.
     */
    private String accountOfDelete(CsvReader reader, JsonDocument document, boolean noDocument) throws RowRejectedException {
        String account = noDocument ? null : accountValue(reader, document);
        return account == null || account.isBlank() ? PartitionPaths.NO_ACCOUNT : checkedAccount(account);
    }

    private String account(CsvReader reader, JsonDocument document) throws RowRejectedException {
        return checkedAccount(accountValue(reader, document));
    }

    /** The account the record names, not yet checked: null when it names none. */
    private String accountValue(CsvReader reader, JsonDocument document) throws RowRejectedException {
        if (accountSpec.derived()) {
            return (document == null ? document(reader) : document).field(accountSpec.fromJson().orElseThrow().field());
        }
        return field(reader, accountField == -2 ? headerAccountField : accountField);
    }

    private String checkedAccount(String account) throws RowRejectedException {
        if (account == null || account.isBlank()) {
            throw new RowRejectedException("no account: column '" + accountSpec.name() + "' is empty");
        }
        if (account.equals(PartitionPaths.NO_ACCOUNT)) {
            throw new RowRejectedException("account id " + PartitionPaths.NO_ACCOUNT + " is reserved for deletes that name no account");
        }
        if (account.length() > MAX_ACCOUNT_LENGTH) {
            throw new RowRejectedException("account id longer than " + MAX_ACCOUNT_LENGTH + " characters");
        }
        return account;
    }

    private String documentText(CsvReader reader) {
        return jsonSource < 0 || fieldOf[jsonSource] < 0 ? null : field(reader, fieldOf[jsonSource]);
    }

    private JsonDocument document(CsvReader reader) throws RowRejectedException {
        String text = documentText(reader);
        if (text == null) {
            throw new RowRejectedException("document column is empty");
        }
        return JsonDocument.parse(text);
    }

    /** The row's day in the current table, if the dataset has a day partition; a missing one is refused. */
    private Optional<String> currentDay(GenericRecord row) throws RowRejectedException {
        if (partitionDateColumn < 0) {
            return Optional.empty();
        }
        Object value = row.get(partitionDateColumn);
        if (value == null) {
            throw new RowRejectedException("partition date column '" + columns[partitionDateColumn].name() + "' is null");
        }
        long epochDay = value instanceof Long micros ? Math.floorDiv(micros, MICROS_PER_DAY) : ((Integer) value).longValue();
        return Optional.of(dayNames.computeIfAbsent(epochDay, d -> LocalDate.ofEpochDay(d).toString()));
    }

    private boolean isKey(int column) {
        for (int key : primaryKey) {
            if (key == column) {
                return true;
            }
        }
        return column < columns.length && columns[column].name().equals(dataset.accountColumn());
    }

    /** The field as a String, or null for a NULL. */
    private String field(CsvReader reader, int index) {
        CharSequence chars = chars(reader, index);
        return chars == null ? null : reader.field(index);
    }

    /**
     * The field's characters in place (no String made: most fields are only parsed), or null for
     * a NULL. Valid until the next field is asked for.
     */
    private CharSequence chars(CsvReader reader, int index) {
        if (index >= reader.fieldCount()) {
            return null;
        }
        CharSequence text = reader.fieldChars(index);
        if (!reader.quoted(index) && format.isNull(text)) {
            return null;
        }
        return text;
    }

    /** Avro's Utf8 straight from the characters; ASCII, the common case, without a String. */
    private static Utf8 utf8(CharSequence text) {
        int length = text.length();
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            char c = text.charAt(i);
            if (c >= 0x80) {
                return new Utf8(text.toString());
            }
            bytes[i] = (byte) c;
        }
        return new Utf8(bytes);
    }

    private Object value(int column, ColumnType type, CharSequence text) {
        return switch (type.kind()) {
            case STRING -> utf8(text);
            case INT -> Values.parseInt(text);
            case LONG -> Values.parseLong(text);
            case DOUBLE -> Values.parseDouble(text);
            case BOOLEAN -> Values.parseBoolean(text);
            case DATE -> Values.parseDateEpochDays(text);
            case TIMESTAMP -> Values.parseTimestampMicros(text);
            case DECIMAL -> decimal(column, type, text);
        };
    }

    private GenericData.Fixed decimal(int column, ColumnType type, CharSequence text) {
        Schema fixed = fixedSchemas[column];
        byte[] bytes = new byte[fixed.getFixedSize()];
        if (type.precision() <= 18) {
            long unscaled = Values.parseUnscaledDecimal(text, type.precision(), type.scale());
            for (int i = bytes.length - 1; i >= 0; i--) {
                bytes[i] = (byte) unscaled;
                unscaled >>= 8;
            }
        } else {
            BigDecimal value = Values.parseDecimal(text, type.precision(), type.scale());
            BigInteger unscaled = value.setScale(type.scale()).unscaledValue();
            byte[] minimal = unscaled.toByteArray();
            byte fill = (byte) (unscaled.signum() < 0 ? 0xFF : 0x00);
            int offset = bytes.length - minimal.length;
            for (int i = 0; i < offset; i++) {
                bytes[i] = fill;
            }
            System.arraycopy(minimal, 0, bytes, offset, minimal.length);
        }
        return new GenericData.Fixed(fixed, bytes);
    }

    private int dataIndex(String columnName) {
        for (int i = 0; i < columns.length; i++) {
            if (columns[i].name().equals(columnName)) {
                return i;
            }
        }
        return -1;
    }

    /** A typed row and the partition it belongs to. */
    public record TypedRow(PartitionKey partition, GenericRecord row) {}
}
