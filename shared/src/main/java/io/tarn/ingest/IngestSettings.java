package io.tarn.ingest;

import static java.util.Objects.requireNonNull;

import io.tarn.parquet.ParquetSettings;
import java.nio.file.Path;

/**
 * Where and how the raw-to-staging conversion writes.
 *
 * @param tempDir local scratch space for Parquet parts before upload ({@code /tmp} in Lambda)
 */
public record IngestSettings(String stagingBucket, Path tempDir, ParquetSettings parquet) {

    /** Staging prefix of quarantined rows: {@code quarantine/<table>/<object id>.csv}. */
    public static final String QUARANTINE_PREFIX = "quarantine/";
    /** Staging prefix of per-object manifests: {@code manifests/<table>/<object id>.json}. */
    public static final String MANIFEST_PREFIX = "manifests/";

    public IngestSettings {
        requireNonNull(stagingBucket, "stagingBucket is null");
        requireNonNull(tempDir, "tempDir is null");
        requireNonNull(parquet, "parquet is null");
    }
}
