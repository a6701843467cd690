package io.tarn.parquet;

import java.util.Arrays;

/**
 * Typed rows held column by column, as Parquet stores them: a primitive array per column, binary
 * values as one byte array with end offsets, and a null bitmap per column. A batch holds the rows
 * of one partition ({@link PartitionBatches} knows which). The typer fills the next row value by
 * value and {@link #commit}s it, or {@link #discard}s a row it rejects half-way. The writers then
 * read whole columns at a time, with no object per row or per value. The arrays grow as rows are
 * added; {@link PartitionBatches} bounds how many rows are held.
 *
 * <p>Rows of many partitions are typed side by side, so the batch a value goes to was last touched
 * some rows ago and its arrays are rarely in cache: a put is one store (a null bit is set for a
 * null and a row's bits start clear, see {@link #clear}), with no read of the row before.
 *
 * <p>A column can be {@linkplain #setConstant constant}: one value for every row of the batch
 * (the source object's key, its landing time), stored once.
 */
public final class ColumnBatch {

    /** How a column's values are held: Parquet's physical types that Tarn writes. */
    public enum Type {
        INT32, INT64, DOUBLE, BOOLEAN, BINARY
    }

    private final Type[] types;
    private int capacity;
    private final int[][] ints;
    private final long[][] longs;
    private final double[][] doubles;
    private final boolean[][] booleans;
    private final byte[][] bytes;
    /** Binary columns: where each row's value ends in {@code bytes}; it starts where the previous row's ends. */
    private final int[][] ends;
    /** Binary columns: where the next value starts in {@code bytes} (the last put value's end). */
    private final int[] fill;
    private final long[][] nulls;
    private final boolean[] constant;
    private final long[] constantLongs;
    private final byte[][] constantBytes;
    private int size;
    private int binaryBytes;
    /** {@link #binaryBytes} of the committed rows: what a discarded row falls back to. */
    private int committedBinaryBytes;

