package io.tarn.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SchemaChangeTest {

    private static final List<CatalogColumn> ACCOUNT = List.of(new CatalogColumn("account_id", "string"));
    private static final TableDefinition ORDERS = table(ACCOUNT,
            "order_id", "int", "total", "decimal(12,2)", "rate", "float", "status", "string");

    @Test
    void sameColumnsAreNoChangeWhateverTheCaseBlanksOrLocation() {
        TableDefinition asGlueKeepsIt = new TableDefinition("orders", "s3://elsewhere/orders/", List.of(
                new CatalogColumn("ORDER_ID", "INT"), new CatalogColumn("total", "decimal(12, 2)"),
                new CatalogColumn("rate", "float"), new CatalogColumn("status", "string")), ACCOUNT);

        SchemaChange change = SchemaChange.between(asGlueKeepsIt, ORDERS);

        assertThat(change.isNone()).isTrue();
        assertThat(change.refusal()).isEmpty();
        assertThat(change.columns()).isEqualTo(asGlueKeepsIt.columns());
        assertThat(change.describe()).isEqualTo("no change");
    }

    @Test
    void columnsAddedAnywhereAndTheThreeWideningsAreAllowed() {
        TableDefinition wanted = table(ACCOUNT, "coupon", "string", "order_id", "bigint", "total", "decimal(18,2)",
                "note", "string", "rate", "double", "status", "string", "shipped_at", "timestamp");

        SchemaChange change = SchemaChange.between(ORDERS, wanted);

        assertThat(change.isNone()).isFalse();
        assertThat(change.refusal()).isEmpty();
        assertThat(change.columns()).isEqualTo(wanted.columns());
        assertThat(change.describe()).isEqualTo("widens column 'order_id' from int to bigint; "
                + "widens column 'total' from decimal(12,2) to decimal(18,2); widens column 'rate' from float to double; "
                + "adds column 'coupon' string; adds column 'note' string; adds column 'shipped_at' timestamp");
    }

    @Test
    void reorderedColumnsAreAChangeAthenaReadsByName() {
        SchemaChange change = SchemaChange.between(ORDERS,
                table(ACCOUNT, "status", "string", "order_id", "int", "total", "decimal(12,2)", "rate", "float"));

        assertThat(change.refusal()).isEmpty();
        assertThat(change.describe()).isEqualTo("reorders the columns");
    }

    @Test
    void aRemovedOrRenamedColumnIsRefusedNamingIt() {
        SchemaChange renamed = SchemaChange.between(ORDERS,
                table(ACCOUNT, "order_id", "int", "amount", "decimal(12,2)", "rate", "float", "status", "string"));

        assertThat(renamed.refusal()).contains("column 'total' would be removed or renamed, which Athena cannot read"
                + " over the existing Parquet files (they hold it under this name, and a new name reads as null)");
        assertThat(renamed.columns()).isEqualTo(ORDERS.columns());
    }

    @Test
    void typeChangesOtherThanTheWideningsAreRefused() {
        assertThat(refusal("total", "string")).contains(
                "column 'total' would change type from decimal(12,2) to string, which Athena cannot read over the"
                        + " existing Parquet files");
        assertThat(refusal("order_id", "string")).contains("column 'order_id' would change type from int to string"
                + ", which Athena cannot read over the existing Parquet files");
        assertThat(refusal("order_id", "double")).isPresent();
        assertThat(refusal("rate", "decimal(12,2)")).isPresent();
        assertThat(refusal("total", "decimal(10,2)")).as("narrowed").isPresent();
        assertThat(refusal("total", "decimal(14,3)")).as("another scale").isPresent();
        assertThat(refusal("total", "double")).isPresent();
        assertThat(refusal("status", "int")).isPresent();
    }

    @Test
    void partitionKeyChangesAreRefused() {
        List<CatalogColumn> withDay = List.of(new CatalogColumn("account_id", "string"), new CatalogColumn("dt", "string"));
        TableDefinition byDay = table(withDay, "order_id", "int");

        assertThat(SchemaChange.between(table(ACCOUNT, "order_id", "int"), byDay).refusal())
                .contains("partition key 'dt' would be added, which the existing partitions cannot follow");
        assertThat(SchemaChange.between(byDay, table(ACCOUNT, "order_id", "int")).refusal())
                .contains("partition key 'dt' would be removed, which the existing partitions cannot follow");
        assertThat(SchemaChange.between(byDay, table(List.of(withDay.get(0), new CatalogColumn("dt", "date")),
                "order_id", "int")).refusal())
                .contains("partition key 'dt' would change type from string to date, which the existing partitions"
                        + " cannot follow");
        assertThat(SchemaChange.between(byDay, table(List.of(withDay.get(1), withDay.get(0)), "order_id", "int"))
                .refusal())
                .contains("partition keys would be reordered from (account_id, dt) to (dt, account_id), which the"
                        + " existing partitions cannot follow");
    }

    private static java.util.Optional<String> refusal(String column, String type) {
        List<CatalogColumn> columns = new ArrayList<>();
        for (CatalogColumn c : ORDERS.columns()) {
            columns.add(c.name().equals(column) ? new CatalogColumn(column, type) : c);
        }
        return SchemaChange.between(ORDERS, new TableDefinition("orders", ORDERS.location(), columns, ACCOUNT)).refusal();
    }

    /** A table of name/type pairs. */
    private static TableDefinition table(List<CatalogColumn> partitionKeys, String... namesAndTypes) {
        List<CatalogColumn> columns = new ArrayList<>();
        for (int i = 0; i < namesAndTypes.length; i += 2) {
            columns.add(new CatalogColumn(namesAndTypes[i], namesAndTypes[i + 1]));
        }
        return new TableDefinition("orders", "s3://staging/orders/", columns, partitionKeys);
    }
}
