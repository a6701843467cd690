package io.tarn.aws.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tarn.aws.AwsSettings;
import io.tarn.embedded.EmbeddedS3;
import io.tarn.storage.ObjectInfo;
import io.tarn.storage.ObjectNotFoundException;
import io.tarn.storage.StorageException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;

class S3ObjectStoreTest {

    private static final String BUCKET = "raw";
    private static final long MIB = 1024 * 1024;

    @TempDir
    static Path root;

    private static EmbeddedS3 server;
    private static S3Client client;
    private static S3ObjectStore store;

    @BeforeAll
    static void startServer() {
        server = EmbeddedS3.start(root.resolve("s3"));
        server.createBucket(BUCKET);
        client = S3Clients.create(AwsSettings.local(
                        server.endpoint(), server.region(), server.accessKey(), server.secretKey()));
        store = new S3ObjectStore(client);
    }

    @AfterAll
    static void stopServer() {
        client.close();
        server.close();
    }

    @Test
    void bytesPutAreHeadedOpenedAndListed() throws IOException {
        Instant before = Instant.now().minus(Duration.ofMinutes(1));
        byte[] csv = "id,amount\n1,9.50\n".getBytes(StandardCharsets.UTF_8);

        store.put(BUCKET, "roundtrip/orders.csv", csv, "text/csv");

        ObjectInfo info = store.head(BUCKET, "roundtrip/orders.csv").orElseThrow();
        assertThat(info.bucket()).isEqualTo(BUCKET);
        assertThat(info.key()).isEqualTo("roundtrip/orders.csv");
        assertThat(info.size()).isEqualTo(csv.length);
        assertThat(info.eTag()).isEqualTo(md5Hex(csv)).doesNotContain("\"");
        assertThat(info.versionId()).isEmpty();
        assertThat(info.lastModified()).isAfter(before);
        try (InputStream in = store.open(BUCKET, "roundtrip/orders.csv", Optional.empty())) {
            assertThat(in.readAllBytes()).isEqualTo(csv);
        }
        assertThat(store.list(BUCKET, "roundtrip/")).containsExactly("roundtrip/orders.csv");
    }

    @Test
    void keysWithSpacesPlusEqualsAndPercentRoundTrip() throws IOException {
        String key = "odd/account_id=a b+c%2F=d/part 1+%41.csv";
        byte[] bytes = "x\n".getBytes(StandardCharsets.UTF_8);

        store.put(BUCKET, key, bytes, "text/csv");

        assertThat(store.head(BUCKET, key)).get().extracting(ObjectInfo::key, ObjectInfo::size)
                .containsExactly(key, 2L);
        try (InputStream in = store.open(BUCKET, key, Optional.empty())) {
            assertThat(in.readAllBytes()).isEqualTo(bytes);
        }
        assertThat(store.list(BUCKET, "odd/")).containsExactly(key);
        assertThat(server.fileOf(BUCKET, key)).hasBinaryContent(bytes);
    }

    @Test
    void listReturnsKeysUnderThePrefixInOrderAcrossPages() {
        for (int i = 0; i < 1_005; i++) {
            store.put(BUCKET, "many/%04d.csv".formatted(i), new byte[] {(byte) i}, "text/csv");
        }
        store.put(BUCKET, "many-not/0.csv", new byte[] {1}, "text/csv");

        assertThat(store.list(BUCKET, "many/"))
                .hasSize(1_005)
                .isSorted()
                .startsWith("many/0000.csv")
                .endsWith("many/1004.csv");
    }

    @Test
    void aSmallFileGoesUpInOnePut() throws IOException {
        Path file = root.resolve("small.csv");
        Files.writeString(file, "id\n1\n2\n");

        store.put(BUCKET, "files/small.csv", file, "text/csv");

        ObjectInfo info = store.head(BUCKET, "files/small.csv").orElseThrow();
        assertThat(info.eTag()).isEqualTo(md5Hex(Files.readAllBytes(file)));
        assertThat(server.fileOf(BUCKET, "files/small.csv")).hasSameBinaryContentAs(file);
    }

