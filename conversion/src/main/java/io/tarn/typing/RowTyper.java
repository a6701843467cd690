package io.tarn.typing;

import static java.util.Objects.requireNonNull;

import io.tarn.catalog.StagingLayout;
import io.tarn.csv.CsvReader;
import io.tarn.current.ChangeOrder;
import io.tarn.parquet.ColumnBatch;
import io.tarn.parquet.PartitionBatches;
import io.tarn.parquet.PartitionTable;
import io.tarn.parquet.StagingSchema;
import io.tarn.partition.PartitionKey;
import io.tarn.partition.PartitionPaths;
import io.tarn.pipeline.ColumnSpec;
import io.tarn.pipeline.ColumnType;
import io.tarn.pipeline.CsvFormat;
import io.tarn.pipeline.Dataset;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Turns CSV records of one raw object into typed staging rows of a {@link ColumnBatch}, each in
 * its partition, or rejects them with a reason. Values are parsed from the reader's characters
 * straight into the batch's columns: no object per row or per value. The same code serves the
 * Lambda and the Glue backfill, so both give the same rows for the same file.
 */
public final class RowTyper {

    /** Longer account ids are refused: they are not ids, and S3 keys have a length limit. */
    public static final int MAX_ACCOUNT_LENGTH = 200;
    private static final long MICROS_PER_DAY = 86_400_000_000L;
    private static final byte[] OPS = {'I', 'U', 'D'};

    private final StagingSchema schema;
    private final Dataset dataset;
    private final CsvFormat format;
    private final String sourceUri;
    private final long ingestedAtMicros;
    private final PartitionTable partitions;
    private final ColumnSpec[] columns;
    private final int[] decimalBytes;
    private final boolean[] keyColumn;
    private final int[] primaryKey;
    private final int accountField;
    private final ColumnSpec accountSpec;
    private final int partitionDateColumn;
    /** The change log's day partition of every row of the object: the day it landed. */
    private final String landingDay;
    private final AccountIds accountIds = new AccountIds();
    private final boolean hasDerivedColumn;
    private ColumnBatch scratch;

    /** Where each data column comes from: a CSV field index, or -1 when derived or absent. */
    private int[] fieldOf;
    private int opField = -1;
    private int commitTsField = -1;
    private int changeSeqField = -1;
    private int expectedFields = -1;
    private String headerProblem;
    private final int jsonSource;

