package io.tarn.aws.glue;

import static io.tarn.aws.glue.GlueCatalogTest.LOCATION;
import static io.tarn.aws.glue.GlueCatalogTest.ORDERS;
import static io.tarn.aws.glue.GlueCatalogTest.accounts;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tarn.catalog.CatalogColumn;
import io.tarn.catalog.CatalogException;
import io.tarn.catalog.Partition;
import io.tarn.catalog.TableDefinition;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration;
import software.amazon.awssdk.services.glue.model.BatchCreatePartitionRequest;
import software.amazon.awssdk.services.glue.model.Column;
import software.amazon.awssdk.services.glue.model.CreateDatabaseRequest;
import software.amazon.awssdk.services.glue.model.CreateTableRequest;
import software.amazon.awssdk.services.glue.model.GetPartitionsRequest;
import software.amazon.awssdk.services.glue.model.GetTableRequest;
import software.amazon.awssdk.services.glue.model.PartitionInput;
import software.amazon.awssdk.services.glue.model.SerDeInfo;
import software.amazon.awssdk.services.glue.model.StorageDescriptor;
import software.amazon.awssdk.services.glue.model.TableInput;
import software.amazon.awssdk.services.glue.model.UpdateTableRequest;

/**
 * {@link GlueCatalog}'s exact requests and its handling of Glue's answers, on an in-memory Glue
 * behind the SDK's client interface ({@link FakeGlue}): moto accepts any number of partitions per
 * batch, answers GetPartitions in one page, ignores UpdateTable's VersionId and cannot be made to
 * deny. The SDK's own retries of throttling are shown on moto, in {@link GlueCatalogTest}.
 */
class GlueCatalogRequestsTest {

    /** The storage descriptor GlueCatalog gives a table it creates, with the table's location. */
    private static final StorageDescriptor ORDERS_STORAGE = StorageDescriptor.builder()
            .location("s3://staging/orders/")
            .inputFormat("org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat")
            .outputFormat("org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat")
            .columns(column("order_id", "bigint"), column("amount", "decimal(12,2)"), column("_commit_ts", "timestamp"))
            .serdeInfo(SerDeInfo.builder()
                    .serializationLibrary("org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe")
                    .parameters(Map.of("serialization.format", "1"))
                    .build())
            .build();

    private final FakeGlue glue = new FakeGlue(100);
    private final GlueCatalog catalog = new GlueCatalog(glue, "lake");

    @BeforeEach
    void createTable() {
        catalog.ensureTable(ORDERS);
        glue.requests.clear();
    }

    @Test
    void ensureTableCreatesTheMissingDatabaseThenTheTable() {
        FakeGlue fresh = new FakeGlue(100);

        new GlueCatalog(fresh, "lake").ensureTable(ORDERS);

        assertThat(fresh.operations()).containsExactly("GetTable", "CreateTable", "CreateDatabase", "CreateTable");
        assertThat(fresh.requests(CreateDatabaseRequest.class))
                .containsExactly(CreateDatabaseRequest.builder().databaseInput(d -> d.name("lake")).build());
        assertThat(fresh.requests(CreateTableRequest.class).get(1)).isEqualTo(CreateTableRequest.builder()
                .databaseName("lake")
                .tableInput(TableInput.builder()
                        .name("orders")
                        .tableType("EXTERNAL_TABLE")
                        .parameters(Map.of("classification", "parquet", "EXTERNAL", "TRUE"))
                        .partitionKeys(column("account_id", "string"))
                        .storageDescriptor(ORDERS_STORAGE)
                        .build())
                .build());
    }

    @Test
    void ensureTableOfATableAsDefinedSendsOnlyGetTable() {
        catalog.ensureTable(ORDERS);

        assertThat(glue.requests).containsExactly(GetTableRequest.builder().databaseName("lake").name("orders").build());
    }

