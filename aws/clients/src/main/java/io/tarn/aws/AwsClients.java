package io.tarn.aws;

import static java.util.Objects.requireNonNull;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.awscore.client.builder.AwsSyncClientBuilder;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;

/**
 * Builds the SDK clients from {@link AwsSettings}: one HTTP client kind (URL connection, the
 * lightest for a Lambda cold start), one retry policy, one way to reach a local server.
 *
 * <p>A service is one call: {@code build(DynamoDbClient.builder())}, {@code
 * build(GlueClient.builder())} (S3 adds its addressing and checksum settings in {@code
 * S3Clients}). This module names no service, so a function takes only the SDK modules of the
 * adapters it depends on.
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

    public AwsSettings settings() {
        return settings;
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