    /**
     * @param partitions numbers the rows' partitions (account and landing day) for the batches
     */
    public RowTyper(StagingSchema schema, String sourceUri, long ingestedAtMicros, PartitionTable partitions) {
        this.schema = requireNonNull(schema, "schema is null");
        this.dataset = schema.dataset();
        this.format = dataset.format();
        this.sourceUri = requireNonNull(sourceUri, "sourceUri is null");
        this.ingestedAtMicros = ingestedAtMicros;
        this.partitions = requireNonNull(partitions, "partitions is null");
        this.landingDay = LocalDate.ofEpochDay(Math.floorDiv(ingestedAtMicros, MICROS_PER_DAY)).toString();
        List<ColumnSpec> data = schema.dataColumns();
        this.columns = data.toArray(ColumnSpec[]::new);
        this.decimalBytes = new int[columns.length];
        for (int i = 0; i < columns.length; i++) {
            if (columns[i].type().kind() == ColumnType.Kind.DECIMAL) {
                decimalBytes[i] = StagingSchema.decimalBytes(columns[i].type().precision());
            }
        }
        this.primaryKey = dataset.primaryKey().stream().mapToInt(this::dataIndex).toArray();
        this.hasDerivedColumn = data.stream().anyMatch(ColumnSpec::derived);
        this.keyColumn = new boolean[columns.length];
        for (int i = 0; i < columns.length; i++) {
            keyColumn[i] = isKey(i);
        }
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

    /**
     * An empty batch of the staging table's columns, with the values every row of this object
     * shares (its source key, its landing time) set once.
     */
    public ColumnBatch newBatch(int capacity) {
        ColumnBatch batch = schema.newBatch(capacity);
        batch.setConstant(schema.sourceKeyIndex(), sourceUri.getBytes(StandardCharsets.UTF_8));
        batch.setConstant(schema.ingestedAtIndex(), ingestedAtMicros);
        return batch;
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

    /**
     * Adds the reader's current record to its partition's batch in {@code rows}; a record that
     * cannot be typed is not added.
     *
     * @throws RowRejectedException naming why the record is not a row
     */
    public void type(CsvReader reader, long line, PartitionBatches rows) throws RowRejectedException {
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

        // A MongoDB delete carries its _id only: its document columns are null, not an error. A
        // document that cannot be read is reported where its first column is, as any bad value.
        JsonDocument document = null;
        boolean noDocument = false;
        RowRejectedException documentProblem = null;
        if (jsonSource >= 0 && hasDerivedColumn) {
            if (delete && documentText(reader) == null) {
                noDocument = true;
            } else {
                try {
                    document = document(reader);
                } catch (RowRejectedException e) {
                    documentProblem = e;
                }
            }
        }
        // The partition first, so that the values go straight into its batch; a problem with the
        // account is reported after the columns', and the values meanwhile go to a scratch row.
        int partition = -1;
        RowRejectedException accountProblem = null;
        try {
            partition = delete ? partitionOfDelete(reader, document, noDocument) : partition(reader, document);
        } catch (RowRejectedException e) {
            accountProblem = e;
        }
        ColumnBatch batch = accountProblem == null ? rows.batchFor(partition) : scratch();
        int bytesBefore = batch.binaryBytes();
        // A row rejected half-way leaves nothing in the batch: discard() forgets what it had put.
        try {
            if (commitTsField >= 0) {
                CharSequence text = chars(reader, commitTsField);
                if (text == null) {
                    batch.putNull(schema.commitTsIndex());
                } else {
                    try {
                        batch.putLong(schema.commitTsIndex(), Values.parseTimestampMicros(text));
                    } catch (BadValueException e) {
                        throw new RowRejectedException("commit timestamp: " + e.getMessage());
                    }
                }
            } else {
                batch.putNull(schema.commitTsIndex());
            }

            for (int i = 0; i < columns.length; i++) {
                ColumnSpec column = columns[i];
                CharSequence text;
                if (column.derived()) {
                    if (documentProblem != null) {
                        throw documentProblem;
                    }
                    text = noDocument ? null : document.field(column.fromJson().orElseThrow().field());
                } else {
                    text = fieldOf[i] < 0 ? null : chars(reader, fieldOf[i]);
                }
                if (text == null) {
                    if (!column.nullable() && (!delete || keyColumn[i])) {
                        throw new RowRejectedException("column '" + column.name() + "': null in a non-nullable column");
                    }
                    if (keyColumn[i]) {
                        // Declared nullable, but a change without its key names no row to apply to.
                        throw new RowRejectedException("column '" + column.name() + "': null in the primary key");
                    }
                    batch.putNull(i);
                    continue;
                }
                try {
                    put(batch, i, column.type(), text);
                } catch (BadValueException e) {
                    throw new RowRejectedException("column '" + column.name() + "': " + e.getMessage());
                }
            }

            if (accountProblem != null) {
                throw accountProblem;
            }
            if (!delete && partitionDateColumn >= 0 && batch.isNull(partitionDateColumn, batch.size())) {
                // The current table could not place the row.
                throw new RowRejectedException("partition date column '" + columns[partitionDateColumn].name() + "' is null");
            }
            batch.putBytes(schema.opIndex(), OPS, delete ? 2 : op == 'U' ? 1 : 0, 1);
            batch.putLong(schema.sourceLineIndex(), line);
            if (schema.hasChangeSeq()) {
                changeSeq(reader, count, batch);
            }
        } catch (RowRejectedException e) {
            batch.discard();
            throw e;
        }
        batch.commit();
        rows.committed(partition, batch, bytesBefore);
    }

    /** Where a row whose account is refused is typed, so that its columns are still checked first. */
    private ColumnBatch scratch() {
        if (scratch == null) {
            scratch = newBatch(1);
        }
        return scratch;
    }

    /**
     * The record's change sequence: null when it has none (a full-load row's field is empty, and a
     * record written before the mapping added it lacks the field); {@link ChangeOrder} ranks such
     * a row by its commit timestamp.
     */
    private void changeSeq(CsvReader reader, int count, ColumnBatch batch) throws RowRejectedException {
        CharSequence text = changeSeqField >= 0 && changeSeqField < count ? chars(reader, changeSeqField) : null;
        if (text == null || text.length() == 0) {
            batch.putNull(schema.changeSeqIndex());
            return;
        }
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) < '0' || text.charAt(i) > '9') {
                throw new RowRejectedException("change sequence: not digits: '" + text + "'");
            }
        }
        batch.putUtf8(schema.changeSeqIndex(), text);
    }

    /**
     * A delete's partition: its account's, or {@link PartitionPaths#NO_ACCOUNT}'s when it names
     * only its key (a MongoDB delete): the refresh applies it to whichever account holds the key.
     */
    private int partitionOfDelete(CsvReader reader, JsonDocument document, boolean noDocument) throws RowRejectedException {
        CharSequence account = noDocument ? null : accountValue(reader, document);
        if (account != null) {
            int known = accountIds.get(account);
            if (known >= 0) {
                return known;
            }
        }
        if (account == null || account.toString().isBlank()) {
            return partitions.id(new PartitionKey(PartitionPaths.NO_ACCOUNT, Optional.of(landingDay)));
        }
        return newAccount(account.toString());
    }

    private int partition(CsvReader reader, JsonDocument document) throws RowRejectedException {
        CharSequence account = accountValue(reader, document);
        if (account != null) {
            // Every row asks: a CSV field is looked up in place, a document's field as characters.
            int known = accountSpec.derived() ? accountIds.get(account) : accountIds.get(reader, accountFieldIndex());
            if (known >= 0) {
                return known;
            }
        }
        return newAccount(account == null ? null : account.toString());
    }

    /** Checks an account not seen before in this object, and numbers its partition. */
    private int newAccount(String account) throws RowRejectedException {
        String checked = checkedAccount(account);
        int id = partitions.id(new PartitionKey(checked, Optional.of(landingDay)));
        accountIds.put(checked, id);
        return id;
    }

    /** The account the record names, not yet checked: null when it names none. */
    private CharSequence accountValue(CsvReader reader, JsonDocument document) throws RowRejectedException {
        if (accountSpec.derived()) {
            return (document == null ? document(reader) : document).field(accountSpec.fromJson().orElseThrow().field());
        }
        return chars(reader, accountFieldIndex());
    }

    private int accountFieldIndex() {
        return accountField == -2 ? headerAccountField : accountField;
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

    private void put(ColumnBatch batch, int column, ColumnType type, CharSequence text) {
        switch (type.kind()) {
            case STRING -> batch.putUtf8(column, text);
            case INT -> batch.putInt(column, Values.parseInt(text));
            case LONG -> batch.putLong(column, Values.parseLong(text));
            case DOUBLE -> batch.putDouble(column, Values.parseDouble(text));
            case BOOLEAN -> batch.putBoolean(column, Values.parseBoolean(text));
            case DATE -> batch.putInt(column, Values.parseDateEpochDays(text));
            case TIMESTAMP -> batch.putLong(column, Values.parseTimestampMicros(text));
            case DECIMAL -> decimal(batch, column, type, text);
        }
    }

    /** A decimal as Parquet's fixed-length two's complement of its unscaled value. */
    private void decimal(ColumnBatch batch, int column, ColumnType type, CharSequence text) {
        int width = decimalBytes[column];
        if (type.precision() <= 18) {
            batch.putFixed(column, Values.parseUnscaledDecimal(text, type.precision(), type.scale()), width);
            return;
        }
        BigDecimal value = Values.parseDecimal(text, type.precision(), type.scale());
        BigInteger unscaled = value.setScale(type.scale()).unscaledValue();
        byte[] minimal = unscaled.toByteArray();
        byte[] bytes = new byte[width];
        Arrays.fill(bytes, 0, width - minimal.length, (byte) (unscaled.signum() < 0 ? 0xFF : 0x00));
        System.arraycopy(minimal, 0, bytes, width - minimal.length, minimal.length);
        batch.putBytes(column, bytes, 0, width);
    }

    private int dataIndex(String columnName) {
        for (int i = 0; i < columns.length; i++) {
            if (columns[i].name().equals(columnName)) {
                return i;
            }
        }
        return -1;
    }

    /**
     * The partition numbers of the accounts seen so far, looked up by the field's characters, so
     * that a row of a known account makes no String: open addressing, String.hashCode's hash.
     */
    private static final class AccountIds {
        private String[] keys = new String[64];
        private int[] ids = new int[64];
        private int size;

        /** The account's partition, or -1 if it has not been seen. */
        int get(CharSequence account) {
            int mask = keys.length - 1;
            for (int slot = spread(hashCode(account)) & mask; ; slot = (slot + 1) & mask) {
                String key = keys[slot];
                if (key == null) {
                    return -1;
                }
                if (equal(key, account)) {
                    return ids[slot];
                }
            }
        }

        /** The partition of the account in the reader's field {@code field}, or -1 if it has not been seen. */
        int get(CsvReader reader, int field) {
            int mask = keys.length - 1;
            for (int slot = spread(reader.fieldHashCode(field)) & mask; ; slot = (slot + 1) & mask) {
                String key = keys[slot];
                if (key == null) {
                    return -1;
                }
                if (reader.fieldEquals(field, key)) {
                    return ids[slot];
                }
            }
        }

        void put(String account, int id) {
            if (2 * (size + 1) > keys.length) {
                String[] oldKeys = keys;
                int[] oldIds = ids;
                keys = new String[oldKeys.length * 2];
                ids = new int[oldKeys.length * 2];
                size = 0;
                for (int i = 0; i < oldKeys.length; i++) {
                    if (oldKeys[i] != null) {
                        put(oldKeys[i], oldIds[i]);
                    }
                }
            }
            int mask = keys.length - 1;
            int slot = spread(account.hashCode()) & mask;
            while (keys[slot] != null) {
                slot = (slot + 1) & mask;
            }
            keys[slot] = account;
            ids[slot] = id;
            size++;
        }

        /** String.hashCode of any characters, so that keys and fields hash alike. */
        private static int hashCode(CharSequence text) {
            int h = 0;
            for (int i = 0; i < text.length(); i++) {
                h = 31 * h + text.charAt(i);
            }
            return h;
        }

        private static int spread(int h) {
            return h ^ (h >>> 16);
        }

        private static boolean equal(String key, CharSequence text) {
            if (key.length() != text.length()) {
                return false;
            }
            for (int i = 0; i < key.length(); i++) {
                if (key.charAt(i) != text.charAt(i)) {
                    return false;
                }
            }
            return true;
        }
    }
}
