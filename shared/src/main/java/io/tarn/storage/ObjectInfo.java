package io.tarn.storage;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Optional;

/** What the store knows of one object version. */
public record ObjectInfo(
        String bucket, String key, String eTag, Optional<String> versionId, Instant lastModified, long size) {

    public ObjectInfo {
        requireNonNull(bucket, "bucket is null");
        requireNonNull(key, "key is null");
        requireNonNull(eTag, "eTag is null");
        requireNonNull(versionId, "versionId is null");
        requireNonNull(lastModified, "lastModified is null");
    }
}
