package io.tarn.aws;

import static java.util.Objects.requireNonNull;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.awscore.client.builder.AwsSyncClientBuilder;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Builds the SDK clients from {@link AwsSettings}: one HTTP client kind (URL connection, the
 * lightest for a Lambda cold start), one retry policy, one way to reach a local server.
 *
 * <p>A further service is one call: {@code build(DynamoDbClient.builder())}, {@code
 * build(GlueClient.builder())}. Only S3 has a method of its own, for its addressing and checksum
 * settings; naming no other service here keeps a jar that leaves a service's SDK module out (the
 * Glue job leaves Glue and Athena out) free of references to it.
 */
public final class AwsClients {

    /**
     * Attempts per call, the first included. S3 answers {@code 503 SlowDown} when a prefix is
     * written faster than it scales, and Glue, Athena and DynamoDB throttle likewise; the standard
     * retry mode retries those (throttling codes and 500/502/503/504) with jittered exponential
     * backoff, but its default of 3 attempts gives up during a burst of many parallel writers.
     */
    public static final int MAX_ATTEMPTS = 6;

    private final AwsSettings settings;

    public AwsClients(AwsSettings settings) {
        this.settings = requireNonNull(settings, "settings is null");
    }

    /**
     * An S3 client. Against an endpoint override it uses path-style addressing (local servers
     * have no per-bucket DNS names) and computes and checks checksums only where S3 requires them:
     * the SDK's default (since 2.30) sends CRC32 trailers in aws-chunked bodies that S3Proxy and
     * similar servers do not understand.
     */
    public S3Client s3() {
        var builder = S3Client.builder();
        if (settings.endpointOverride().isPresent()) {
            builder.forcePathStyle(true)
                    .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                    .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
        }
        return build(builder);
    }

    /** Applies region, endpoint, credentials, HTTP client and retries to any sync client builder. */
    public <B extends AwsClientBuilder<B, C> & AwsSyncClientBuilder<B, C>, C> C build(B builder) {
        requireNonNull(builder, "builder is null");
        builder.region(Region.of(settings.region()))
                .credentialsProvider(credentialsProvider())
                .overrideConfiguration(ClientOverrideConfiguration.builder()
                        .retryStrategy(AwsRetryStrategy.standardRetryStrategy().toBuilder()
                                .maxAttempts(MAX_ATTEMPTS)
                                .build())
                        .build());
        builder.httpClientBuilder(UrlConnectionHttpClient.builder());
        settings.endpointOverride().ifPresent(builder::endpointOverride);
        return builder.build();
    }

    private AwsCredentialsProvider credentialsProvider() {
        return settings.credentials()
                .<AwsCredentialsProvider>map(c -> StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(c.accessKeyId(), c.secretAccessKey())))
                .orElseGet(() -> DefaultCredentialsProvider.builder().build());
    }
}
