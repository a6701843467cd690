package io.tarn.bench;

import io.tarn.storage.ObjectInfo;
import io.tarn.storage.ObjectNotFoundException;
import io.tarn.storage.ObjectStore;
import io.tarn.storage.StorageException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * An object store on a local folder ({@code <root>/<bucket>/<key>}), for the benchmark only: it
 * takes the S3 server, and the CPU it would use on this small machine, out of the measurement, so
 * the conversion's own cost shows apart from the local stand-in's.
 */
final class FolderObjectStore implements ObjectStore {

    private final Path root;

    FolderObjectStore(Path root) {
        this.root = root;
    }

    @Override
    public Optional<ObjectInfo> head(String bucket, String key) {
        Path file = file(bucket, key);
        try {
            return Optional.of(new ObjectInfo(bucket, key, Long.toHexString(Files.size(file)), Optional.empty(),
                    Files.getLastModifiedTime(file).toInstant(), Files.size(file)));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new StorageException("Cannot stat " + file, e);
        }
    }

    @Override
    public InputStream open(String bucket, String key, Optional<String> versionId) {
        try {
            return Files.newInputStream(file(bucket, key));
        } catch (NoSuchFileException e) {
            throw new ObjectNotFoundException(bucket, key);
        } catch (IOException e) {
            throw new StorageException("Cannot read " + file(bucket, key), e);
        }
    }

    @Override
    public void put(String bucket, String key, Path source, String contentType) {
        try {
            Path target = file(bucket, key);
            Files.createDirectories(target.getParent());
            Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new StorageException("Cannot write " + file(bucket, key), e);
        }
    }

    @Override
    public void put(String bucket, String key, byte[] bytes, String contentType) {
        try {
            Path target = file(bucket, key);
            Files.createDirectories(target.getParent());
            Files.write(target, bytes);
        } catch (IOException e) {
            throw new StorageException("Cannot write " + file(bucket, key), e);
        }
    }

    @Override
    public List<String> list(String bucket, String prefix) {
        Path dir = root.resolve(bucket);
        // Walk only the folder the prefix names: a conversion lists its own manifest's key, and
        // walking every staged file for that would put the folder's size into the measurement.
        int slash = prefix.lastIndexOf('/');
        Path start = slash < 0 ? dir : dir.resolve(prefix.substring(0, slash));
        if (!Files.isDirectory(start)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(start)) {
            return files.filter(Files::isRegularFile)
                    .map(f -> dir.relativize(f).toString())
                    .filter(k -> k.startsWith(prefix))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new StorageException("Cannot list " + dir, e);
        }
    }

    @Override
    public void delete(String bucket, Collection<String> keys) {
        for (String key : keys) {
            try {
                Files.deleteIfExists(file(bucket, key));
            } catch (IOException e) {
                throw new StorageException("Cannot delete " + file(bucket, key), e);
            }
        }
    }

    private Path file(String bucket, String key) {
        return root.resolve(bucket).resolve(key);
    }
}
