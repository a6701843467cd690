package io.tarn.parquet;

import static java.util.Objects.requireNonNull;

import org.apache.parquet.hadoop.metadata.CompressionCodecName;

/**
 * How staging Parquet is written.
 *
 * @param rowGroupBytes row group size of one partition's file
 * @param memoryBudgetBytes bound on the bytes all open partition writers buffer together; past it
 *     the largest writer finishes its file and the partition continues in a new part
 */
public record ParquetSettings(CompressionCodecName codec, long rowGroupBytes, long memoryBudgetBytes, int pageBytes) {

    public static final long DEFAULT_ROW_GROUP_BYTES = 32L << 20;
    public static final long DEFAULT_MEMORY_BUDGET_BYTES = 48L << 20;
    public static final int DEFAULT_PAGE_BYTES = 256 << 10;

    public ParquetSettings {
        requireNonNull(codec, "codec is null");
        if (codec != CompressionCodecName.ZSTD && codec != CompressionCodecName.SNAPPY) {
            throw new IllegalArgumentException("Parquet codec must be ZSTD or SNAPPY, got " + codec);
        }
        if (rowGroupBytes <= 0 || memoryBudgetBytes <= 0 || pageBytes <= 0) {
            throw new IllegalArgumentException("Parquet sizes must be positive");
        }
    }

    public static ParquetSettings defaults() {
        return new ParquetSettings(CompressionCodecName.ZSTD, DEFAULT_ROW_GROUP_BYTES, DEFAULT_MEMORY_BUDGET_BYTES,
                DEFAULT_PAGE_BYTES);
    }

    public ParquetSettings withCodec(CompressionCodecName newCodec) {
        return new ParquetSettings(newCodec, rowGroupBytes, memoryBudgetBytes, pageBytes);
    }

    public ParquetSettings withMemoryBudget(long bytes) {
        return new ParquetSettings(codec, rowGroupBytes, bytes, pageBytes);
    }

    /** The file name suffix for this codec, e.g. {@code .zstd.parquet}. */
    public String fileSuffix() {
        return "." + codec.name().toLowerCase(java.util.Locale.ROOT) + ".parquet";
    }
}
