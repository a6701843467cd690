package io.tarn.storage;

/** The object (or the version) an event named is not in the store. */
public class ObjectNotFoundException extends StorageException {
    public ObjectNotFoundException(String bucket, String key) {
        super("Object s3://%s/%s does not exist".formatted(bucket, key), null);
    }
}
