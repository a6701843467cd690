package io.tarn.aws.dynamodb;

import io.tarn.embedded.MotoServer;
import java.util.UUID;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** Moto's DynamoDB for the adapters' tests: one client per JVM, a fresh state table per test. */
final class MotoStateTable {

    static final DynamoDbClient DYNAMO_DB = MotoServer.shared().client(DynamoDbClient.builder());

    private MotoStateTable() {}

    /** A new, empty, active state table. */
    static StateTable fresh() {
        String name = "tarn-state-" + UUID.randomUUID();
        StateTable.create(DYNAMO_DB, name);
        return new StateTable(DYNAMO_DB, name);
    }
}
