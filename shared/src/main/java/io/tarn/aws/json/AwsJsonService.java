package io.tarn.aws.json;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import software.amazon.awssdk.regions.PartitionMetadata;
import software.amazon.awssdk.regions.Region;

/**
 * What tells one AWS JSON 1.1 API from another for {@link AwsJsonClient}: the name errors start
 * with, the SigV4 signing name, the {@code X-Amz-Target} prefix and the endpoint's host prefix.
 *
 * @param name the service as messages name it, e.g. {@code Glue}
 * @param signingName the SigV4 service name, e.g. {@code glue}
 * @param targetPrefix prepended to the operation in {@code X-Amz-Target}, e.g. {@code AWSGlue.}
 * @param endpointPrefix the first label of the regional host name, e.g. {@code glue}
 */
public record AwsJsonService(String name, String signingName, String targetPrefix, String endpointPrefix) {

    public AwsJsonService {
        requireNonNull(name, "name is null");
        requireNonNull(signingName, "signingName is null");
        requireNonNull(targetPrefix, "targetPrefix is null");
        requireNonNull(endpointPrefix, "endpointPrefix is null");
    }

    /** The service's public endpoint in a region, e.g. {@code https://glue.eu-west-1.amazonaws.com/}. */
    public URI endpoint(String region) {
        requireNonNull(region, "region is null");
        // The partition's DNS suffix: amazonaws.com, or amazonaws.com.cn in the China regions.
        String suffix = PartitionMetadata.of(Region.of(region)).dnsSuffix();
        return URI.create("https://" + endpointPrefix + "." + region + "." + suffix + "/");
    }
}
