package io.tarn.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class PipelineLoaderTest {

    private static final String VALID = """
            datasets:
              - name: orders
                source: dms-mysql
                source_table: shop.orders
                raw_prefix: dms/shop/orders/
                format: { layout: dms, null_token: "\\\\N" }
                columns:
                  - { name: order_id, type: long, nullable: false }
                  - { name: account_id, type: string, nullable: false }
                  - { name: total, type: "decimal(12,2)" }
                  - { name: created_at, type: timestamp }
                primary_key: [order_id]
                account_column: account_id
                partition_date: created_at
            """;

    @Test
    void loadsTheRepositorysSamplePipeline() {
        PipelineConfig config = PipelineLoader.load(Path.of("../pipeline.yaml"));

        assertThat(config.datasets()).extracting(Dataset::name).containsExactly("orders", "events", "accounts", "invoices");
        Dataset orders = config.dataset("orders").orElseThrow();
        assertThat(orders.source()).isEqualTo(SourceKind.DMS_MYSQL);
        assertThat(orders.format().layout()).isEqualTo(CsvFormat.Layout.DMS);
        assertThat(orders.format().nullToken()).contains("\\N");
        assertThat(orders.format().commitTimestamp()).isTrue();
        assertThat(orders.column("total").type()).isEqualTo(ColumnType.decimal(12, 2));
        assertThat(orders.partitionKeys()).containsExactly("account_id", "dt");
        Dataset events = config.dataset("events").orElseThrow();
        assertThat(events.column("account_id").fromJson()).contains(new ColumnSpec.JsonField("_doc", "account_id"));
        assertThat(events.csvColumns()).extracting(ColumnSpec::name).containsExactly("_id", "_doc");
        assertThat(config.dataset("accounts").orElseThrow().format().layout()).isEqualTo(CsvFormat.Layout.HEADER);
        JoinSpec accountDaily = config.join("account_daily").orElseThrow();
        assertThat(accountDaily.sources()).containsExactly("orders", "invoices", "events", "accounts");
        assertThat(accountDaily.partitionBy()).isEqualTo("account_id");
        assertThat(accountDaily.sql()).startsWith("WITH o AS (");
    }

    private static final String REPOSITORY_PIPELINE = read(Path.of("../pipeline.yaml"));

    @Test
    void deleteDetectionIsReadForTheCursorStrategies() {
        PipelineConfig config = PipelineLoader.parse(REPOSITORY_PIPELINE, "pipeline.yaml");

        assertThat(config.dataset("accounts").orElseThrow().poll().orElseThrow().deleteDetection())
                .contains(java.time.Duration.ofHours(6));
        assertThat(PipelineLoader.parse(REPOSITORY_PIPELINE.replace("{ every: 6h }", "{ every: 90m }"), "p.yaml")
                .dataset("invoices").orElseThrow().poll().orElseThrow().deleteDetection())
                .contains(java.time.Duration.ofMinutes(90));
        assertThat(PipelineLoader.parse(REPOSITORY_PIPELINE.replace("      delete_detection: { every: 6h }\n", ""), "p.yaml")
                .dataset("accounts").orElseThrow().poll().orElseThrow().deleteDetection()).isEmpty();
    }

    @Test
    void deleteDetectionThatCannotWorkIsRefusedNamingWhere() {
        assertThatThrownBy(() -> PipelineLoader.parse(REPOSITORY_PIPELINE.replace("{ every: 6h }", "{ every: 0h }"), "p.yaml"))
                .isInstanceOf(PipelineConfigException.class)
                .hasMessageContaining("dataset 'accounts'").hasMessageContaining("every")
                .hasMessageContaining("must be a positive number followed by s, m, h or d (for example 6h), got '0h'");
        assertThatThrownBy(() -> PipelineLoader.parse(REPOSITORY_PIPELINE.replace("{ every: 6h }", "{ every: 6 hours }"), "p.yaml"))
                .hasMessageContaining("got '6 hours'");
        assertThatThrownBy(() -> PipelineLoader.parse(REPOSITORY_PIPELINE.replace("{ every: 6h }", "{ every: 6h, at: noon }"), "p.yaml"))
                .hasMessageContaining("at");
        assertThatThrownBy(() -> PipelineLoader.parse(REPOSITORY_PIPELINE
                .replace("strategy: rowversion\n      cursor_column: rv", "strategy: change_tracking"), "p.yaml"))
                .hasMessageContaining("delete_detection").hasMessageContaining("does not apply to change_tracking");
    }

    @Test
    void aRawPrefixUnderTheKeySnapshotsIsRefused() {
        assertThatThrownBy(() -> PipelineLoader.parse(VALID.replace("raw_prefix: dms/shop/orders/",
                "raw_prefix: key-snapshots/orders/"), "p.yaml"))
                .isInstanceOf(PipelineConfigException.class)
                .hasMessageContaining("'key-snapshots/orders/' is under key-snapshots/, where the poller keeps its key snapshots");
    }

    private static String read(Path file) {
        try {
            return java.nio.file.Files.readString(file);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static final String JOIN = """
            joins:
              - name: daily
                sources: [orders]
                partition_by: account_id
                sql: SELECT account_id, count(*) AS n FROM orders GROUP BY account_id
            """;

    @Test
    void joinsAreOptionalAndLoadedWhenDeclared() {
        assertThat(PipelineLoader.parse(VALID, "pipeline.yaml").joins()).isEmpty();

        PipelineConfig config = PipelineLoader.parse(VALID + JOIN, "pipeline.yaml");

        assertThat(config.joins()).containsExactly(new JoinSpec("daily", java.util.List.of("orders"), "account_id",
                "SELECT account_id, count(*) AS n FROM orders GROUP BY account_id"));
    }

    @Test
    void joinSourceMustBeADeclaredDataset() {
        String yaml = VALID + JOIN.replace("sources: [orders]", "sources: [orders, refunds]");

        assertThatThrownBy(() -> PipelineLoader.parse(yaml, "pipeline.yaml"))
                .isInstanceOf(PipelineConfigException.class)
                .hasMessage("pipeline.yaml: join 'daily': sources: names dataset 'refunds', which is not declared in datasets");
    }

    @Test
    void joinIsPartitionedByAccount() {
        String yaml = VALID + JOIN.replace("partition_by: account_id", "partition_by: day");

        assertThatThrownBy(() -> PipelineLoader.parse(yaml, "pipeline.yaml"))
                .isInstanceOf(PipelineConfigException.class)
                .hasMessage("pipeline.yaml: join 'daily': partition_by: must be account_id (a joined table is"
                        + " partitioned by account like every staging table), got 'day'");
    }

    @Test
    void joinNeedsSqlAndAFreeName() {
        assertThatThrownBy(() -> PipelineLoader.parse(VALID + JOIN.replace(
                        "    sql: SELECT account_id, count(*) AS n FROM orders GROUP BY account_id\n", ""), "pipeline.yaml"))
                .isInstanceOf(PipelineConfigException.class)
                .hasMessage("pipeline.yaml: join 'daily': sql: is required");
        assertThatThrownBy(() -> PipelineLoader.parse(VALID + JOIN.replace("name: daily", "name: orders"), "pipeline.yaml"))
                .isInstanceOf(PipelineConfigException.class)
                .hasMessage("pipeline.yaml: join 'orders': name: 'orders' is already a dataset; a join writes a staging"
                        + " table of its own");
    }

    @Test
    void joinUnknownFieldsAndDuplicatesAreNamed() {
        assertThatThrownBy(() -> PipelineLoader.parse(VALID + JOIN.replace("partition_by:", "partitioned_by:"), "pipeline.yaml"))
                .isInstanceOf(PipelineConfigException.class)
                .hasMessageStartingWith("pipeline.yaml: join 'daily': partition_by: is required");
        String twice = VALID + JOIN + JOIN.replace("joins:\n", "");
        assertThatThrownBy(() -> PipelineLoader.parse(twice, "pipeline.yaml"))
                .isInstanceOf(PipelineConfigException.class)
                .hasMessage("pipeline.yaml: join 'daily' is declared twice");
    }

    @Test
    void findsTheDatasetOfARawKey() {
        PipelineConfig config = PipelineLoader.parse(VALID, "pipeline.yaml");

        assertThat(config.datasetForKey("dms/shop/orders/2024/06/01/20240601-1200.csv")).map(Dataset::name).contains("orders");
        assertThat(config.datasetForKey("dms/shop/customers/LOAD00000001.csv")).isEmpty();
    }

    @Test
    void unknownTypeNamesDatasetColumnAndType() {
        String yaml = VALID.replace("type: \"decimal(12,2)\"", "type: money");

        assertThatThrownBy(() -> PipelineLoader.parse(yaml, "pipeline.yaml"))
                .isInstanceOf(PipelineConfigException.class)
                .hasMessage("pipeline.yaml: dataset 'orders': columns[2] 'total': type: unknown type 'money' "
                        + "(expected string, int, long, double, decimal(p,s), boolean, date or timestamp)");
    }

    @Test
    void primaryKeyMustNameADeclaredColumn() {
        String yaml = VALID.replace("primary_key: [order_id]", "primary_key: [id]");

        assertThatThrownBy(() -> PipelineLoader.parse(yaml, "pipeline.yaml"))
                .hasMessage("pipeline.yaml: dataset 'orders': primary_key: names column 'id', which is not declared in columns");
    }

    @Test
    void accountColumnMustBeAString() {
        String yaml = VALID.replace("account_column: account_id", "account_column: order_id");

        assertThatThrownBy(() -> PipelineLoader.parse(yaml, "pipeline.yaml"))
                .hasMessage("pipeline.yaml: dataset 'orders': account_column: column 'order_id' must be of type string, is long");
    }

    @Test
    void decimalPrecisionIsBounded() {
        String yaml = VALID.replace("decimal(12,2)", "decimal(40,2)");

        assertThatThrownBy(() -> PipelineLoader.parse(yaml, "pipeline.yaml"))
                .hasMessageEndingWith("columns[2] 'total': type: decimal precision must be 1 to 38, got 40");
    }

    @Test
    void overlappingRawPrefixesAreRefused() {
        String yaml = VALID + VALID.replace("datasets:\n", "").replace("name: orders", "name: orders_copy")
                .replace("raw_prefix: dms/shop/orders/", "raw_prefix: dms/shop/");

        assertThatThrownBy(() -> PipelineLoader.parse(yaml, "pipeline.yaml"))
                .hasMessage("pipeline.yaml: datasets 'orders' and 'orders_copy' have overlapping raw prefixes "
                        + "'dms/shop/orders/' and 'dms/shop/': a raw object must belong to one dataset");
    }

    @Test
    void unknownFieldsAreNamed() {
        String yaml = VALID.replace("account_column: account_id", "account_column: account_id\n    acount: x");

        assertThatThrownBy(() -> PipelineLoader.parse(yaml, "pipeline.yaml"))
                .hasMessageStartingWith("pipeline.yaml: dataset 'orders': acount: unknown field");
    }

    @Test
    void reservedColumnNamesAreRefused() {
        String yaml = VALID.replace("name: total", "name: _op");

        assertThatThrownBy(() -> PipelineLoader.parse(yaml, "pipeline.yaml"))
                .hasMessage("pipeline.yaml: dataset 'orders': columns[2] '_op': name: '_op' is reserved for a column Tarn adds");
    }

    @Test
    void missingColumnsListIsNamed() {
        String yaml = """
                datasets:
                  - name: orders
                    source: dms-mysql
                    source_table: shop.orders
                    raw_prefix: dms/shop/orders/
                    primary_key: [order_id]
                    account_column: account_id
                """;

        assertThatThrownBy(() -> PipelineLoader.parse(yaml, "pipeline.yaml"))
                .hasMessage("pipeline.yaml: dataset 'orders': columns: is required");
    }

    @Test
    void invalidYamlIsReportedWithTheFileName() {
        assertThatThrownBy(() -> PipelineLoader.parse("datasets: [", "pipeline.yaml"))
                .isInstanceOf(PipelineConfigException.class)
                .hasMessageStartingWith("pipeline.yaml: not valid YAML");
    }
}
