package io.tarn.aws.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tarn.state.LedgerEntry;
import io.tarn.state.StateStoreException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemResponse;

/** {@link DynamoDbStateStore}'s exact requests, which moto accepts without showing them. */
class DynamoDbStateStoreRequestsTest {

    private final RecordingDynamoDbClient dynamoDb = new RecordingDynamoDbClient();
    private final DynamoDbStateStore store = new DynamoDbStateStore(dynamoDb, "tarn-state");

    @Test
    void recordsWithAConditionalPutOfEveryField() {
        store.recordProcessed(new LedgerEntry(
                "raw/a.csv#v1", "mysql-shop", "orders", "manifests/a.json", 10, 8, 2,
                Instant.parse("2025-03-14T09:26:53Z")));

        PutItemRequest put = dynamoDb.puts.get(0);
        assertThat(put.tableName()).isEqualTo("tarn-state");
        assertThat(put.conditionExpression()).isEqualTo("attribute_not_exists(pk)");
        assertThat(put.item()).isEqualTo(Map.of(
                "pk", AttributeValue.fromS("object#raw/a.csv#v1"),
                "objectId", AttributeValue.fromS("raw/a.csv#v1"),
                "source", AttributeValue.fromS("mysql-shop"),
                "dataset", AttributeValue.fromS("orders"),
                "manifestKey", AttributeValue.fromS("manifests/a.json"),
                "rowsRead", AttributeValue.fromN("10"),
                "rowsWritten", AttributeValue.fromN("8"),
                "rowsQuarantined", AttributeValue.fromN("2"),
                "processedAt", AttributeValue.fromS("2025-03-14T09:26:53Z")));
    }

    @Test
    void readsWithAStronglyConsistentGetOfTheObjectKey() {
        store.findProcessed("raw/a.csv#v1");

        GetItemRequest get = dynamoDb.gets.get(0);
        assertThat(get.tableName()).isEqualTo("tarn-state");
        assertThat(get.key()).isEqualTo(Map.of("pk", AttributeValue.fromS("object#raw/a.csv#v1")));
        assertThat(get.consistentRead()).isTrue();
    }

    @Test
    void itemMissingAnAttributeFailsNamingObjectTableAndAttribute() {
        dynamoDb.item = Map.of(
                "pk", AttributeValue.fromS("object#raw/a.csv#v1"),
                "objectId", AttributeValue.fromS("raw/a.csv#v1"),
                "processedAt", AttributeValue.fromS("2025-03-14T09:26:53Z"));

        assertThatThrownBy(() -> store.findProcessed("raw/a.csv#v1"))
                .isInstanceOf(StateStoreException.class)
                .hasMessage("Ledger entry of object raw/a.csv#v1 in table tarn-state lacks the string attribute source");
    }

    private static final class RecordingDynamoDbClient implements DynamoDbClient {
        final List<PutItemRequest> puts = new ArrayList<>();
        final List<GetItemRequest> gets = new ArrayList<>();
        Map<String, AttributeValue> item;

        @Override
        public PutItemResponse putItem(PutItemRequest request) {
            puts.add(request);
            return PutItemResponse.builder().build();
        }

        @Override
        public GetItemResponse getItem(GetItemRequest request) {
            gets.add(request);
            return GetItemResponse.builder().item(item).build();
        }

        @Override
        public String serviceName() {
            return SERVICE_NAME;
        }

        @Override
        public void close() {}
    }
}