    @Test
    void ensureTableAddsAColumnKeepingTheTablesLocationPartitionKeysSerdeAndParameters() {
        // A table as a crawler leaves it: its own parameters, serde properties and description.
        FakeGlue crawled = new FakeGlue(100);
        TableInput crawlersTable = TableInput.builder()
                .name("orders")
                .description("crawled")
                .tableType("EXTERNAL_TABLE")
                .parameters(Map.of("classification", "parquet", "UPDATED_BY_CRAWLER", "tarn-staging",
                        "CrawlerSchemaSerializerVersion", "1.0"))
                .partitionKeys(column("account_id", "string"))
                .storageDescriptor(ORDERS_STORAGE.toBuilder()
                        .location("s3://staging/orders/")
                        .serdeInfo(ORDERS_STORAGE.serdeInfo().toBuilder()
                                .parameters(Map.of("serialization.format", "1", "crawled", "yes")).build())
                        .build())
                .build();
        crawled.putTable("lake", crawlersTable);
        TableDefinition withCoupon = new TableDefinition("orders", "s3://elsewhere/orders/",
                List.of(new CatalogColumn("order_id", "bigint"), new CatalogColumn("coupon", "string"),
                        new CatalogColumn("amount", "decimal(14,2)"), new CatalogColumn("_commit_ts", "timestamp")),
                List.of(new CatalogColumn("account_id", "string")));

        new GlueCatalog(crawled, "lake").ensureTable(withCoupon);

        assertThat(crawled.operations()).containsExactly("GetTable", "UpdateTable");
        assertThat(crawled.requests(UpdateTableRequest.class)).containsExactly(UpdateTableRequest.builder()
                .databaseName("lake")
                .versionId("1")
                .tableInput(crawlersTable.toBuilder()
                        .storageDescriptor(crawlersTable.storageDescriptor().toBuilder()
                                .columns(column("order_id", "bigint"), column("coupon", "string"),
                                        column("amount", "decimal(14,2)"), column("_commit_ts", "timestamp"))
                                .build())
                        .build())
                .build());
        assertThat(new GlueCatalog(crawled, "lake").table("orders")).contains(new TableDefinition("orders",
                "s3://staging/orders/", withCoupon.columns(), withCoupon.partitionKeys()));
    }

    @Test
    void ensureTableIsDoneWhenAConcurrentWriterMadeTheSameChangeWhileUpdating() {
        TableDefinition withCoupon = withColumn("coupon", "string");
        // Another invocation converting an object of the new schema updates the table first.
        glue.fail("UpdateTable", FakeGlue.concurrentModification("Table version 1 is not the latest."),
                () -> glue.changeColumns("lake", "orders", columns(withCoupon.columns())));

        catalog.ensureTable(withCoupon);

        assertThat(glue.operations()).containsExactly("GetTable", "UpdateTable", "GetTable");
        assertThat(catalog.table("orders").orElseThrow().columns()).isEqualTo(withCoupon.columns());
    }

    @Test
    void ensureTableFailsWithoutUpdatingAgainWhenTheTableChangedOtherwiseWhileUpdating() {
        // A crawler rewrote the table (a new version) with the columns it had.
        glue.fail("UpdateTable", FakeGlue.concurrentModification("Table version 1 is not the latest."),
                () -> glue.changeColumns("lake", "orders", columns(ORDERS.columns())));

        assertThatThrownBy(() -> catalog.ensureTable(withColumn("coupon", "string")))
                .isInstanceOf(CatalogException.class)
                .hasMessage("Cannot change table lake.orders in Glue (adds column 'coupon' string): another writer"
                        + " changed it meanwhile");
        // Retrying is the caller's: the object's next delivery starts from the table as it is then.
        assertThat(glue.operations()).containsExactly("GetTable", "UpdateTable", "GetTable");
    }

    @Test
    void ensureTableThatLostTheCreateRaceEvolvesTheWinnersTable() {
        // Another writer's CreateTable lands between our GetTable and CreateTable.
        glue.fail("GetTable", FakeGlue.notFound("Table orders not found."));

        catalog.ensureTable(withColumn("coupon", "string"));

        assertThat(glue.operations()).containsExactly("GetTable", "CreateTable", "GetTable", "UpdateTable");
        assertThat(catalog.table("orders").orElseThrow().columns()).contains(new CatalogColumn("coupon", "string"));
    }

