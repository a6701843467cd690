package io.tarn.aws.glue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import io.tarn.aws.AwsClients;
import io.tarn.aws.AwsSettings;
import io.tarn.catalog.CatalogColumn;
import io.tarn.catalog.CatalogException;
import io.tarn.catalog.Partition;
import io.tarn.catalog.TableDefinition;
import io.tarn.catalog.TenantTables;
import io.tarn.embedded.FaultInjectingProxy;
import io.tarn.embedded.MotoServer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.exception.SdkServiceException;
import software.amazon.awssdk.services.glue.GlueClient;
import software.amazon.awssdk.services.glue.model.Column;
import software.amazon.awssdk.services.glue.model.StorageDescriptor;
import software.amazon.awssdk.services.glue.model.Table;

class GlueCatalogTest {

    static final String LOCATION = "s3://staging/orders/";
    static final TableDefinition ORDERS = new TableDefinition(
            "orders",
            LOCATION,
            List.of(new CatalogColumn("order_id", "bigint"), new CatalogColumn("amount", "decimal(12,2)"),
                    new CatalogColumn("_commit_ts", "timestamp")),
            List.of(new CatalogColumn("account_id", "string")));

    /** Partitions {@code account_id=acct-<from>} to {@code acct-<to - 1>}. */
    static List<Partition> accounts(int from, int to) {
        return IntStream.range(from, to)
                .mapToObj(i -> new Partition(List.of("acct-" + i), LOCATION + "account_id=acct-" + i + "/"))
                .toList();
    }

    // Against moto's Glue API over HTTP with the SDK client the functions build, each test in a
    // database of its own. Batching, paging and error answers, which moto does not give like Glue,
    // are checked on a fake in GlueCatalogRequestsTest.
    private static GlueClient glue;
    private String database;
    private GlueCatalog catalog;

    @BeforeAll
    static void startMoto() {
        glue = MotoServer.shared().client(GlueClient.builder());
    }

    @AfterAll
    static void closeClient() {
        glue.close();
    }

    @BeforeEach
    void freshDatabase() {
        // Not created here: the first ensureTable creates it, as on a fresh local setup.
        database = "tarn_" + UUID.randomUUID().toString().replace("-", "");
        catalog = new GlueCatalog(glue, database);
    }

    @Test
    void ensureTableCreatesTheDatabaseAndAnExternalParquetTable() {
        catalog.ensureTable(ORDERS);

        assertThat(glue.getDatabase(r -> r.name(database)).database().name()).isEqualTo(database);
        Table table = getTable("orders");
        assertThat(table.tableType()).isEqualTo("EXTERNAL_TABLE");
        assertThat(table.parameters()).containsEntry("classification", "parquet").containsEntry("EXTERNAL", "TRUE");
        StorageDescriptor storage = table.storageDescriptor();
        assertThat(storage.location()).isEqualTo(LOCATION);
        assertThat(storage.inputFormat()).isEqualTo("org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat");
        assertThat(storage.outputFormat()).isEqualTo("org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat");
        assertThat(storage.serdeInfo().serializationLibrary())
                .isEqualTo("org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe");
        assertThat(catalog.table("orders")).contains(ORDERS);
    }

    @Test
    void ensureTableKeepsTheTablesOwnLocation() {
        catalog.ensureTable(ORDERS);
        TableDefinition elsewhere = new TableDefinition(
                "orders", "s3://elsewhere/orders/", ORDERS.columns(), ORDERS.partitionKeys());

        catalog.ensureTable(elsewhere);

        assertThat(catalog.table("orders")).contains(ORDERS);
    }

    @Test
    void ensureTableAddsAColumnOfThePipelinesDefinitionAndWidensAnother() {
        catalog.ensureTable(ORDERS);
        catalog.registerPartitions("orders", accounts(0, 2));
        TableDefinition changed = new TableDefinition("orders", LOCATION,
                List.of(new CatalogColumn("order_id", "bigint"), new CatalogColumn("coupon", "string"),
                        new CatalogColumn("amount", "decimal(18,2)"), new CatalogColumn("_commit_ts", "timestamp")),
                ORDERS.partitionKeys());

        catalog.ensureTable(changed);

        Table table = getTable("orders");
        assertThat(table.storageDescriptor().columns()).extracting(Column::name, Column::type).containsExactly(
                tuple("order_id", "bigint"), tuple("coupon", "string"), tuple("amount", "decimal(18,2)"),
                tuple("_commit_ts", "timestamp"));
        assertThat(table.storageDescriptor().location()).isEqualTo(LOCATION);
        assertThat(table.storageDescriptor().serdeInfo().serializationLibrary())
                .isEqualTo("org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe");
        assertThat(table.partitionKeys()).extracting(Column::name).containsExactly("account_id");
        assertThat(table.parameters()).containsEntry("classification", "parquet");
        assertThat(catalog.table("orders")).contains(changed);
        assertThat(catalog.partitions("orders")).containsExactlyInAnyOrderElementsOf(accounts(0, 2));
    }

