package io.tarn.storage;

import static java.util.Objects.requireNonNull;

import java.io.InputStream;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/** A test double's base: every call goes to the real store, but for those a subclass intercepts. */
public abstract class ForwardingObjectStore implements ObjectStore {

    protected final ObjectStore delegate;

    protected ForwardingObjectStore(ObjectStore delegate) {
        this.delegate = requireNonNull(delegate, "delegate is null");
    }

    @Override
    public Optional<ObjectInfo> head(String bucket, String key) {
        return delegate.head(bucket, key);
    }

    @Override
    public InputStream open(String bucket, String key, Optional<String> versionId) {
        return delegate.open(bucket, key, versionId);
    }

    @Override
    public void put(String bucket, String key, Path file, String contentType) {
        delegate.put(bucket, key, file, contentType);
    }

    @Override
    public void put(String bucket, String key, byte[] bytes, String contentType) {
        delegate.put(bucket, key, bytes, contentType);
    }

    @Override
    public List<String> list(String bucket, String prefix) {
        return delegate.list(bucket, prefix);
    }

    @Override
    public void delete(String bucket, Collection<String> keys) {
        delegate.delete(bucket, keys);
    }
}
