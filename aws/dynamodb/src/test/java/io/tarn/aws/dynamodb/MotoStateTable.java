package io.tarn.aws.dynamodb;

import io.tarn.aws.AwsClients;
import io.tarn.aws.AwsSettings;
import io.tarn.embedded.MotoServer;
import java.util.UUID;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** Moto's DynamoDB for the adapters' tests: one client per JVM, a fresh state table per test. */
final class MotoStateTable {

    static final DynamoDbClient DYNAMO_DB = new AwsClients(
            AwsSettings.local(MotoServer.shared().endpoint(), "us-east-1", "test", "test")).build(DynamoDbClient.builder());

    private MotoStateTable() {}

    /** A new, empty, active state table. */
    static StateTable fresh() {
        String name = "tarn-state-" + UUID.randomUUID();
        StateTable.create(DYNAMO_DB, name);
        return new StateTable(DYNAMO_DB, name);
    }
}
