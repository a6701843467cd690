package io.tarn.ingest;

import static java.util.Objects.requireNonNull;

import io.tarn.csv.CsvReader;
import io.tarn.parquet.ParquetSettings;
import java.nio.file.Path;

/**
 * Where and how the raw-to-staging conversion writes.
 *
 * @param tempDir local scratch space for Parquet parts before upload ({@code /tmp} in Lambda)
 * @param maxRecordChars the longest CSV record held in memory; a longer one is quarantined
 *     ({@link CsvReader#DEFAULT_MAX_RECORD_CHARS} unless a test needs a small bound)
 */
public record IngestSettings(String stagingBucket, Path tempDir, ParquetSettings parquet, int maxRecordChars) {

    public IngestSettings {
        requireNonNull(stagingBucket, "stagingBucket is null");
        requireNonNull(tempDir, "tempDir is null");
        requireNonNull(parquet, "parquet is null");
        if (maxRecordChars < 1) {
            throw new IllegalArgumentException("maxRecordChars must be at least 1, got " + maxRecordChars);
        }
    }

    /** With the CSV reader's default bound on a record's length. */
    public IngestSettings(String stagingBucket, Path tempDir, ParquetSettings parquet) {
        this(stagingBucket, tempDir, parquet, CsvReader.DEFAULT_MAX_RECORD_CHARS);
    }

    public IngestSettings withMaxRecordChars(int chars) {
        return new IngestSettings(stagingBucket, tempDir, parquet, chars);
    }
}
