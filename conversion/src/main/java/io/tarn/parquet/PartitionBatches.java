package io.tarn.parquet;

import java.util.Arrays;

/**
 * Rows gathered by partition: a {@link ColumnBatch} per partition, in the order the partitions
 * first appear. A partition's rows sit next to each other, so its file writer reads each column in
 * one sequential pass; scattered over one batch of interleaved accounts, the same reads were
 * cache misses, most of the writing time (measured). {@link #full()} bounds what is held: rows,
 * bytes, and partitions (each batch costs its arrays, however few rows it has).
 */
public final class PartitionBatches {

    /** Rows held at most, by default: enough for long runs per partition with a few hundred of them. */
    public static final int MAX_ROWS = 1 << 15;
    /** Binary bytes held at most, whatever the row count: wide rows, bounded memory. */
    static final int MAX_BINARY_BYTES = 8 << 20;
    /** Partitions held at most: tens of thousands of one-row batches would cost more than their rows. */
    static final int MAX_PARTITIONS = 4096;
    private static final int FIRST_CAPACITY = 16;

    private final ColumnBatch template;
    private final int maxRows;
    private ColumnBatch[] byPartition = new ColumnBatch[64];
    private int[] order = new int[64];
    private int partitions;
    /** Partitions that have a batch object: this round's, and the last round's, emptied, for reuse. */
    private int[] held = new int[64];
    private int heldCount;
    private int rows;
    private long binaryBytes;

    /** Batches shaped like {@code template}: its columns and constants. */
    public PartitionBatches(ColumnBatch template) {
        this(template, MAX_ROWS);
    }

    /** The same, full at {@code maxRows} rows. */
    public PartitionBatches(ColumnBatch template, int maxRows) {
        if (maxRows < 1) {
            throw new IllegalArgumentException("maxRows must be at least 1, got " + maxRows);
        }
        this.template = template.emptyCopy(1);
        this.maxRows = maxRows;
    }

    /** An empty set of the same shape and bound. */
    public PartitionBatches emptyCopy() {
        return new PartitionBatches(template, maxRows);
    }

    /**
     * The batch that takes {@code partition}'s next row, made on first use: the typer puts the row's
     * values into it and commits it, then reports it with {@link #committed}.
     */
    public ColumnBatch batchFor(int partition) {
        if (partition >= byPartition.length) {
            byPartition = Arrays.copyOf(byPartition, Math.max(byPartition.length * 2, partition + 1));
        }
        ColumnBatch batch = byPartition[partition];
        if (batch == null) {
            batch = template.emptyCopy(FIRST_CAPACITY);
            byPartition[partition] = batch;
            if (heldCount == held.length) {
                held = Arrays.copyOf(held, heldCount * 2);
            }
            held[heldCount++] = partition;
        }
        return batch;
    }

    /** Counts the row just committed to {@code partition}'s batch, which held {@code bytesBefore} binary bytes before it. */
    public void committed(int partition, ColumnBatch batch, int bytesBefore) {
        if (batch.size() == 1) {
            if (partitions == order.length) {
                order = Arrays.copyOf(order, partitions * 2);
            }
            order[partitions++] = partition;
        }
        rows++;
        binaryBytes += batch.binaryBytes() - bytesBefore;
    }

    /** Whether the batches should be written before another row is added. */
    public boolean full() {
        return rows >= maxRows || binaryBytes >= MAX_BINARY_BYTES || partitions >= MAX_PARTITIONS;
    }

    public int rows() {
        return rows;
    }

    /** Partitions with rows, numbered 0 to {@code partitions() - 1} in first-seen order. */
    public int partitions() {
        return partitions;
    }

    /** The partition id of the {@code i}-th partition. */
    public int partition(int i) {
        return order[i];
    }

    /** The rows of the {@code i}-th partition. */
    public ColumnBatch batchAt(int i) {
        return byPartition[order[i]];
    }

    /**
     * Empties the set. The batches of this round's partitions are kept for the next round (their
     * arrays have grown to their share of rows); the others are dropped, so a partition seen once
     * holds no memory for long.
     */
    public void clear() {
        int kept = 0;
        for (int i = 0; i < heldCount; i++) {
            int partition = held[i];
            ColumnBatch batch = byPartition[partition];
            if (batch.size() == 0) {
                byPartition[partition] = null;
            } else {
                batch.clear();
                held[kept++] = partition;
            }
        }
        heldCount = kept;
        partitions = 0;
        rows = 0;
        binaryBytes = 0;
    }
}
