package io.tarn.aws.dynamodb;

import static io.tarn.aws.dynamodb.MotoStateTable.DYNAMO_DB;
import static org.assertj.core.api.Assertions.assertThat;

import io.tarn.state.SchemaFingerprints;
import io.tarn.state.SchemaFingerprintsContract;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** {@link DynamoDbSchemaFingerprints} on moto: the contract, and the item a fingerprint is. */
class DynamoDbSchemaFingerprintsTest extends SchemaFingerprintsContract {

    private static final Instant NOW = Instant.parse("2025-03-14T09:26:53Z");

    private final StateTable table = MotoStateTable.fresh();

    @Override
    protected SchemaFingerprints open() {
        return new DynamoDbSchemaFingerprints(table);
    }

    @Test
    void theNewestFingerprintIsOneItemBesideTheWatermarks() {
        open().recordSchemaFingerprint("orders", "fp-1", NOW);
        open().recordSchemaFingerprint("orders", "fp-2", NOW.plusSeconds(60));

        assertThat(new DynamoDbWatermarks(table).watermark("orders")).as("a fingerprint is not a watermark").isEmpty();
        assertThat(DYNAMO_DB.getItem(b -> b.tableName(table.name()).key(Map.of("pk", AttributeValue.fromS("schema#orders"))))
                .item()).isEqualTo(Map.of(
                        "pk", AttributeValue.fromS("schema#orders"),
                        "fingerprint", AttributeValue.fromS("fp-2"),
                        "recordedAt", AttributeValue.fromN(Long.toString(NOW.plusSeconds(60).toEpochMilli()))));
    }
}
