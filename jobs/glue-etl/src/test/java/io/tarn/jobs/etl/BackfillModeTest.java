package io.tarn.jobs.etl;

import static org.assertj.core.api.Assertions.assertThat;

import io.tarn.etl.RunManifest;
import io.tarn.etl.RunManifest.PartitionOutput;
import io.tarn.etl.RunManifest.TableOutput;
import io.tarn.ingest.Manifest;
import io.tarn.parquet.StagingSchema;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Backfill mode against the RawObject function's own path, over the same raw objects. */
class BackfillModeTest {

    private static final String LAMBDA = "lambda-staging";
    private static final String BACKFILL = "backfill-staging";
    private static final List<String> TABLES = List.of("orders_changes", "events_changes", "accounts_changes", "invoices_changes");

    @TempDir
    Path dir;

    @Test
    void backfillWritesTheSameObjectsAndRowsAsTheFunction() throws Exception {
        try (TestLake lake = new TestLake(dir, LAMBDA, BACKFILL)) {
            List<String> keys = new ArrayList<>(lake.putSamples());
            keys.add(lake.put("dms/shop/orders/LOAD00000002.csv", JoinModeTest.ORDERS_LOAD));
            keys.add(lake.put("dms/shop/orders/20240602-1000000000.csv", JoinModeTest.ORDERS_CDC));
            List<Manifest> lambda = keys.stream().map(key -> lake.ingest(LAMBDA, key)).toList();

            RunManifest run = EtlJob.run(TestLake.spark(),
                    lake.settings(EtlSettings.Mode.BACKFILL, "backfill-1", BACKFILL, List.of()));

            for (String table : TABLES) {
                assertThat(keys(lake.bucketDir(BACKFILL), table)).as(table)
                        .isNotEmpty()
                        .isEqualTo(keys(lake.bucketDir(LAMBDA), table));
            }
            assertThat(keys(lake.bucketDir(BACKFILL), "manifests")).isEqualTo(keys(lake.bucketDir(LAMBDA), "manifests"));
            try (Connection duckdb = TestLake.duckdb()) {
                for (String table : TABLES) {
                    assertThat(rows(duckdb, lake.bucketDir(BACKFILL), table)).as(table)
                            .isNotEmpty()
                            .isEqualTo(rows(duckdb, lake.bucketDir(LAMBDA), table));
                }
            }

            assertThat(run.mode()).isEqualTo("backfill");
            assertThat(run.tables()).extracting(TableOutput::table).containsExactlyElementsOf(TABLES);
            TableOutput orders = run.tables().get(0);
            assertThat(orders.location()).isEqualTo("s3://backfill-staging/orders_changes/");
            assertThat(orders.schemaFingerprint())
                    .isEqualTo(new StagingSchema(lake.pipeline.dataset("orders").orElseThrow()).fingerprint());
            assertThat(orders.partitionKeys()).extracting(c -> c.name()).containsExactly("account_id", "dt");
            List<String> lambdaOrderPartitions = lambda.stream().filter(m -> m.table().equals("orders_changes"))
                    .flatMap(m -> m.partitions().stream())
                    .map(p -> p.location().replace("s3://" + LAMBDA + "/", "s3://" + BACKFILL + "/"))
                    .distinct().sorted().toList();
            assertThat(orders.partitions()).extracting(PartitionOutput::location).isEqualTo(lambdaOrderPartitions);
            // The change log's day is the day each object landed, the same for both.
            assertThat(orders.partitions()).extracting(PartitionOutput::location)
                    .anyMatch(location -> location.matches("s3://backfill-staging/orders_changes/account_id=a%2Fb/dt=\\d{4}-\\d{2}-\\d{2}/"));
            assertThat(orders.partitions().stream().mapToLong(PartitionOutput::rows).sum())
                    .isEqualTo(lambda.stream().filter(m -> m.table().equals("orders_changes")).mapToLong(Manifest::rowsWritten).sum());
            assertThat(lake.bucketDir(BACKFILL).resolve("etl-runs/backfill-1.json")).exists();
        }
    }

    /** Object keys under a prefix of a bucket folder, relative to the bucket. */
    private static List<String> keys(Path bucket, String prefix) throws Exception {
        Path folder = bucket.resolve(prefix);
        if (!Files.exists(folder)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(folder)) {
            return files.filter(Files::isRegularFile).map(f -> bucket.relativize(f).toString()).sorted().toList();
        }
    }

    private static List<List<String>> rows(Connection duckdb, Path bucket, String table) throws Exception {
        return TestLake.rows(duckdb, "SELECT * FROM read_parquet('" + bucket.resolve(table)
                + "/**/*.parquet', hive_partitioning = true, hive_types_autocast = false) ORDER BY ALL");
    }
}
