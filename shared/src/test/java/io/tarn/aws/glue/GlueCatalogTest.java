package io.tarn.aws.glue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.tarn.aws.AwsTestClients;
import io.tarn.catalog.CatalogColumn;
import io.tarn.catalog.CatalogException;
import io.tarn.catalog.Partition;
import io.tarn.catalog.TableDefinition;
import io.tarn.embedded.MotoServer;
import java.util.List;
import java.util.UUID;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

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

    // Against moto's Glue API over HTTP, each test in a database of its own. Batching, paging and
    // error answers, which moto does not give like Glue, are checked on a fake in GlueCatalogRequestsTest.
    private static GlueApi glue;
    private String database;
    private GlueCatalog catalog;

    @BeforeAll
    static void startMoto() {
        glue = AwsTestClients.glueApi(MotoServer.shared().endpoint());
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

        assertThat(glue.call("GetDatabase", GlueApi.object().put("Name", database)).at("/Database/Name").asText())
                .isEqualTo(database);
        JsonNode table = glue.call("GetTable", GlueApi.object().put("DatabaseName", database).put("Name", "orders"))
                .get("Table");
        assertThat(table.get("TableType").asText()).isEqualTo("EXTERNAL_TABLE");
        assertThat(table.at("/Parameters/classification").asText()).isEqualTo("parquet");
        assertThat(table.at("/Parameters/EXTERNAL").asText()).isEqualTo("TRUE");
        JsonNode storage = table.get("StorageDescriptor");
        assertThat(storage.get("Location").asText()).isEqualTo(LOCATION);
        assertThat(storage.get("InputFormat").asText())
                .isEqualTo("org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat");
        assertThat(storage.get("OutputFormat").asText())
                .isEqualTo("org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat");
        assertThat(storage.at("/SerdeInfo/SerializationLibrary").asText())
                .isEqualTo("org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe");
        assertThat(catalog.table("orders")).contains(ORDERS);
    }

    @Test
    void ensureTableLeavesAnExistingTableAsItIs() {
        catalog.ensureTable(ORDERS);
        TableDefinition changed = new TableDefinition(
                "orders", "s3://elsewhere/orders/", List.of(new CatalogColumn("x", "string")), List.of());

        catalog.ensureTable(changed);

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

        var request = GlueApi.object().put("DatabaseName", database).put("TableName", "orders");
        request.putArray("PartitionValues").add("acct-7");
        JsonNode storage = glue.call("GetPartition", request).at("/Partition/StorageDescriptor");
        assertThat(storage.get("Location").asText()).isEqualTo(LOCATION + "account_id=acct-7/");
        assertThat(storage.at("/SerdeInfo/SerializationLibrary").asText())
                .isEqualTo("org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe");
        assertThat(storage.get("Columns")).extracting(column -> column.get("Name").asText())
                .containsExactly("order_id", "amount", "_commit_ts");
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
    void constructorRequiresClientAndDatabase() {
        assertThatThrownBy(() -> new GlueCatalog(null, "lake"))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("api is null");
        assertThatThrownBy(() -> new GlueCatalog(glue, null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("database is null");
    }
}
