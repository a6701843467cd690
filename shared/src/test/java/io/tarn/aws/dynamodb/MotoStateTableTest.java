package io.tarn.aws.dynamodb;

import io.tarn.aws.AwsTestClients;
import io.tarn.embedded.MotoServer;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** Tests of {@link DynamoDbStateStore} against moto's DynamoDB: a fresh state table for each test. */
abstract class MotoStateTableTest {

    static DynamoDbClient dynamoDb;

    String table;
    DynamoDbStateStore store;

    @BeforeAll
    static void startMoto() {
        dynamoDb = AwsTestClients.dynamoDb(MotoServer.shared().endpoint());
    }

    @AfterAll
    static void closeClient() {
        dynamoDb.close();
    }

    @BeforeEach
    void freshTable() {
        table = "tarn-state-" + UUID.randomUUID();
        DynamoDbStateStore.createTable(dynamoDb, table);
        store = new DynamoDbStateStore(dynamoDb, table);
    }
}
