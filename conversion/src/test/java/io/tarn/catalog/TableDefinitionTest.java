package io.tarn.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import io.tarn.parquet.StagingSchema;
import io.tarn.pipeline.PipelineLoader;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class TableDefinitionTest {

    private static final List<CatalogColumn> COLUMNS = List.of(new CatalogColumn("day", "date"), new CatalogColumn("n", "bigint"));
    private static final List<CatalogColumn> KEYS = List.of(new CatalogColumn("account_id", "string"));

    @Test
    void fingerprintFollowsColumnsTypesAndPartitionKeysNotTheLocation() {
        String fingerprint = new TableDefinition("t", "s3://a/t/", COLUMNS, KEYS).fingerprint();

        assertThat(fingerprint).matches("[0-9a-f]{16}");
        assertThat(new TableDefinition("t", "s3://b/elsewhere/", COLUMNS, KEYS).fingerprint()).isEqualTo(fingerprint);
        assertThat(new TableDefinition("t", "s3://a/t/", List.of(COLUMNS.get(0), new CatalogColumn("n", "int")), KEYS)
                .fingerprint()).isNotEqualTo(fingerprint);
        assertThat(new TableDefinition("t", "s3://a/t/", COLUMNS, List.of()).fingerprint()).isNotEqualTo(fingerprint);
    }

    @Test
    void stagingSchemaFingerprintIsItsTableDefinitions() {
        StagingSchema orders = new StagingSchema(
                PipelineLoader.load(Path.of("../pipeline.yaml")).dataset("orders").orElseThrow());

        assertThat(orders.fingerprint()).isEqualTo(orders.changesTableDefinition("s3://staging/orders_changes/").fingerprint());
    }
}
