package io.tarn.storage;

import java.io.InputStream;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * The object storage the pipeline reads raw objects from and writes staging objects to (S3 in
 * AWS, an S3-compatible server locally).
 */
public interface ObjectStore {

    /** Metadata of an object, or empty when the object does not exist. */
    Optional<ObjectInfo> head(String bucket, String key);

    /**
     * Opens an object for streaming. When {@code versionId} is present, that version is read, so a
     * replayed event reads the bytes it was sent for even if the key was overwritten since.
     *
     * @throws ObjectNotFoundException when the object (or version) does not exist
     */
    InputStream open(String bucket, String key, Optional<String> versionId);

    /** Uploads a local file, replacing any object under the same key. */
    void put(String bucket, String key, Path file, String contentType);

    /** Uploads bytes, replacing any object under the same key. */
    void put(String bucket, String key, byte[] bytes, String contentType);

    /** Keys under a prefix, in lexicographic order. */
    List<String> list(String bucket, String prefix);

    /**
     * Deletes the objects under these keys. A key with no object is no error (S3 answers so too),
     * so a retried delete succeeds.
     *
     * @throws StorageException naming the keys that could not be deleted
     */
    void delete(String bucket, Collection<String> keys);
}
