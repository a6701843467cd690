package io.tarn.aws.s3;

import static java.util.Objects.requireNonNull;

import io.tarn.storage.ObjectInfo;
import io.tarn.storage.ObjectNotFoundException;
import io.tarn.storage.ObjectStore;
import io.tarn.storage.StorageException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.DeleteObjectsResponse;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.S3Error;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.model.UploadPartResponse;

/**
 * {@link ObjectStore} over the S3 API, for S3 itself and for S3-compatible servers.
 *
 * <p>Files above {@link Settings#multipartThreshold()} go up as a multipart upload, so one failed
 * request costs one part, not the whole file, and a file larger than the 5 GiB single-PUT limit
 * still fits.
 *
 * <p>{@link #list} leaves out folder markers (keys that end in "/"). {@link #delete} sends
 * DeleteObjects, {@link #MAX_KEYS_PER_DELETE} keys per request.
 */
public final class S3ObjectStore implements ObjectStore {

    /** S3 refuses parts smaller than 5 MiB (except the last). */
    public static final long MIN_PART_SIZE = 5L * 1024 * 1024;
    /** S3 refuses more than 10,000 parts per upload. */
    public static final int MAX_PARTS = 10_000;
    /** S3 deletes at most 1,000 keys per DeleteObjects request. */
    public static final int MAX_KEYS_PER_DELETE = 1000;
    /** How many of the keys that failed to delete an error message names. */
    static final int FAILED_KEYS_NAMED = 10;

    private final S3Client s3;
    private final Settings settings;
    private final boolean partChecksums;

    /** A store with {@link Settings#DEFAULT}: multipart above 64 MiB, in 16 MiB parts. */
    public S3ObjectStore(S3Client s3) {
        this(s3, Settings.DEFAULT);
    }

    public S3ObjectStore(S3Client s3, Settings settings) {
        this.s3 = requireNonNull(s3, "s3 is null");
        this.settings = requireNonNull(settings, "settings is null");
        // A client that adds checksums where S3 supports them (the SDK default) sends a CRC32 with
        // every part; S3 then wants the upload created with that algorithm and each part's checksum
        // in the completion, or it reports the parts missing. A client configured WHEN_REQUIRED
        // (S3-compatible servers, which reject checksum trailers) sends plain parts.
        this.partChecksums = s3.serviceClientConfiguration().requestChecksumCalculation()
                != RequestChecksumCalculation.WHEN_REQUIRED;
    }

    @Override
    public Optional<ObjectInfo> head(String bucket, String key) {
        requireNonNull(bucket, "bucket is null");
        requireNonNull(key, "key is null");
        HeadObjectResponse response;
        try {
            response = s3.headObject(b -> b.bucket(bucket).key(key));
        } catch (SdkException e) {
            if (isNotFound(e)) {
                return Optional.empty();
            }
            throw failure("Cannot read the metadata of", bucket, key, e);
        }
        return Optional.of(new ObjectInfo(
                bucket,
                key,
                unquote(response.eTag()),
                Optional.ofNullable(response.versionId()),
                requireNonNull(response.lastModified(), "HeadObject returned no Last-Modified"),
                response.contentLength() == null ? 0 : response.contentLength()));
    }

    @Override
    public InputStream open(String bucket, String key, Optional<String> versionId) {
        requireNonNull(bucket, "bucket is null");
        requireNonNull(key, "key is null");
        requireNonNull(versionId, "versionId is null");
        GetObjectRequest.Builder request = GetObjectRequest.builder().bucket(bucket).key(key);
        versionId.ifPresent(request::versionId);
        try {
            return s3.getObject(request.build());
        } catch (SdkException e) {
            if (isNotFound(e)) {
                throw new ObjectNotFoundException(bucket, versionId.map(v -> key + " (version " + v + ")").orElse(key));
            }
            throw failure("Cannot read", bucket, key, e);
        }
    }

    @Override
    public void put(String bucket, String key, Path file, String contentType) {
        requireNonNull(bucket, "bucket is null");
        requireNonNull(key, "key is null");
        requireNonNull(file, "file is null");
        requireNonNull(contentType, "contentType is null");
        long size;
        try {
            size = Files.size(file);
        } catch (IOException e) {
            throw new StorageException(
                    "Cannot upload %s to s3://%s/%s: the file cannot be read".formatted(file, bucket, key), e);
        }
        if (size > settings.multipartThreshold()) {
            putMultipart(bucket, key, file, size, contentType);
            return;
        }
        try {
            s3.putObject(b -> b.bucket(bucket).key(key).contentType(contentType), RequestBody.fromFile(file));
        } catch (SdkException e) {
            throw failure("Cannot upload " + file + " to", bucket, key, e);
        }
    }

