package io.tarn.aws;

import java.net.URI;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.awscore.client.builder.AwsSyncClientBuilder;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.athena.AthenaClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.glue.GlueClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/** Real clients pointed at a local endpoint (moto's server), as the adapters get them in AWS. */
public final class AwsTestClients {

    public static final Region REGION = Region.US_EAST_1;

    private AwsTestClients() {}

    /** A Glue client built as the functions build theirs ({@link AwsClients}), with the local endpoint and test keys. */
    public static GlueClient glue(URI endpoint) {
        return new AwsClients(AwsSettings.local(endpoint, REGION.id(), "test", "test")).build(GlueClient.builder());
    }

    /** An Athena client built as the functions build theirs, with the local endpoint and test keys. */
    public static AthenaClient athena(URI endpoint) {
        return new AwsClients(AwsSettings.local(endpoint, REGION.id(), "test", "test")).build(AthenaClient.builder());
    }

    public static DynamoDbClient dynamoDb(URI endpoint) {
        return local(DynamoDbClient.builder(), endpoint);
    }

    public static SecretsManagerClient secretsManager(URI endpoint) {
        return local(SecretsManagerClient.builder(), endpoint);
    }

    private static <B extends AwsClientBuilder<B, C> & AwsSyncClientBuilder<B, C>, C> C local(B builder, URI endpoint) {
        return builder
                .endpointOverride(endpoint)
                .region(REGION)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .build();
    }
}