    @Test
    void ensureTableRefusesANarrowedTypeWithoutAnyWrite() {
        TableDefinition amountAsInt = new TableDefinition("orders", LOCATION,
                List.of(new CatalogColumn("order_id", "bigint"), new CatalogColumn("amount", "int"),
                        new CatalogColumn("_commit_ts", "timestamp")),
                List.of(new CatalogColumn("account_id", "string")));

        assertThatThrownBy(() -> catalog.ensureTable(amountAsInt))
                .isInstanceOf(CatalogException.class)
                .hasMessage("Cannot change table lake.orders in Glue: column 'amount' would change type from"
                        + " decimal(12,2) to int, which Athena cannot read over the existing Parquet files");
        assertThat(glue.operations()).containsExactly("GetTable");
    }

    @Test
    void registers250PartitionsInBatchesOf100And100And50() {
        List<Partition> partitions = accounts(0, 250);

        assertThat(catalog.registerPartitions("orders", partitions)).isEqualTo(250);

        assertThat(glue.operations())
                .containsExactly("GetTable", "BatchCreatePartition", "BatchCreatePartition", "BatchCreatePartition");
        List<BatchCreatePartitionRequest> batches = glue.requests(BatchCreatePartitionRequest.class);
        assertThat(batches).extracting(batch -> batch.partitionInputList().size()).containsExactly(100, 100, 50);
        assertThat(batches).extracting(BatchCreatePartitionRequest::databaseName).containsOnly("lake");
        assertThat(batches).extracting(BatchCreatePartitionRequest::tableName).containsOnly("orders");
        List<PartitionInput> sent = new ArrayList<>();
        batches.forEach(batch -> sent.addAll(batch.partitionInputList()));
        // The table's storage descriptor with the partition's location; nothing else of the table.
        assertThat(sent).containsExactlyElementsOf(partitions.stream()
                .map(p -> PartitionInput.builder()
                        .values(p.values())
                        .storageDescriptor(ORDERS_STORAGE.toBuilder().location(p.location()).build())
                        .build())
                .toList());
        assertThat(sent.get(249).storageDescriptor().location()).isEqualTo("s3://staging/orders/account_id=acct-249/");
    }

    @Test
    void registersNothingAndCallsNothingForNoPartitions() {
        assertThat(catalog.registerPartitions("orders", List.of())).isZero();

        assertThat(glue.requests).isEmpty();
    }

    @Test
    void alreadyExistingPartitionsCountAsRegisteredNotCreated() {
        catalog.registerPartitions("orders", accounts(90, 110));
        glue.requests.clear();

        int created = catalog.registerPartitions("orders", accounts(0, 250));

        assertThat(created).isEqualTo(230);
        assertThat(glue.requests(BatchCreatePartitionRequest.class)).extracting(b -> b.partitionInputList().size())
                .containsExactly(100, 100, 50);
    }

    @Test
    void anyOtherPartitionErrorFailsNamingTableValuesAndGlueError() {
        glue.refuse(List.of("acct-120"), "InvalidInputException", "Location is not a valid S3 path");

        assertThatThrownBy(() -> catalog.registerPartitions("orders", accounts(0, 250)))
                .isInstanceOf(CatalogException.class)
                .hasMessage("Glue refused partitions of lake.orders: "
                        + "[acct-120]: InvalidInputException (Location is not a valid S3 path)");
        // The first batch stays registered; the failing batch stops the call before the third.
        assertThat(glue.requests(BatchCreatePartitionRequest.class)).hasSize(2);
    }

