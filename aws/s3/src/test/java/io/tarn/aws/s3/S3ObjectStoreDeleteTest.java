package io.tarn.aws.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tarn.storage.StorageException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ServiceClientConfiguration;
import software.amazon.awssdk.services.s3.model.DeleteObjectsRequest;
import software.amazon.awssdk.services.s3.model.DeleteObjectsResponse;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.S3Error;

/**
 * What {@link S3ObjectStore#delete} asks of S3 and how it reads the answer. Neither the embedded
 * server nor moto reports a key it failed to delete inside a successful DeleteObjects answer (S3
 * does, for a denied or locked key), so a fake client answers here, and the requests are checked.
 */
class S3ObjectStoreDeleteTest {

    @Test
    void keysGoInQuietRequestsOfAtMostAThousand() {
        RecordingClient client = new RecordingClient(Set.of());
        List<String> keys = keys(2_345);

        new S3ObjectStore(client).delete("staging", keys);

        assertThat(client.requests).extracting(DeleteObjectsRequest::bucket).containsOnly("staging");
        assertThat(client.requests).allSatisfy(request -> assertThat(request.delete().quiet()).isTrue());
        assertThat(client.requests).extracting(request -> request.delete().objects().size()).containsExactly(1000, 1000, 345);
        assertThat(client.requests.stream().flatMap(request -> request.delete().objects().stream())
                .map(ObjectIdentifier::key).toList()).isEqualTo(keys);
    }

    @Test
    void keysS3CouldNotDeleteFailTheCallNamingThemAfterEveryBatchWasSent() {
        RecordingClient client = new RecordingClient(Set.of("t/0003.parquet", "t/1500.parquet"));

        assertThatThrownBy(() -> new S3ObjectStore(client).delete("staging", keys(2_000)))
                .isInstanceOf(StorageException.class)
                .hasMessage("Cannot delete 2 of 2000 object(s) in s3://staging: t/0003.parquet (AccessDenied: Access Denied),"
                        + " t/1500.parquet (AccessDenied: Access Denied)");
        assertThat(client.requests).hasSize(2);
    }

    @Test
    void aLongListOfFailedKeysIsCutInTheMessage() {
        List<String> keys = keys(25);
        RecordingClient client = new RecordingClient(Set.copyOf(keys));

        assertThatThrownBy(() -> new S3ObjectStore(client).delete("staging", keys))
                .isInstanceOf(StorageException.class)
                .hasMessageStartingWith("Cannot delete 25 of 25 object(s) in s3://staging: t/0000.parquet (AccessDenied: Access Denied),")
                .hasMessageEndingWith("t/0009.parquet (AccessDenied: Access Denied) and 15 more");
    }

    private static List<String> keys(int count) {
        return IntStream.range(0, count).mapToObj(i -> "t/%04d.parquet".formatted(i)).toList();
    }

    /** Answers DeleteObjects as S3 does: 200, with an error entry for each key it could not delete. */
    private static final class RecordingClient implements S3Client {
        private final Set<String> denied;
        final List<DeleteObjectsRequest> requests = new ArrayList<>();

        RecordingClient(Set<String> denied) {
            this.denied = denied;
        }

        @Override
        public DeleteObjectsResponse deleteObjects(DeleteObjectsRequest request) {
            requests.add(request);
            List<S3Error> errors = request.delete().objects().stream()
                    .map(ObjectIdentifier::key)
                    .filter(denied::contains)
                    .map(key -> S3Error.builder().key(key).code("AccessDenied").message("Access Denied").build())
                    .toList();
            return DeleteObjectsResponse.builder().errors(errors).build();
        }

        @Override
        public S3ServiceClientConfiguration serviceClientConfiguration() {
            return S3ServiceClientConfiguration.builder().build();
        }

        @Override
        public String serviceName() {
            return SERVICE_NAME;
        }

        @Override
        public void close() {}
    }
}