    @Test
    void ensureTableRefusesANarrowedTypeNamingDatabaseTableAndColumn() {
        catalog.ensureTable(ORDERS);
        TableDefinition amountAsString = new TableDefinition("orders", LOCATION,
                List.of(new CatalogColumn("order_id", "bigint"), new CatalogColumn("amount", "string"),
                        new CatalogColumn("_commit_ts", "timestamp")),
                ORDERS.partitionKeys());

        assertThatThrownBy(() -> catalog.ensureTable(amountAsString))
                .isInstanceOf(CatalogException.class)
                .hasMessage("Cannot change table %s.orders in Glue: column 'amount' would change type from"
                        + " decimal(12,2) to string, which Athena cannot read over the existing Parquet files", database);
        assertThat(catalog.table("orders")).contains(ORDERS);
    }

    @Test
    void tableIsEmptyWhenGlueDoesNotKnowIt() {
        catalog.ensureTable(ORDERS);

        assertThat(catalog.table("customers")).isEmpty();
    }

    @Test
    void registers250PartitionsAndListsThemBackWithValuesAndLocations() {
        catalog.ensureTable(ORDERS);
        List<Partition> partitions = accounts(0, 250);

        int created = catalog.registerPartitions("orders", partitions);

        assertThat(created).isEqualTo(250);
        assertThat(catalog.partitions("orders")).containsExactlyInAnyOrderElementsOf(partitions);
    }

    @Test
    void partitionsInheritTheTableStorageWithTheirOwnLocation() {
        catalog.ensureTable(ORDERS);

        catalog.registerPartitions("orders", accounts(7, 8));

        StorageDescriptor storage = glue.getPartition(r -> r.databaseName(database).tableName("orders")
                .partitionValues("acct-7")).partition().storageDescriptor();
        assertThat(storage.location()).isEqualTo(LOCATION + "account_id=acct-7/");
        assertThat(storage.serdeInfo().serializationLibrary())
                .isEqualTo("org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe");
        assertThat(storage.columns()).extracting(Column::name).containsExactly("order_id", "amount", "_commit_ts");
    }

    @Test
    void reregisteringTheSamePartitionsCreatesNone() {
        catalog.ensureTable(ORDERS);
        catalog.registerPartitions("orders", accounts(0, 250));

        int created = catalog.registerPartitions("orders", accounts(0, 250));

        assertThat(created).isZero();
        assertThat(catalog.partitions("orders")).hasSize(250);
    }

    @Test
    void partiallyOverlappingBatchCreatesOnlyTheNewPartitions() {
        catalog.ensureTable(ORDERS);
        catalog.registerPartitions("orders", accounts(0, 100));

        int created = catalog.registerPartitions("orders", accounts(50, 150));

        assertThat(created).isEqualTo(50);
        assertThat(catalog.partitions("orders")).containsExactlyInAnyOrderElementsOf(accounts(0, 150));
    }

    @Test
    void registeringPartitionsOfAnUnknownTableFailsNamingIt() {
        catalog.ensureTable(ORDERS);

        assertThatThrownBy(() -> catalog.registerPartitions("customers", accounts(0, 1)))
                .isInstanceOf(CatalogException.class)
                .hasMessage("Cannot register partitions of %s.customers because the table does not exist in Glue",
                        database);
    }

    @Test
    void listingPartitionsOfAnUnknownTableFailsNamingIt() {
        catalog.ensureTable(ORDERS);

        assertThatThrownBy(() -> catalog.partitions("customers"))
                .isInstanceOf(CatalogException.class)
                .hasMessage("Cannot list partitions of %s.customers because the table does not exist in Glue",
                        database);
    }

