package io.tarn.aws.glue;

import static io.tarn.aws.glue.GlueCatalogTest.LOCATION;
import static io.tarn.aws.glue.GlueCatalogTest.ORDERS;
import static io.tarn.aws.glue.GlueCatalogTest.accounts;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tarn.aws.json.AwsJsonException;
import io.tarn.catalog.CatalogException;
import io.tarn.catalog.Partition;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link GlueCatalog}'s exact requests and its handling of Glue's answers, on a fake Glue at the
 * HTTP level: moto accepts any number of partitions per batch, answers GetPartitions in one page
 * and cannot be made to throttle or deny.
 */
class GlueCatalogRequestsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final FakeGlueHttp glue = new FakeGlueHttp(100);
    private final List<Duration> sleeps = new ArrayList<>();
    private final GlueCatalog catalog = new GlueCatalog(glue.client(sleeps), "lake");

    @BeforeEach
    void createTable() {
        catalog.ensureTable(ORDERS);
        glue.calls.clear();
    }

    @Test
    void ensureTableCreatesTheMissingDatabaseThenTheTable() {
        FakeGlueHttp fresh = new FakeGlueHttp(100);

        new GlueCatalog(fresh.client(sleeps), "lake").ensureTable(ORDERS);

        assertThat(fresh.operations()).containsExactly("CreateTable", "CreateDatabase", "CreateTable");
        assertThat(fresh.bodies("CreateDatabase")).containsExactly(json("{\"DatabaseInput\":{\"Name\":\"lake\"}}"));
        assertThat(fresh.bodies("CreateTable").get(1)).isEqualTo(json("""
                {"DatabaseName": "lake",
                 "TableInput": {
                   "Name": "orders",
                   "TableType": "EXTERNAL_TABLE",
                   "Parameters": {"classification": "parquet", "EXTERNAL": "TRUE"},
                   "PartitionKeys": [{"Name": "account_id", "Type": "string"}],
                   "StorageDescriptor": {
                     "Location": "s3://staging/orders/",
                     "InputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
                     "OutputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
                     "Columns": [{"Name": "order_id", "Type": "bigint"},
                                 {"Name": "amount", "Type": "decimal(12,2)"},
                                 {"Name": "_commit_ts", "Type": "timestamp"}],
                     "SerdeInfo": {
                       "SerializationLibrary": "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe",
                       "Parameters": {"serialization.format": "1"}}}}}
                """));
    }

    @Test
    void ensureTableTakesAlreadyExistsAsSuccess() {
        glue.error(400, "CreateTable", "AlreadyExistsException", "Table already exists.");

        catalog.ensureTable(ORDERS);

        assertThat(glue.operations()).containsExactly("CreateTable");
    }

    @Test
    void registers250PartitionsInBatchesOf100And100And50() {
        List<Partition> partitions = accounts(0, 250);

        assertThat(catalog.registerPartitions("orders", partitions)).isEqualTo(250);

        assertThat(glue.operations())
                .containsExactly("GetTable", "BatchCreatePartition", "BatchCreatePartition", "BatchCreatePartition");
        List<ObjectNode> batches = glue.bodies("BatchCreatePartition");
        assertThat(batches).extracting(batch -> batch.get("PartitionInputList").size()).containsExactly(100, 100, 50);
        assertThat(batches).extracting(batch -> batch.get("DatabaseName").asText()).containsOnly("lake");
        assertThat(batches).extracting(batch -> batch.get("TableName").asText()).containsOnly("orders");
        List<JsonNode> sent = new ArrayList<>();
        batches.forEach(batch -> batch.get("PartitionInputList").forEach(sent::add));
        assertThat(sent).extracting(input -> input.at("/Values/0").asText())
                .containsExactlyElementsOf(partitions.stream().map(p -> p.values().get(0)).toList());
        // The table's storage descriptor with the partition's location; Glue's own fields of the
        // table (CreateTime...) are not sent back.
        assertThat(sent.get(249)).isEqualTo(json("""
                {"Values": ["acct-249"],
                 "StorageDescriptor": {
                   "Location": "s3://staging/orders/account_id=acct-249/",
                   "InputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
                   "OutputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
                   "Columns": [{"Name": "order_id", "Type": "bigint"},
                               {"Name": "amount", "Type": "decimal(12,2)"},
                               {"Name": "_commit_ts", "Type": "timestamp"}],
                   "SerdeInfo": {
                     "SerializationLibrary": "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe",
                     "Parameters": {"serialization.format": "1"}}}}
                """));
    }

    @Test
    void registersNothingAndCallsNothingForNoPartitions() {
        assertThat(catalog.registerPartitions("orders", List.of())).isZero();

        assertThat(glue.calls).isEmpty();
    }

    @Test
    void alreadyExistingPartitionsCountAsRegisteredNotCreated() {
        catalog.registerPartitions("orders", accounts(90, 110));
        glue.calls.clear();

        int created = catalog.registerPartitions("orders", accounts(0, 250));

        assertThat(created).isEqualTo(230);
        assertThat(glue.bodies("BatchCreatePartition")).extracting(batch -> batch.get("PartitionInputList").size())
                .containsExactly(100, 100, 50);
    }

    @Test
    void anyOtherPartitionErrorFailsNamingTableValuesAndGlueError() {
        glue.refuse(List.of("acct-120"), "InvalidInputException", "Location is not a valid S3 path");
        catalog.registerPartitions("orders", accounts(0, 1));
        glue.calls.clear();

        assertThatThrownBy(() -> catalog.registerPartitions("orders", accounts(0, 250)))
                .isInstanceOf(CatalogException.class)
                .hasMessage("Glue refused partitions of lake.orders: "
                        + "[acct-120]: InvalidInputException (Location is not a valid S3 path)");
        // The first batch stays registered; the failing batch stops the call before the third.
        assertThat(glue.bodies("BatchCreatePartition")).hasSize(2);
    }

    @Test
    void listsPartitionsAcrossPages() {
        catalog.registerPartitions("orders", accounts(0, 250));
        glue.calls.clear();

        List<Partition> listed = catalog.partitions("orders");

        assertThat(listed).containsExactlyElementsOf(accounts(0, 250));
        List<ObjectNode> pages = glue.bodies("GetPartitions");
        assertThat(pages).extracting(page -> page.path("NextToken").asText(null)).containsExactly(null, "100", "200");
        assertThat(pages.get(1)).isEqualTo(json("""
                {"DatabaseName": "lake", "TableName": "orders", "ExcludeColumnSchema": true, "NextToken": "100"}
                """));
    }

    @Test
    void throttledBatchIsRetriedAfterABackoffAndTheCallSucceeds() {
        glue.error(400, "BatchCreatePartition", "ThrottlingException", "Rate exceeded");

        int created = catalog.registerPartitions("orders", accounts(0, 250));

        assertThat(created).isEqualTo(250);
        assertThat(glue.bodies("BatchCreatePartition")).extracting(batch -> batch.get("PartitionInputList").size())
                .containsExactly(100, 100, 100, 50);
        assertThat(sleeps).containsExactly(Duration.ofMillis(250));
        assertThat(catalog.partitions("orders")).hasSize(250);
    }

    @Test
    void batchWhoseAnswerWasLostIsRetriedAndItsPartitionsCountAsExisting() {
        // As when the connection drops after Glue created the batch: the retry finds them there.
        catalog.registerPartitions("orders", accounts(0, 100));
        glue.drop("BatchCreatePartition");

        int created = catalog.registerPartitions("orders", accounts(0, 150));

        assertThat(created).isEqualTo(50);
        assertThat(sleeps).containsExactly(Duration.ofMillis(50));
    }

    @Test
    void accessDeniedOnCreateTableFailsNamingTheTable() {
        glue.error(400, "CreateTable", "AccessDeniedException",
                "User: arn:aws:sts::123456789012:assumed-role/raw-object is not authorized to perform: glue:CreateTable");

        assertThatThrownBy(() -> catalog.ensureTable(ORDERS))
                .isInstanceOf(CatalogException.class)
                .hasMessage("Cannot create table lake.orders in Glue")
                .cause()
                .isInstanceOf(AwsJsonException.class)
                .hasMessage("Glue CreateTable: AccessDeniedException (HTTP 400): User: "
                        + "arn:aws:sts::123456789012:assumed-role/raw-object is not authorized to perform: "
                        + "glue:CreateTable");
        assertThat(glue.operations()).containsExactly("CreateTable");
        assertThat(sleeps).isEmpty();
    }

    @Test
    void accessDeniedOnGetTableFailsNamingTheTable() {
        glue.error(400, "GetTable", "AccessDeniedException", "Insufficient Lake Formation permission(s) on orders");

        assertThatThrownBy(() -> catalog.table("orders"))
                .isInstanceOf(CatalogException.class)
                .hasMessage("Cannot read table lake.orders from Glue")
                .cause()
                .hasMessage("Glue GetTable: AccessDeniedException (HTTP 400): "
                        + "Insufficient Lake Formation permission(s) on orders");
    }

    @Test
    void accessDeniedOnABatchFailsNamingTheTableAndTheBatchsPartitions() {
        glue.error(400, "BatchCreatePartition", "AccessDeniedException", "Not authorized");

        assertThatThrownBy(() -> catalog.registerPartitions("orders", accounts(0, 250)))
                .isInstanceOf(CatalogException.class)
                .hasMessage("Cannot register 100 partitions of lake.orders in Glue, from [acct-0] to [acct-99]");
    }

    @Test
    void throttlingBeyondTheAttemptLimitFailsNamingTheTable() {
        for (int i = 0; i < 6; i++) {
            glue.error(400, "GetPartitions", "ThrottlingException", "Rate exceeded");
        }

        assertThatThrownBy(() -> catalog.partitions("orders"))
                .isInstanceOf(CatalogException.class)
                .hasMessage("Cannot list partitions of lake.orders in Glue")
                .cause()
                .hasMessage("Glue GetPartitions: ThrottlingException (HTTP 400): Rate exceeded");
        assertThat(glue.bodies("GetPartitions")).hasSize(6);
    }

    private static ObjectNode json(String text) {
        try {
            return (ObjectNode) JSON.readTree(text);
        } catch (Exception e) {
            throw new AssertionError("Bad JSON in the test: " + text, e);
        }
    }
}
