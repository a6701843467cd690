package io.tarn.aws.s3;

import static java.util.Objects.requireNonNull;

import io.tarn.aws.AwsClients;
import io.tarn.aws.AwsSettings;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.services.s3.S3Client;

/** S3 clients as {@link AwsClients} builds every client, plus what S3 needs against a local server. */
public final class S3Clients {

    private S3Clients() {}

    /**
     * An S3 client. Against an endpoint override it uses path-style addressing (local servers
     * have no per-bucket DNS names) and computes and checks checksums only where S3 requires them:
     * the SDK's default (since 2.30) sends CRC32 trailers in aws-chunked bodies that S3Proxy and
     * similar servers do not understand.
     */
    public static S3Client create(AwsSettings settings) {
        requireNonNull(settings, "settings is null");
        var builder = S3Client.builder();
        if (settings.endpointOverride().isPresent()) {
            builder.forcePathStyle(true)
                    .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                    .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
        }
        return new AwsClients(settings).build(builder);
    }
}