    @Test
    void partitionWithTheWrongNumberOfValuesIsRefusedBeforeAnyCall() {
        catalog.ensureTable(ORDERS);
        Partition twoValues = new Partition(List.of("acct-1", "2024"), LOCATION + "account_id=acct-1/year=2024/");

        assertThatThrownBy(() -> catalog.registerPartitions("orders", List.of(twoValues)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Partition [acct-1, 2024] of %s.orders has 2 values, the table has 1 partition keys",
                        database);
        assertThat(catalog.partitions("orders")).isEmpty();
    }

    @Test
    void aBatchGlueAnswersWithServiceUnavailableIsRetriedByTheSdkClientAndCompletes() {
        catalog.ensureTable(ORDERS);
        try (FaultInjectingProxy proxy = FaultInjectingProxy.start(MotoServer.shared().endpoint());
                GlueClient throughProxy = new AwsClients(AwsSettings.local(proxy.endpoint(), "us-east-1", "test", "test")).build(GlueClient.builder())) {
            proxy.failFirst(2, request -> "AWSGlue.BatchCreatePartition".equals(request.target()));

            int created = new GlueCatalog(throughProxy, database).registerPartitions("orders", accounts(0, 150));

            assertThat(created).isEqualTo(150);
            assertThat(proxy.requests()).extracting(FaultInjectingProxy.Request::target).containsExactly(
                    "AWSGlue.GetTable", "AWSGlue.BatchCreatePartition", "AWSGlue.BatchCreatePartition",
                    "AWSGlue.BatchCreatePartition", "AWSGlue.BatchCreatePartition");
        }
        assertThat(catalog.partitions("orders")).containsExactlyInAnyOrderElementsOf(accounts(0, 150));
    }

    @Test
    void aListingGlueRefusesOnEveryAttemptFailsNamingTheTableAfterTheSdksAttemptLimit() {
        catalog.ensureTable(ORDERS);
        try (FaultInjectingProxy proxy = FaultInjectingProxy.start(MotoServer.shared().endpoint());
                GlueClient throughProxy = new AwsClients(AwsSettings.local(proxy.endpoint(), "us-east-1", "test", "test")).build(GlueClient.builder())) {
            proxy.failFirst(AwsClients.MAX_ATTEMPTS, request -> "AWSGlue.GetPartitions".equals(request.target()));

            assertThatThrownBy(() -> new GlueCatalog(throughProxy, database).partitions("orders"))
                    .isInstanceOf(CatalogException.class)
                    .hasMessage("Cannot list partitions of %s.orders in Glue", database)
                    .cause()
                    .isInstanceOfSatisfying(SdkServiceException.class, e -> assertThat(e.statusCode()).isEqualTo(503));
            List<String> targets = new ArrayList<>();
            proxy.requests().forEach(request -> targets.add(request.target()));
            assertThat(targets).hasSize(AwsClients.MAX_ATTEMPTS).containsOnly("AWSGlue.GetPartitions");
        }
    }

    @Test
    void constructorRequiresClientAndDatabase() {
        assertThatThrownBy(() -> new GlueCatalog(null, "lake"))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("glue is null");
        assertThatThrownBy(() -> new GlueCatalog(glue, null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("database is null");
    }

    @Test
    void everyTableEnsuredGetsATenantTwinWithProjectedPartitionsAndNoPartitionList() {
        String tenants = database + "_tenants";
        GlueCatalog withTwins = new GlueCatalog(glue, database, Optional.of(new TenantTables(tenants, "2020-01-01,NOW")));
        TableDefinition daily = new TableDefinition("orders", LOCATION, ORDERS.columns(),
                List.of(new CatalogColumn("account_id", "string"), new CatalogColumn("dt", "string")));

        withTwins.ensureTable(daily);
        withTwins.registerPartitions("orders", List.of(new Partition(List.of("acme", "2024-06-01"),
                LOCATION + "account_id=acme/dt=2024-06-01/")));

        Table twin = glue.getTable(r -> r.databaseName(tenants).name("orders")).table();
        assertThat(new GlueCatalog(glue, tenants).table("orders")).contains(daily);
        assertThat(twin.parameters()).containsEntry("classification", "parquet")
                .containsEntry("projection.enabled", "true")
                .containsEntry("projection.account_id.type", "injected")
                .containsEntry("projection.dt.type", "date")
                .containsEntry("projection.dt.format", "yyyy-MM-dd")
                .containsEntry("projection.dt.range", "2020-01-01,NOW")
                .containsEntry("storage.location.template", LOCATION + "account_id=${account_id}/dt=${dt}/");
        // The twin has no partition to list; the registered table keeps its own, without projection.
        assertThat(glue.getPartitions(r -> r.databaseName(tenants).tableName("orders")).partitions()).isEmpty();
        assertThat(catalog.partitions("orders")).hasSize(1);
        assertThat(getTable("orders").parameters()).doesNotContainKey("projection.enabled");
    }

    @Test
    void aCurrentTablesTwinReadsTheSymlinkManifestsOfItsPartitions() {
        String tenants = database + "_tenants";
        GlueCatalog withTwins = new GlueCatalog(glue, database, Optional.of(new TenantTables(tenants, "2020-01-01,NOW")));
        String root = LOCATION.substring(0, LOCATION.length() - "orders/".length());
        TableDefinition current = new TableDefinition("orders", LOCATION, ORDERS.columns(),
                List.of(new CatalogColumn("account_id", "string"), new CatalogColumn("dt", "string")),
                TableDefinition.Storage.VERSIONED_PARQUET);

        withTwins.ensureTable(current);

        // The registered table reads its partitions' version folders as Parquet.
        assertThat(getTable("orders").storageDescriptor().inputFormat()).isEqualTo(GlueCatalog.INPUT_FORMAT);
        assertThat(getTable("orders").storageDescriptor().location()).isEqualTo(LOCATION);
        Table twin = glue.getTable(r -> r.databaseName(tenants).name("orders")).table();
        assertThat(twin.storageDescriptor().inputFormat()).isEqualTo("org.apache.hadoop.hive.ql.io.SymlinkTextInputFormat");
        assertThat(twin.storageDescriptor().outputFormat()).isEqualTo("org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat");
        assertThat(twin.storageDescriptor().serdeInfo().serializationLibrary()).isEqualTo(GlueCatalog.SERDE);
        assertThat(twin.storageDescriptor().location()).isEqualTo(root + "_symlink/orders/");
        assertThat(twin.parameters()).containsEntry("projection.account_id.type", "injected")
                .containsEntry("storage.location.template", root + "_symlink/orders/account_id=${account_id}/dt=${dt}/");

        // A twin made over the Parquet folders before (a table that was not yet versioned) moves to the manifests.
        String others = database + "_tenants2";
        new GlueCatalog(glue, database, Optional.of(new TenantTables(others, "2020-01-01,NOW"))).ensureTable(
                new TableDefinition("orders", LOCATION, current.columns(), current.partitionKeys()));
        new GlueCatalog(glue, database, Optional.of(new TenantTables(others, "2020-01-01,NOW"))).ensureTable(current);
        assertThat(glue.getTable(r -> r.databaseName(others).name("orders")).table().storageDescriptor().location())
                .isEqualTo(root + "_symlink/orders/");
    }

    @Test
    void aTenantTwinFollowsTheTablesColumnsAndTheDateRange() {
        String tenants = database + "_tenants";
        TableDefinition daily = new TableDefinition("orders", LOCATION, ORDERS.columns(),
                List.of(new CatalogColumn("account_id", "string"), new CatalogColumn("dt", "string")));
        new GlueCatalog(glue, database, Optional.of(new TenantTables(tenants, "2020-01-01,NOW"))).ensureTable(daily);
        List<CatalogColumn> columns = new ArrayList<>(ORDERS.columns());
        columns.add(new CatalogColumn("coupon", "string"));
        TableDefinition withCoupon = new TableDefinition("orders", LOCATION, columns, daily.partitionKeys());

        new GlueCatalog(glue, database, Optional.of(new TenantTables(tenants, "1970-01-01,NOW+1YEARS"))).ensureTable(withCoupon);

        assertThat(new GlueCatalog(glue, tenants).table("orders")).contains(withCoupon);
        assertThat(glue.getTable(r -> r.databaseName(tenants).name("orders")).table().parameters())
                .containsEntry("projection.dt.range", "1970-01-01,NOW+1YEARS")
                .containsEntry("projection.account_id.type", "injected");
    }

    @Test
    void aTenantTwinThatCannotFollowFailsTheCallNamingIt() {
        String tenants = database + "_tenants";
        // A twin someone changed by hand: order_id is a string there.
        new GlueCatalog(glue, tenants).ensureTable(new TableDefinition("orders", LOCATION,
                ORDERS.columns().stream().map(c -> c.name().equals("order_id") ? new CatalogColumn("order_id", "string") : c).toList(),
                ORDERS.partitionKeys()));
        GlueCatalog withTwins = new GlueCatalog(glue, database, Optional.of(new TenantTables(tenants, "2020-01-01,NOW")));

        assertThatThrownBy(() -> withTwins.ensureTable(ORDERS))
                .isInstanceOf(CatalogException.class)
                .hasMessageContaining("Cannot change table " + tenants + ".orders in Glue")
                .hasMessageContaining("order_id");
        assertThat(catalog.table("orders")).contains(ORDERS);
    }

    private Table getTable(String name) {
        return glue.getTable(r -> r.databaseName(database).name(name)).table();
    }
}
