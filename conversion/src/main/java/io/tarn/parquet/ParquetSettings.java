package io.tarn.parquet;

import static java.util.Objects.requireNonNull;

import org.apache.parquet.hadoop.metadata.CompressionCodecName;

/**
 * How staging Parquet is written.
 *
 * @param rowGroupBytes row group size of one partition's file
 * @param memoryBudgetBytes bound on the bytes all open partition writers buffer together; past it
 *     the largest writer finishes its file and the partition continues in a new part
 * @param encodeInBackground whether Parquet is encoded on a thread of its own while the caller's
 *     thread parses and types the next rows; the files are the same either way
 */
public record ParquetSettings(
        CompressionCodecName codec,
        long rowGroupBytes,
        long memoryBudgetBytes,
        int pageBytes,
        int maxOpenPartitions,
        boolean encodeInBackground) {

    public static final long DEFAULT_ROW_GROUP_BYTES = 32L << 20;
    public static final long DEFAULT_MEMORY_BUDGET_BYTES = 48L << 20;
    /**
     * Small pages: a page is compressed when it fills, and until then it sits uncompressed in its
     * writer; with hundreds of partitions open, that is most of the memory.
     */
    public static final int DEFAULT_PAGE_BYTES = 64 << 10;
    /**
     * Each open partition writer costs about 100-200 KB before it holds a row (parquet-java
     * allocates a 16 KB slab per dictionary-encoded column), so at most this many are open at
     * once; rows of further partitions wait in spill files on local disk.
     */
    public static final int DEFAULT_MAX_OPEN_PARTITIONS = 256;
    /**
     * Encoding beside parsing: a Lambda of 1,769 MB or more has two vCPUs, and on one vCPU the
     * hand-over costs a thread switch per batch of tens of thousands of rows.
     */
    public static final boolean DEFAULT_ENCODE_IN_BACKGROUND = true;

    public ParquetSettings {
        requireNonNull(codec, "codec is null");
        if (codec != CompressionCodecName.ZSTD && codec != CompressionCodecName.SNAPPY) {
            throw new IllegalArgumentException("Parquet codec must be ZSTD or SNAPPY, got " + codec);
        }
        if (rowGroupBytes <= 0 || memoryBudgetBytes <= 0 || pageBytes <= 0 || maxOpenPartitions <= 0) {
            throw new IllegalArgumentException("Parquet sizes must be positive");
        }
    }

    public static ParquetSettings defaults() {
        return new ParquetSettings(CompressionCodecName.ZSTD, DEFAULT_ROW_GROUP_BYTES, DEFAULT_MEMORY_BUDGET_BYTES,
                DEFAULT_PAGE_BYTES, DEFAULT_MAX_OPEN_PARTITIONS, DEFAULT_ENCODE_IN_BACKGROUND);
    }

    public ParquetSettings withCodec(CompressionCodecName newCodec) {
        return new ParquetSettings(newCodec, rowGroupBytes, memoryBudgetBytes, pageBytes, maxOpenPartitions, encodeInBackground);
    }

    public ParquetSettings withMemoryBudget(long bytes) {
        return new ParquetSettings(codec, rowGroupBytes, bytes, pageBytes, maxOpenPartitions, encodeInBackground);
    }

    public ParquetSettings withMaxOpenPartitions(int partitions) {
        return new ParquetSettings(codec, rowGroupBytes, memoryBudgetBytes, pageBytes, partitions, encodeInBackground);
    }

    public ParquetSettings withEncodeInBackground(boolean background) {
        return new ParquetSettings(codec, rowGroupBytes, memoryBudgetBytes, pageBytes, maxOpenPartitions, background);
    }

    /** The file name suffix for this codec, e.g. {@code .zstd.parquet}. */
    public String fileSuffix() {
        return "." + codec.name().toLowerCase(java.util.Locale.ROOT) + ".parquet";
    }
}