    @Test
    void listsPartitionsAcrossPages() {
        catalog.registerPartitions("orders", accounts(0, 250));
        glue.requests.clear();

        List<Partition> listed = catalog.partitions("orders");

        assertThat(listed).containsExactlyElementsOf(accounts(0, 250));
        GetPartitionsRequest first = GetPartitionsRequest.builder()
                .databaseName("lake").tableName("orders").excludeColumnSchema(true).build();
        // The SDK's paginator marks its requests for the user agent; that aside, they are these.
        assertThat(glue.requests(GetPartitionsRequest.class))
                .extracting(page -> page.toBuilder().overrideConfiguration((AwsRequestOverrideConfiguration) null).build())
                .containsExactly(first, first.toBuilder().nextToken("100").build(), first.toBuilder().nextToken("200").build());
        assertThat(glue.operations()).containsExactly("GetPartitions", "GetPartitions", "GetPartitions");
    }

    @Test
    void accessDeniedOnCreateTableFailsNamingTheTable() {
        var denied = FakeGlue.accessDenied(
                "User: arn:aws:sts::123456789012:assumed-role/raw-object is not authorized to perform: glue:CreateTable");
        FakeGlue fresh = new FakeGlue(100).fail("CreateTable", denied);

        assertThatThrownBy(() -> new GlueCatalog(fresh, "lake").ensureTable(ORDERS))
                .isInstanceOf(CatalogException.class)
                .hasMessage("Cannot create table lake.orders in Glue")
                .cause()
                .isSameAs(denied);
        assertThat(fresh.operations()).containsExactly("GetTable", "CreateTable");
    }

    @Test
    void accessDeniedOnGetTableFailsNamingTheTable() {
        var denied = FakeGlue.accessDenied("Insufficient Lake Formation permission(s) on orders");
        glue.fail("GetTable", denied);

        assertThatThrownBy(() -> catalog.table("orders"))
                .isInstanceOf(CatalogException.class)
                .hasMessage("Cannot read table lake.orders from Glue")
                .cause()
                .isSameAs(denied);
    }

    @Test
    void accessDeniedOnABatchFailsNamingTheTableAndTheBatchsPartitions() {
        glue.fail("BatchCreatePartition", FakeGlue.accessDenied("Not authorized"));

        assertThatThrownBy(() -> catalog.registerPartitions("orders", accounts(0, 250)))
                .isInstanceOf(CatalogException.class)
                .hasMessage("Cannot register 100 partitions of lake.orders in Glue, from [acct-0] to [acct-99]");
        assertThat(glue.requests(BatchCreatePartitionRequest.class)).hasSize(1);
    }

    @Test
    void throttlingTheClientGaveUpOnFailsTheListingNamingTheTable() {
        // What the SDK client throws once its attempts are spent (see GlueCatalogTest for the retries).
        var throttled = FakeGlue.throttling("Rate exceeded");
        glue.fail("GetPartitions", throttled);

        assertThatThrownBy(() -> catalog.partitions("orders"))
                .isInstanceOf(CatalogException.class)
                .hasMessage("Cannot list partitions of lake.orders in Glue")
                .cause()
                .isSameAs(throttled);
        // One call: retrying is the SDK client's job, not the adapter's.
        assertThat(glue.operations()).containsExactly("GetPartitions");
    }

    @Test
    void missingDatabaseListsNoTables() {
        FakeGlue fresh = new FakeGlue(100).fail("GetTables", FakeGlue.notFound("Database lake not found."));

        assertThat(new GlueCatalog(fresh, "lake").tableNames()).isEmpty();
    }

    private static TableDefinition withColumn(String name, String type) {
        List<CatalogColumn> columns = new ArrayList<>(ORDERS.columns());
        columns.add(new CatalogColumn(name, type));
        return new TableDefinition(ORDERS.name(), ORDERS.location(), columns, ORDERS.partitionKeys());
    }

    private static List<Column> columns(List<CatalogColumn> columns) {
        return columns.stream().map(c -> column(c.name(), c.type())).toList();
    }

    private static Column column(String name, String type) {
        return Column.builder().name(name).type(type).build();
    }
}
