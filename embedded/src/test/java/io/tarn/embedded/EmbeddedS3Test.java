package io.tarn.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;

class EmbeddedS3Test {

    @TempDir
    Path root;

    @Test
    void objectPutThroughTheSdkIsAPlainFileUnderBucketAndKey() throws IOException {
        try (EmbeddedS3 s3 = EmbeddedS3.start(root);
                S3Client client = client(s3, s3.secretKey())) {
            s3.createBucket("raw");

            client.putObject(b -> b.bucket("raw").key("orders/2024/part 1.csv"),
                    RequestBody.fromString("id,amount\n1,9.50\n"));

            Path file = root.resolve("raw").resolve("orders").resolve("2024").resolve("part 1.csv");
            assertThat(s3.fileOf("raw", "orders/2024/part 1.csv")).isEqualTo(file);
            assertThat(file).isRegularFile();
            assertThat(Files.readString(file, StandardCharsets.UTF_8)).isEqualTo("id,amount\n1,9.50\n");
        }
    }

    @Test
    void createBucketIsIdempotentAndMakesAFolder() {
        try (EmbeddedS3 s3 = EmbeddedS3.start(root);
                S3Client client = client(s3, s3.secretKey())) {
            s3.createBucket("staging");
            s3.createBucket("staging");

            assertThat(root.resolve("staging")).isDirectory();
            assertThat(client.listBuckets().buckets()).extracting(b -> b.name()).containsExactly("staging");
        }
    }

    @Test
    void requestsSignedWithAnotherSecretAreRefused() {
        try (EmbeddedS3 s3 = EmbeddedS3.start(root);
                S3Client client = client(s3, "not-the-secret")) {
            s3.createBucket("raw");

            assertThatThrownBy(() -> client.headBucket(b -> b.bucket("raw")))
                    .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.statusCode()).isEqualTo(403));
        }
    }

    @Test
    void listensOnTheGivenPort() throws IOException {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        try (EmbeddedS3 s3 = EmbeddedS3.builder(root).port(port).start()) {
            assertThat(s3.port()).isEqualTo(port);
            assertThat(s3.endpoint()).hasToString("http://127.0.0.1:" + port);
        }
    }

    @Test
    void aPortInUseFailsNamingThePort() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();

            assertThatThrownBy(() -> EmbeddedS3.builder(root).port(port).start())
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("Cannot start the embedded S3 server: port %d on 127.0.0.1 is already in use", port);
        }
    }

    private static S3Client client(EmbeddedS3 s3, String secretKey) {
        return S3Client.builder()
                .endpointOverride(s3.endpoint())
                .region(Region.of(s3.region()))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(s3.accessKey(), secretKey)))
                .forcePathStyle(true)
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .httpClient(UrlConnectionHttpClient.create())
                .build();
    }
}
