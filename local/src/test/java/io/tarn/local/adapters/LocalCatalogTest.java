package io.tarn.local.adapters;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tarn.catalog.CatalogColumn;
import io.tarn.catalog.CatalogException;
import io.tarn.catalog.Partition;
import io.tarn.catalog.TableDefinition;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The local lake's catalog follows a table's schema by the same rule as Glue's adapter. */
class LocalCatalogTest {

    private static final List<CatalogColumn> ACCOUNT = List.of(new CatalogColumn("account_id", "string"));
    private static final TableDefinition ORDERS = new TableDefinition("orders", "s3://tarn-staging/orders/",
            List.of(new CatalogColumn("order_id", "bigint"), new CatalogColumn("total", "decimal(12,2)")), ACCOUNT);
    private static final Partition ACME = new Partition(List.of("acme"), "s3://tarn-staging/orders/account_id=acme/");

    @TempDir
    Path dir;

    private LocalCatalog catalog;

    @BeforeEach
    void catalogWithOrders() {
        catalog = new LocalCatalog(dir.resolve("catalog"));
        catalog.ensureTable(ORDERS);
        catalog.registerPartitions("orders", List.of(ACME));
    }

    @Test
    void aColumnAddedToTheDefinitionReachesTheTableWhichKeepsItsLocationAndPartitions() {
        TableDefinition withCoupon = new TableDefinition("orders", "s3://elsewhere/orders/",
                List.of(new CatalogColumn("order_id", "bigint"), new CatalogColumn("coupon", "string"),
                        new CatalogColumn("total", "decimal(14,2)")), ACCOUNT);

        catalog.ensureTable(withCoupon);

        assertThat(catalog.table("orders")).contains(new TableDefinition("orders", ORDERS.location(),
                withCoupon.columns(), ACCOUNT));
        assertThat(catalog.partitions("orders")).containsExactly(ACME);
    }

    @Test
    void aNarrowedTypeIsRefusedNamingTableAndColumnAndLeavesTheTable() throws Exception {
        String before = Files.readString(dir.resolve("catalog/orders.json"));
        TableDefinition totalAsString = new TableDefinition("orders", ORDERS.location(),
                List.of(new CatalogColumn("order_id", "bigint"), new CatalogColumn("total", "string")), ACCOUNT);

        assertThatThrownBy(() -> catalog.ensureTable(totalAsString))
                .isInstanceOf(CatalogException.class)
                .hasMessage("Cannot change table orders in the local catalog " + dir.resolve("catalog") + ": column"
                        + " 'total' would change type from decimal(12,2) to string, which Athena cannot read over the"
                        + " existing Parquet files");
        assertThat(Files.readString(dir.resolve("catalog/orders.json"))).isEqualTo(before);
    }

    @Test
    void aTableAsDefinedIsNotWrittenAgain() throws Exception {
        Path file = dir.resolve("catalog/orders.json");
        Files.setLastModifiedTime(file, java.nio.file.attribute.FileTime.fromMillis(0));

        catalog.ensureTable(ORDERS);

        assertThat(Files.getLastModifiedTime(file).toMillis()).isZero();
    }
}
