package io.tarn.aws.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tarn.state.LedgerEntry;
import io.tarn.state.StateStoreException;
import io.tarn.state.Watermark;
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
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemResponse;

/** The state table adapters' exact requests, which moto accepts without showing them. */
class StateTableRequestsTest {

    private final RecordingDynamoDbClient dynamoDb = new RecordingDynamoDbClient();
    private final StateTable table = new StateTable(dynamoDb, "tarn-state");
    private final DynamoDbLedger ledger = new DynamoDbLedger(table);
    private final DynamoDbWatermarks watermarks = new DynamoDbWatermarks(table);
    private final DynamoDbSchemaFingerprints fingerprints = new DynamoDbSchemaFingerprints(table);

    @Test
    void recordsWithAConditionalPutOfEveryField() {
        ledger.recordProcessed(new LedgerEntry(
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
        ledger.findProcessed("raw/a.csv#v1");

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

        assertThatThrownBy(() -> ledger.findProcessed("raw/a.csv#v1"))
                .isInstanceOf(StateStoreException.class)
                .hasMessage("Ledger entry of object raw/a.csv#v1 in table tarn-state lacks the string attribute source");
    }

    @Test
    void advancesTheWatermarkWithAnUpdateConditionalOnTheExpectedSequence() {
        watermarks.advanceWatermark("invoices", 7,
                new Watermark("invoices", "20240601T115000-000000000.4", 8, Instant.parse("2025-03-14T09:26:53Z")));

        UpdateItemRequest update = dynamoDb.updates.get(0);
        assertThat(update.tableName()).isEqualTo("tarn-state");
        assertThat(update.key()).isEqualTo(Map.of("pk", AttributeValue.fromS("table#invoices")));
        assertThat(update.updateExpression())
                .isEqualTo("SET #position = :position, #sequence = :next, #committedAt = :committedAt");
        assertThat(update.conditionExpression()).isEqualTo("#sequence = :expected");
        assertThat(update.expressionAttributeNames()).isEqualTo(Map.of(
                "#position", "position", "#sequence", "sequence", "#committedAt", "committedAt"));
        assertThat(update.expressionAttributeValues()).isEqualTo(Map.of(
                ":position", AttributeValue.fromS("20240601T115000-000000000.4"),
                ":next", AttributeValue.fromN("8"),
                ":expected", AttributeValue.fromN("7"),
                ":committedAt", AttributeValue.fromS("2025-03-14T09:26:53Z")));
    }

    @Test
    void firstWatermarkRequiresThatNoneExists() {
        watermarks.advanceWatermark("invoices", Watermark.NONE,
                new Watermark("invoices", "p", 1, Instant.parse("2025-03-14T09:26:53Z")));

        UpdateItemRequest update = dynamoDb.updates.get(0);
        assertThat(update.conditionExpression()).isEqualTo("attribute_not_exists(#sequence)");
        assertThat(update.expressionAttributeValues()).doesNotContainKey(":expected");
    }

    @Test
    void takesTheLeaseWhenFreeExpiredOrOurs() {
        watermarks.acquireLease("invoices", "req-1", Instant.ofEpochMilli(1_000), Instant.ofEpochMilli(61_000));
        watermarks.releaseLease("invoices", "req-1");

        UpdateItemRequest acquire = dynamoDb.updates.get(0);
        assertThat(acquire.key()).isEqualTo(Map.of("pk", AttributeValue.fromS("table#invoices")));
        assertThat(acquire.updateExpression()).isEqualTo("SET #leaseOwner = :owner, #leaseUntil = :until");
        assertThat(acquire.conditionExpression())
                .isEqualTo("attribute_not_exists(#leaseOwner) OR #leaseOwner = :owner OR #leaseUntil <= :now");
        assertThat(acquire.expressionAttributeValues()).isEqualTo(Map.of(
                ":owner", AttributeValue.fromS("req-1"),
                ":until", AttributeValue.fromN("61000"),
                ":now", AttributeValue.fromN("1000")));
        UpdateItemRequest release = dynamoDb.updates.get(1);
        assertThat(release.updateExpression()).isEqualTo("REMOVE #leaseOwner, #leaseUntil");
        assertThat(release.conditionExpression()).isEqualTo("#leaseOwner = :owner");
    }

    @Test
    void recordsASchemaFingerprintWithAnUpdateThatNeverMovesItBack() {
        fingerprints.recordSchemaFingerprint("orders", "sha256:ab12", Instant.ofEpochMilli(1_700_000_000_123L));

        UpdateItemRequest update = dynamoDb.updates.get(0);
        assertThat(update.tableName()).isEqualTo("tarn-state");
        assertThat(update.key()).isEqualTo(Map.of("pk", AttributeValue.fromS("schema#orders")));
        assertThat(update.updateExpression()).isEqualTo("SET #fingerprint = :fingerprint, #recordedAt = :at");
        assertThat(update.conditionExpression()).isEqualTo("attribute_not_exists(#recordedAt) OR #recordedAt <= :at");
        assertThat(update.expressionAttributeNames())
                .isEqualTo(Map.of("#fingerprint", "fingerprint", "#recordedAt", "recordedAt"));
        assertThat(update.expressionAttributeValues()).isEqualTo(Map.of(
                ":fingerprint", AttributeValue.fromS("sha256:ab12"), ":at", AttributeValue.fromN("1700000000123")));
    }

    @Test
    void readsTheSchemaFingerprintWithAStronglyConsistentGet() {
        dynamoDb.item = Map.of("pk", AttributeValue.fromS("schema#orders"), "recordedAt", AttributeValue.fromN("1"));

        assertThatThrownBy(() -> fingerprints.schemaFingerprint("orders"))
                .isInstanceOf(StateStoreException.class)
                .hasMessage("Schema fingerprint of table orders in table tarn-state lacks the string attribute fingerprint");
        GetItemRequest get = dynamoDb.gets.get(0);
        assertThat(get.key()).isEqualTo(Map.of("pk", AttributeValue.fromS("schema#orders")));
        assertThat(get.consistentRead()).isTrue();
    }

    private static final class RecordingDynamoDbClient implements DynamoDbClient {
        final List<PutItemRequest> puts = new ArrayList<>();
        final List<GetItemRequest> gets = new ArrayList<>();
        final List<UpdateItemRequest> updates = new ArrayList<>();
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
        public UpdateItemResponse updateItem(UpdateItemRequest request) {
            updates.add(request);
            return UpdateItemResponse.builder().build();
        }

        @Override
        public String serviceName() {
            return SERVICE_NAME;
        }

        @Override
        public void close() {}
    }
}
