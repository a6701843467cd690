package io.tarn.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TenantTablesTest {

    private static final List<CatalogColumn> COLUMNS = List.of(new CatalogColumn("order_id", "bigint"));

    @Test
    void noTenantDatabaseMeansNoTwins() {
        assertThat(TenantTables.fromEnv(Map.of())).isEmpty();
        assertThat(TenantTables.fromEnv(Map.of(TenantTables.TENANT_GLUE_DATABASE, " "))).isEmpty();
    }

    @Test
    void theDateRangeDefaultsToEverythingUpToAYearAhead() {
        assertThat(TenantTables.fromEnv(Map.of(TenantTables.TENANT_GLUE_DATABASE, "tarn_prod_tenants")))
                .contains(new TenantTables("tarn_prod_tenants", "1970-01-01,NOW+1YEARS"));
    }

    @Test
    void aDateRangeAthenaWouldNotReadIsRefusedNamingTheVariable() {
        assertThatThrownBy(() -> TenantTables.fromEnv(Map.of(TenantTables.TENANT_GLUE_DATABASE, "t",
                TenantTables.TENANT_DATE_RANGE, "2020-01-01")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Environment variable TENANT_DATE_RANGE must be two days (yyyy-MM-dd) or NOW offsets"
                        + " (NOW-3YEARS), comma-separated, got '2020-01-01'");
    }

    @Test
    void anAccountPartitionedTableProjectsItsAccountFromTheQuery() {
        TableDefinition daily = new TableDefinition("account_daily", "s3://staging/account_daily", COLUMNS,
                List.of(new CatalogColumn("account_id", "string")));

        assertThat(new TenantTables("t", "NOW-3YEARS,NOW").projection(daily)).containsExactly(
                Map.entry("projection.enabled", "true"),
                Map.entry("projection.account_id.type", "injected"),
                Map.entry("storage.location.template", "s3://staging/account_daily/account_id=${account_id}/"));
    }

    @Test
    void aDayPartitionIsProjectedAsADateOverTheRange() {
        TableDefinition orders = new TableDefinition("orders", "s3://staging/orders/", COLUMNS,
                List.of(new CatalogColumn("account_id", "string"), new CatalogColumn("dt", "string")));

        assertThat(new TenantTables("t", "2020-01-01,NOW+1DAYS").projection(orders))
                .containsEntry("projection.dt.type", "date")
                .containsEntry("projection.dt.format", "yyyy-MM-dd")
                .containsEntry("projection.dt.range", "2020-01-01,NOW+1DAYS")
                .containsEntry("projection.dt.interval", "1")
                .containsEntry("projection.dt.interval.unit", "DAYS")
                .containsEntry("storage.location.template", "s3://staging/orders/account_id=${account_id}/dt=${dt}/");
    }
}