    @Test
    void aFileAboveTheThresholdGoesUpInPartsAndReadsBackIdentical() throws IOException {
        Path file = randomFile(root.resolve("big.bin"), 70 * MIB);

        store.put(BUCKET, "files/big.bin", file, "application/octet-stream");

        ObjectInfo info = store.head(BUCKET, "files/big.bin").orElseThrow();
        assertThat(info.size()).isEqualTo(70 * MIB);
        // A multipart ETag is the MD5 of the parts' MD5s and the part count: 70 MiB in 16 MiB parts is 5.
        assertThat(info.eTag()).endsWith("-5");
        try (InputStream in = store.open(BUCKET, "files/big.bin", Optional.empty())) {
            assertThat(sha256(in)).isEqualTo(sha256(file));
        }
        assertThat(client.listMultipartUploads(b -> b.bucket(BUCKET)).uploads()).isEmpty();
    }

    @Test
    void aMissingObjectHasNoHeadAndCannotBeOpened() {
        assertThat(store.head(BUCKET, "missing/nothing.csv")).isEmpty();

        assertThatThrownBy(() -> store.open(BUCKET, "missing/nothing.csv", Optional.empty()))
                .isInstanceOf(ObjectNotFoundException.class)
                .hasMessage("Object s3://raw/missing/nothing.csv does not exist");
    }

    @Test
    void aMissingBucketIsAStorageErrorNamingTheLocation() {
        assertThatThrownBy(() -> store.open("no-such-bucket", "a/b.csv", Optional.empty()))
                .isInstanceOf(StorageException.class)
                .isNotInstanceOf(ObjectNotFoundException.class)
                .hasMessage("Cannot read s3://no-such-bucket/a/b.csv (status 404, NoSuchBucket)")
                .hasCauseInstanceOf(S3Exception.class);
        assertThatThrownBy(() -> store.list("no-such-bucket", "a/"))
                .isInstanceOf(StorageException.class)
                .hasMessage("Cannot list s3://no-such-bucket/a/ (status 404, NoSuchBucket)");
    }

    @Test
    void deleteRemovesTheKeysAcrossBatchesAndTakesMissingOnesAsDeleted() {
        for (int i = 0; i < 1_005; i++) {
            store.put(BUCKET, "gone/%04d.csv".formatted(i), new byte[] {(byte) i}, "text/csv");
        }
        store.put(BUCKET, "gone-not/0.csv", new byte[] {1}, "text/csv");
        List<String> keys = new ArrayList<>(store.list(BUCKET, "gone/"));
        keys.remove("gone/0007.csv");
        keys.add("gone/never-written.csv");

        store.delete(BUCKET, keys);

        assertThat(store.list(BUCKET, "gone")).containsExactly("gone-not/0.csv", "gone/0007.csv");
        store.delete(BUCKET, keys); // a retry: every key is gone already
        store.delete(BUCKET, List.of());
        assertThat(store.list(BUCKET, "gone")).containsExactly("gone-not/0.csv", "gone/0007.csv");
    }

    @Test
    void deletingFromAMissingBucketIsAStorageErrorNamingTheLocation() {
        assertThatThrownBy(() -> store.delete("no-such-bucket", List.of("a/b.csv", "a/c.csv")))
                .isInstanceOf(StorageException.class)
                .hasMessage("Cannot delete 2 object(s) starting with s3://no-such-bucket/a/b.csv (status 404, NoSuchBucket)")
                .hasCauseInstanceOf(S3Exception.class);
    }

    @Test
    void partSettingsBelowTheS3MinimumAreRefused() {
        assertThatThrownBy(() -> new S3ObjectStore.Settings(64 * MIB, MIB))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("partSize must be at least 5242880 bytes (5 MiB): 1048576");
    }

    static Path randomFile(Path file, long size) throws IOException {
        Random random = new Random(42);
        byte[] block = new byte[(int) MIB];
        try (OutputStream out = Files.newOutputStream(file)) {
            for (long written = 0; written < size; written += block.length) {
                random.nextBytes(block);
                out.write(block, 0, (int) Math.min(block.length, size - written));
            }
        }
        return file;
    }

    static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return sha256(in);
        }
    }

    static String sha256(InputStream in) throws IOException {
        MessageDigest digest = digest("SHA-256");
        try (DigestInputStream digesting = new DigestInputStream(in, digest)) {
            digesting.transferTo(OutputStream.nullOutputStream());
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    static String md5Hex(byte[] bytes) {
        return HexFormat.of().formatHex(digest("MD5").digest(bytes));
    }

    private static MessageDigest digest(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(algorithm + " is missing from the JDK", e);
        }
    }
}
