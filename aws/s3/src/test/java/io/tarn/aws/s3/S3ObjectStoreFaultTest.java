package io.tarn.aws.s3;

import static io.tarn.aws.s3.S3ObjectStoreTest.randomFile;
import static io.tarn.aws.s3.S3ObjectStoreTest.sha256;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tarn.aws.AwsClients;
import io.tarn.aws.AwsSettings;
import io.tarn.embedded.EmbeddedS3;
import io.tarn.embedded.FaultInjectingProxy.Request;
import io.tarn.embedded.FaultInjectingProxy;
import io.tarn.storage.ObjectInfo;
import io.tarn.storage.StorageException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;

/** S3 throttles with 503 SlowDown; the client's retries must carry every operation through. */
class S3ObjectStoreFaultTest {

    private static final String BUCKET = "raw";
    private static final long MIB = 1024 * 1024;

    @TempDir
    Path root;

    private EmbeddedS3 server;
    private FaultInjectingProxy proxy;
    private S3Client client;

    @BeforeEach
    void start() {
        server = EmbeddedS3.builder(root.resolve("s3")).withoutAuthorization().start();
        server.createBucket(BUCKET);
        proxy = FaultInjectingProxy.start(server.endpoint());
        client = S3Clients.create(AwsSettings.local(proxy.endpoint(), server.region(), "any", "any"));
    }

    @AfterEach
    void stop() {
        client.close();
        proxy.close();
        server.close();
    }

    @Test
    void throttledPutsAndGetsAreRetriedUntilTheyComplete() throws IOException {
        proxy.failFirst(2, r -> r.is("PUT")).failFirst(1, r -> r.is("GET"));
        S3ObjectStore store = new S3ObjectStore(client);
        byte[] csv = "id,amount\n1,9.50\n2,3.25\n".getBytes(StandardCharsets.UTF_8);

        store.put(BUCKET, "orders/a b+c.csv", csv, "text/csv");
        ObjectInfo info = store.head(BUCKET, "orders/a b+c.csv").orElseThrow();
        byte[] read;
        try (InputStream in = store.open(BUCKET, "orders/a b+c.csv", Optional.empty())) {
            read = in.readAllBytes();
        }

        assertThat(read).isEqualTo(csv);
        assertThat(info.size()).isEqualTo(csv.length);
        assertThat(info.eTag()).isEqualTo(S3ObjectStoreTest.md5Hex(csv));
        assertThat(server.fileOf(BUCKET, "orders/a b+c.csv")).hasBinaryContent(csv);
        assertThat(proxy.failedRequests()).extracting(Request::method).containsExactly("PUT", "PUT", "GET");
        assertThat(proxy.failedRequests()).extracting(Request::path).containsOnly("/raw/orders/a%20b%2Bc.csv");
        assertThat(proxy.requests()).extracting(Request::method).containsExactly("PUT", "PUT", "PUT", "HEAD", "GET", "GET");
    }

    @Test
    void aThrottledPartIsSentAgainInFull() throws IOException {
        proxy.failFirst(2, r -> r.is("PUT") && r.query() != null && r.query().contains("partNumber=2"));
        S3ObjectStore store = new S3ObjectStore(client, new S3ObjectStore.Settings(5 * MIB, 5 * MIB));
        Path file = randomFile(root.resolve("parts.bin"), 12 * MIB);

        store.put(BUCKET, "big/parts.bin", file, "application/octet-stream");

        assertThat(proxy.failuresInjected()).isEqualTo(2);
        assertThat(store.head(BUCKET, "big/parts.bin")).get().extracting(ObjectInfo::size, ObjectInfo::eTag)
                .satisfiesExactly(
                        size -> assertThat(size).isEqualTo(12 * MIB),
                        eTag -> assertThat((String) eTag).endsWith("-3"));
        try (InputStream in = store.open(BUCKET, "big/parts.bin", Optional.empty())) {
            assertThat(sha256(in)).isEqualTo(sha256(file));
        }
    }

    @Test
    void throttlingBeyondTheRetriesFailsNamingTheObjectAndAbortsTheUpload() throws IOException {
        proxy.failFirst(AwsClients.MAX_ATTEMPTS, r -> r.is("PUT") && r.query() != null && r.query().contains("partNumber=1"));
        S3ObjectStore store = new S3ObjectStore(client, new S3ObjectStore.Settings(5 * MIB, 5 * MIB));
        Path file = randomFile(root.resolve("doomed.bin"), 6 * MIB);

        assertThatThrownBy(() -> store.put(BUCKET, "big/doomed.bin", file, "application/octet-stream"))
                .isInstanceOf(StorageException.class)
                .hasMessage("Cannot upload %s in parts to s3://raw/big/doomed.bin (status 503, SlowDown)", file)
                .hasCauseInstanceOf(S3Exception.class);

        assertThat(proxy.failuresInjected()).isEqualTo(AwsClients.MAX_ATTEMPTS);
        assertThat(proxy.requests()).extracting(Request::method).endsWith("DELETE");
        assertThat(client.listMultipartUploads(b -> b.bucket(BUCKET)).uploads()).isEmpty();
        assertThat(store.head(BUCKET, "big/doomed.bin")).isEmpty();
    }
}