    public ColumnBatch(Type[] types, int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, got " + capacity);
        }
        this.types = types.clone();
        this.capacity = capacity;
        int columns = types.length;
        ints = new int[columns][];
        longs = new long[columns][];
        doubles = new double[columns][];
        booleans = new boolean[columns][];
        bytes = new byte[columns][];
        ends = new int[columns][];
        fill = new int[columns];
        nulls = new long[columns][(capacity + 63) >>> 6];
        constant = new boolean[columns];
        constantLongs = new long[columns];
        constantBytes = new byte[columns][];
        for (int c = 0; c < columns; c++) {
            switch (types[c]) {
                case INT32 -> ints[c] = new int[capacity];
                case INT64 -> longs[c] = new long[capacity];
                case DOUBLE -> doubles[c] = new double[capacity];
                case BOOLEAN -> booleans[c] = new boolean[capacity];
                case BINARY -> {
                    bytes[c] = new byte[capacity * 8];
                    ends[c] = new int[capacity];
                }
            }
        }
    }

    /** An empty batch of the same columns and constants, room for {@code rows} rows before it grows. */
    public ColumnBatch emptyCopy(int rows) {
        ColumnBatch copy = new ColumnBatch(types, rows);
        for (int c = 0; c < types.length; c++) {
            copy.constant[c] = constant[c];
            copy.constantLongs[c] = constantLongs[c];
            copy.constantBytes[c] = constantBytes[c];
        }
        return copy;
    }

    public int columns() {
        return types.length;
    }

    public Type type(int column) {
        return types[column];
    }

    public int size() {
        return size;
    }

    /** The bytes of binary values held, the row being put included: with the row count, what the batch weighs. */
    public int binaryBytes() {
        return binaryBytes;
    }

    /** Empties the batch; constants stay. */
    public void clear() {
        // Puts never clear a null bit, so the words of the rows held are cleared here.
        int words = (size >>> 6) + 1;
        for (int c = 0; c < nulls.length; c++) {
            Arrays.fill(nulls[c], 0, Math.min(words, nulls[c].length), 0L);
        }
        Arrays.fill(fill, 0);
        size = 0;
        binaryBytes = 0;
        committedBinaryBytes = 0;
    }

    // ---- writing the next row (index size()) ------------------------------------------------------

    public void putNull(int column) {
        nulls[column][size >>> 6] |= 1L << size;
        if (types[column] == Type.BINARY) {
            ends[column][size] = fill[column];
        }
    }

    public void putInt(int column, int value) {
        ints[column][size] = value;
    }

    public void putLong(int column, long value) {
        longs[column][size] = value;
    }

    public void putDouble(int column, double value) {
        doubles[column][size] = value;
    }

    public void putBoolean(int column, boolean value) {
        booleans[column][size] = value;
    }

    public void putBytes(int column, byte[] value, int offset, int length) {
        int start = fill[column];
        byte[] target = room(column, start, length);
        System.arraycopy(value, offset, target, start, length);
        ended(column, start + length, length);
    }

    /** The characters as UTF-8, ASCII (the common case) without any intermediate object. */
    public void putUtf8(int column, CharSequence text) {
        int length = text.length();
        int start = fill[column];
        byte[] target = room(column, start, length);
        for (int i = 0; i < length; i++) {
            char c = text.charAt(i);
            if (c >= 0x80) {
                byte[] utf8 = text.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
                putBytes(column, utf8, 0, utf8.length);
                return;
            }
            target[start + i] = (byte) c;
        }
        ended(column, start + length, length);
    }

    /** The next row's value of a binary column as a big-endian two's complement of {@code width} bytes. */
    public void putFixed(int column, long unscaled, int width) {
        int start = fill[column];
        byte[] target = room(column, start, width);
        for (int i = width - 1; i >= 0; i--) {
            target[start + i] = (byte) unscaled;
            unscaled >>= 8;
        }
        ended(column, start + width, width);
    }

    /** Every row of the batch has this value in {@code column}; puts to it are not made. */
    public void setConstant(int column, long value) {
        constant[column] = true;
        constantLongs[column] = value;
    }

    public void setConstant(int column, byte[] value) {
        constant[column] = true;
        constantBytes[column] = value.clone();
    }

    /** Completes the next row; every non-constant column must have been put. */
    public void commit() {
        committedBinaryBytes = binaryBytes;
        size++;
        if (size == capacity) {
            grow();
        }
    }

    /** Forgets what was put for the next row (one that is rejected half-way), as if nothing had been. */
    public void discard() {
        long bit = 1L << size;
        for (int c = 0; c < types.length; c++) {
            nulls[c][size >>> 6] &= ~bit;
            if (types[c] == Type.BINARY) {
                fill[c] = start(c, size);
            }
        }
        binaryBytes = committedBinaryBytes;
    }

    private void grow() {
        int grown = capacity * 2;
        for (int c = 0; c < types.length; c++) {
            switch (types[c]) {
                case INT32 -> ints[c] = Arrays.copyOf(ints[c], grown);
                case INT64 -> longs[c] = Arrays.copyOf(longs[c], grown);
                case DOUBLE -> doubles[c] = Arrays.copyOf(doubles[c], grown);
                case BOOLEAN -> booleans[c] = Arrays.copyOf(booleans[c], grown);
                case BINARY -> ends[c] = Arrays.copyOf(ends[c], grown);
            }
            nulls[c] = Arrays.copyOf(nulls[c], (grown + 63) >>> 6);
        }
        capacity = grown;
    }

    private void ended(int column, int end, int length) {
        ends[column][size] = end;
        fill[column] = end;
        binaryBytes += length;
    }

    private int start(int column, int row) {
        return row == 0 ? 0 : ends[column][row - 1];
    }

    private byte[] room(int column, int start, int length) {
        byte[] current = bytes[column];
        if (start + length > current.length) {
            long wanted = Math.max((long) current.length * 2, (long) start + length);
            if (wanted > Integer.MAX_VALUE - 16) {
                throw new IllegalStateException("a batch's column holds more than 2 GB");
            }
            current = Arrays.copyOf(current, (int) wanted);
            bytes[column] = current;
        }
        return current;
    }

    // ---- reading --------------------------------------------------------------------------------

    public boolean isConstant(int column) {
        return constant[column];
    }

    public boolean isNull(int column, int row) {
        return !constant[column] && (nulls[column][row >>> 6] & (1L << row)) != 0;
    }

    public int getInt(int column, int row) {
        return ints[column][row];
    }

    public long getLong(int column, int row) {
        return constant[column] ? constantLongs[column] : longs[column][row];
    }

    public double getDouble(int column, int row) {
        return doubles[column][row];
    }

    public boolean getBoolean(int column, int row) {
        return booleans[column][row];
    }

    /** The array holding a binary column's values; see {@link #binaryStart} and {@link #binaryEnd}. */
    public byte[] binaryData(int column) {
        return constant[column] ? constantBytes[column] : bytes[column];
    }

    public int binaryStart(int column, int row) {
        return constant[column] ? 0 : start(column, row);
    }

    public int binaryEnd(int column, int row) {
        return constant[column] ? constantBytes[column].length : ends[column][row];
    }

    /** The value as an object (Integer, Long, Double, Boolean, byte[]), or null: for tests and messages, not the hot path. */
    public Object value(int column, int row) {
        if (isNull(column, row)) {
            return null;
        }
        return switch (types[column]) {
            case INT32 -> getInt(column, row);
            case INT64 -> getLong(column, row);
            case DOUBLE -> getDouble(column, row);
            case BOOLEAN -> getBoolean(column, row);
            case BINARY -> Arrays.copyOfRange(binaryData(column), binaryStart(column, row), binaryEnd(column, row));
        };
    }
}