    @Override
    public void put(String bucket, String key, byte[] bytes, String contentType) {
        requireNonNull(bucket, "bucket is null");
        requireNonNull(key, "key is null");
        requireNonNull(bytes, "bytes is null");
        requireNonNull(contentType, "contentType is null");
        try {
            s3.putObject(b -> b.bucket(bucket).key(key).contentType(contentType), RequestBody.fromBytes(bytes));
        } catch (SdkException e) {
            throw failure("Cannot upload %d bytes to".formatted(bytes.length), bucket, key, e);
        }
    }

    @Override
    public List<String> list(String bucket, String prefix) {
        requireNonNull(bucket, "bucket is null");
        requireNonNull(prefix, "prefix is null");
        try {
            // S3 returns keys in UTF-8 binary order, page by page; the paginator follows the tokens.
            return s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(prefix)).contents().stream()
                    .filter(object -> !isFolderMarker(object))
                    .map(S3Object::key)
                    .toList();
        } catch (SdkException e) {
            throw failure("Cannot list", bucket, prefix, e);
        }
    }

    @Override
    public void delete(String bucket, Collection<String> keys) {
        requireNonNull(bucket, "bucket is null");
        requireNonNull(keys, "keys is null");
        List<String> all = List.copyOf(keys);
        List<String> failed = new ArrayList<>();
        for (int from = 0; from < all.size(); from += MAX_KEYS_PER_DELETE) {
            List<String> batch = all.subList(from, Math.min(from + MAX_KEYS_PER_DELETE, all.size()));
            List<ObjectIdentifier> objects = batch.stream().map(key -> ObjectIdentifier.builder().key(key).build()).toList();
            DeleteObjectsResponse response;
            try {
                // Quiet: the answer lists only the keys that failed, not the thousand that did not.
                response = s3.deleteObjects(b -> b.bucket(bucket).delete(d -> d.objects(objects).quiet(true)));
            } catch (SdkException e) {
                throw failure("Cannot delete %d object(s) starting with".formatted(batch.size()), bucket, batch.get(0), e);
            }
            // A DeleteObjects answer is 200 even when keys failed: each failure is an entry of its own.
            for (S3Error error : response.errors()) {
                failed.add("%s (%s: %s)".formatted(error.key(), error.code(), error.message()));
            }
        }
        if (!failed.isEmpty()) {
            String named = String.join(", ", failed.subList(0, Math.min(FAILED_KEYS_NAMED, failed.size())));
            String more = failed.size() > FAILED_KEYS_NAMED ? " and %d more".formatted(failed.size() - FAILED_KEYS_NAMED) : "";
            throw new StorageException("Cannot delete %d of %d object(s) in s3://%s: %s%s"
                    .formatted(failed.size(), all.size(), bucket, named, more), null);
        }
    }

    /**
     * A key ending in "/" names a folder, not data: the S3 console's "Create folder" leaves such
     * empty objects, and a filesystem-backed server (S3Proxy) lists every nested directory so.
     */
    private static boolean isFolderMarker(S3Object object) {
        return object.key().endsWith("/");
    }

    private void putMultipart(String bucket, String key, Path file, long size, String contentType) {
        long partSize = partSizeFor(size);
        ChecksumAlgorithm checksum = partChecksums ? ChecksumAlgorithm.CRC32 : null;
        String uploadId;
        try {
            uploadId = s3.createMultipartUpload(b -> b.bucket(bucket).key(key).contentType(contentType)
                    .checksumAlgorithm(checksum)).uploadId();
        } catch (SdkException e) {
            throw failure("Cannot start a multipart upload of " + file + " to", bucket, key, e);
        }
        try {
            List<CompletedPart> parts = new ArrayList<>();
            for (int number = 1; (long) (number - 1) * partSize < size; number++) {
                long offset = (number - 1) * partSize;
                long length = Math.min(partSize, size - offset);
                int partNumber = number;
                // A provider, not one stream: the SDK asks for a fresh stream of the part for each retry.
                RequestBody body = RequestBody.fromContentProvider(
                        ContentStreamProvider.fromInputStreamSupplier(() -> openRegion(file, offset, length)),
                        length,
                        contentType);
                UploadPartResponse uploaded = s3.uploadPart(
                        b -> b.bucket(bucket).key(key).uploadId(uploadId).partNumber(partNumber)
                                .checksumAlgorithm(checksum),
                        body);
                parts.add(CompletedPart.builder()
                        .partNumber(partNumber)
                        .eTag(uploaded.eTag())
                        .checksumCRC32(uploaded.checksumCRC32())
                        .build());
            }
            s3.completeMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId)
                    .multipartUpload(m -> m.parts(parts)));
        } catch (SdkException | UncheckedIOException e) {
            // Parts of an upload never completed are stored (and billed) until aborted.
            StorageException failure = failure("Cannot upload " + file + " in parts to", bucket, key, e);
            try {
                s3.abortMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId));
            } catch (SdkException abortFailure) {
                failure.addSuppressed(abortFailure);
            }
            throw failure;
        }
    }

    /** The configured part size, grown where needed so the file fits in {@link #MAX_PARTS} parts. */
    private long partSizeFor(long size) {
        long fitting = (size + MAX_PARTS - 1) / MAX_PARTS;
        return Math.max(settings.partSize(), fitting);
    }

    private static InputStream openRegion(Path file, long offset, long length) {
        try {
            FileChannel channel = FileChannel.open(file, StandardOpenOption.READ).position(offset);
            return new BoundedInputStream(Channels.newInputStream(channel), length);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read %s at offset %d".formatted(file, offset), e);
        }
    }

    private static boolean isNotFound(SdkException e) {
        if (e instanceof NoSuchKeyException) {
            return true;
        }
        // HEAD responses have no body, so a missing key or version is only a 404; GET names it.
        return e instanceof S3Exception s3e
                && (s3e.statusCode() == 404 && !isNoSuchBucket(s3e) || "NoSuchVersion".equals(errorCode(s3e)));
    }

    private static boolean isNoSuchBucket(S3Exception e) {
        return "NoSuchBucket".equals(errorCode(e));
    }

    private static String errorCode(S3Exception e) {
        return e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
    }

    private static StorageException failure(String action, String bucket, String key, Exception e) {
        String detail = e instanceof S3Exception s3e
                ? " (status %d, %s)".formatted(s3e.statusCode(), Optional.ofNullable(errorCode(s3e)).orElse("no error code"))
                : "";
        return new StorageException("%s s3://%s/%s%s".formatted(action, bucket, key, detail), e);
    }

    private static String unquote(String eTag) {
        if (eTag == null) {
            return "";
        }
        return eTag.length() >= 2 && eTag.startsWith("\"") && eTag.endsWith("\"")
                ? eTag.substring(1, eTag.length() - 1)
                : eTag;
    }

    /**
     * How files are uploaded.
     *
     * @param multipartThreshold files larger than this many bytes go up in parts
     * @param partSize bytes per part (the last may be smaller); at least 5 MiB, as S3 requires
     */
    public record Settings(long multipartThreshold, long partSize) {

        public static final long DEFAULT_MULTIPART_THRESHOLD = 64L * 1024 * 1024;
        public static final long DEFAULT_PART_SIZE = 16L * 1024 * 1024;
        public static final Settings DEFAULT = new Settings(DEFAULT_MULTIPART_THRESHOLD, DEFAULT_PART_SIZE);

        public Settings {
            if (partSize < MIN_PART_SIZE) {
                throw new IllegalArgumentException(
                        "partSize must be at least %d bytes (5 MiB): %d".formatted(MIN_PART_SIZE, partSize));
            }
            if (multipartThreshold < partSize) {
                throw new IllegalArgumentException("multipartThreshold (%d) must not be below partSize (%d)"
                        .formatted(multipartThreshold, partSize));
            }
        }
    }

    /** Reads at most {@code remaining} bytes of the stream it wraps. */
    private static final class BoundedInputStream extends FilterInputStream {
        private long remaining;

        BoundedInputStream(InputStream in, long limit) {
            super(in);
            this.remaining = limit;
        }

        @Override
        public int read() throws IOException {
            if (remaining <= 0) {
                return -1;
            }
            int b = super.read();
            if (b >= 0) {
                remaining--;
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            if (remaining <= 0) {
                return -1;
            }
            int n = super.read(buffer, offset, (int) Math.min(length, remaining));
            if (n > 0) {
                remaining -= n;
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long skipped = super.skip(Math.min(n, remaining));
            remaining -= skipped;
            return skipped;
        }

        @Override
        public int available() throws IOException {
            return (int) Math.min(super.available(), remaining);
        }

        @Override
        public boolean markSupported() {
            return false;
        }
    }
}
