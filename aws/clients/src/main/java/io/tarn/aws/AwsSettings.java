package io.tarn.aws;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.util.Optional;

/**
 * Where and as whom the AWS clients connect.
 *
 * <p>In AWS only the region is set and credentials come from the default chain (the Lambda
 * role). Locally an endpoint override points the clients at an embedded server or moto, with
 * static credentials.
 *
 * @param region the signing region, e.g. {@code eu-west-1}
 * @param endpointOverride the base URI of an S3-compatible or moto server, instead of AWS
 * @param credentials fixed credentials, instead of the default provider chain
 */
public record AwsSettings(String region, Optional<URI> endpointOverride, Optional<StaticCredentials> credentials) {

    public AwsSettings {
        requireNonNull(region, "region is null");
        requireNonNull(endpointOverride, "endpointOverride is null");
        requireNonNull(credentials, "credentials is null");
        if (region.isBlank()) {
            throw new IllegalArgumentException("region is blank");
        }
    }

    /** Real AWS in a region, with the default credentials chain. */
    public static AwsSettings aws(String region) {
        return new AwsSettings(region, Optional.empty(), Optional.empty());
    }

    /** A local server at {@code endpoint}, with fixed credentials. */
    public static AwsSettings local(URI endpoint, String region, String accessKeyId, String secretAccessKey) {
        return new AwsSettings(
                region, Optional.of(endpoint), Optional.of(new StaticCredentials(accessKeyId, secretAccessKey)));
    }

    /** An access key pair. {@link #toString()} does not show the secret. */
    public record StaticCredentials(String accessKeyId, String secretAccessKey) {

        public StaticCredentials {
            requireNonNull(accessKeyId, "accessKeyId is null");
            requireNonNull(secretAccessKey, "secretAccessKey is null");
        }

        @Override
        public String toString() {
            return "StaticCredentials[accessKeyId=" + accessKeyId + ", secretAccessKey=****]";
        }
    }
}
