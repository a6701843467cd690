package io.tarn.etl.trigger;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * One "staging changed" notice: an object created in the staging bucket, and when it was created.
 * RawObject writes a manifest after the Parquet parts it lists, so the creation of a manifest
 * means a raw object's rows are in staging.
 *
 * @param id the id of the message that carried it (an SQS message id), reported back when its
 *     execution could not be started
 * @param key the created object's key
 * @param landedAt when S3 created the object (the event's time), which places the change in its window
 */
public record StagingChange(String id, String bucket, String key, Instant landedAt) {

    public StagingChange {
        requireNonNull(id, "id is null");
        requireNonNull(bucket, "bucket is null");
        requireNonNull(key, "key is null");
        requireNonNull(landedAt, "landedAt is null");
    }
}
