package io.tarn.ingest;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;

/**
 * A raw object version an event announced. The key is already URL-decoded.
 *
 * @param versionId present when the raw bucket is versioned (the template turns versioning on)
 * @param eTag the content hash the event saw, used as identity when there is no version
 */
public record RawObjectRef(String bucket, String key, Optional<String> versionId, Optional<String> eTag) {

    public RawObjectRef {
        requireNonNull(bucket, "bucket is null");
        requireNonNull(key, "key is null");
        requireNonNull(versionId, "versionId is null");
        requireNonNull(eTag, "eTag is null");
        eTag = eTag.map(RawObjectRef::unquote);
        versionId = versionId.filter(v -> !v.isEmpty() && !v.equals("null"));
    }

    public static RawObjectRef of(String bucket, String key) {
        return new RawObjectRef(bucket, key, Optional.empty(), Optional.empty());
    }

    public String uri() {
        return "s3://" + bucket + "/" + key;
    }

    /**
     * Stable identity of one object version: every name Tarn derives from this object (output
     * files, quarantine, manifest, ledger entry) starts from it, so a replay lands on the same
     * names. {@code revision} is the version id or, in an unversioned bucket, the ETag.
     */
    public static String objectId(String bucket, String key, String revision) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(bucket.getBytes(StandardCharsets.UTF_8));
            sha.update((byte) 0);
            sha.update(key.getBytes(StandardCharsets.UTF_8));
            sha.update((byte) 0);
            sha.update(revision.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(sha.digest(), 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JRE", e);
        }
    }

    private static String unquote(String eTag) {
        return eTag.length() >= 2 && eTag.startsWith("\"") && eTag.endsWith("\"")
                ? eTag.substring(1, eTag.length() - 1) : eTag;
    }
}
