package io.tarn.functions.rawobject;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tarn.embedded.LambdaJar;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shaded jar that is deployed to Lambda, as built by {@code package}: what it carries, and that
 * it converts a raw object to Parquet on its own, in a JVM whose class path is that jar plus
 * {@link ShadedJarMain}. Run by failsafe ({@code ./mvnw verify}), after the jar exists.
 */
class ShadedJarIT {

    private static final Path LAMBDA_JAR = Path.of(System.getProperty(
            "tarn.lambdaJar", "target/tarn-raw-object-0.1.0-SNAPSHOT-lambda.jar"));
    private static final Path TEST_CLASSES = Path.of(System.getProperty("tarn.testClasses", "target/test-classes"));
    private static final Path SAMPLE = Path.of("../../samples/dms/shop/orders/LOAD00000001.csv");
    private static final Path EVENT = Path.of("../../events/s3-put.json");

    @TempDir
    Path temp;

    @Test
    void lambdaJarCarriesTheBundledPipelineAndNoHadoopOrTestLibraries() throws IOException {
        List<String> entries = LambdaJar.entries(LAMBDA_JAR);
        assertThat(entries).contains("pipeline.yaml", "io/tarn/functions/rawobject/RawObjectHandler.class",
                "io/tarn/parquet/TarnCodecFactory.class");
        assertThat(LambdaJar.under(entries, LambdaJar.NEVER_IN_A_FUNCTION)).isEmpty();
    }

    @Test
    void lambdaJarConvertsARawObjectToParquetInAJvmWithoutHadoop() throws Exception {
        Path lake = temp.resolve("lake");
        Path raw = lake.resolve("tarn-raw/dms/shop/orders/LOAD00000001.csv");
        Files.createDirectories(raw.getParent());
        Files.copy(SAMPLE, raw);
        LambdaJar.Run run = LambdaJar.run(LAMBDA_JAR, TEST_CLASSES, ShadedJarMain.class, temp,
                lake.toString(), EVENT.toAbsolutePath().toString());
        assertThat(run.exitCode()).as("exit code; stderr:%n%s", run.stderr()).isZero();

        JsonNode response = new ObjectMapper().readTree(String.join("\n", run.stdout()));
        assertThat(response.get("batchItemFailures")).isEmpty();
        JsonNode result = response.get("results").get(0);
        assertThat(result.get("status").asText()).isEqualTo("processed");
        assertThat(result.get("rowsRead").asLong()).isEqualTo(9);
        assertThat(result.get("rowsWritten").asLong()).isEqualTo(7);
        assertThat(result.get("rowsQuarantined").asLong()).isEqualTo(2);

        Path staging = lake.resolve("tarn-staging/orders");
        try (Connection duck = DriverManager.getConnection("jdbc:duckdb:"); Statement sql = duck.createStatement()) {
            List<String> rows = new ArrayList<>();
            try (ResultSet staged = sql.executeQuery("SELECT order_id, account_id, dt, total::VARCHAR FROM read_parquet('"
                    + staging + "/*/*/*.parquet', hive_partitioning = true) ORDER BY order_id")) {
                while (staged.next()) {
                    rows.add(staged.getLong(1) + "|" + staged.getString(2) + "|" + staged.getObject(3) + "|"
                            + staged.getString(4));
                }
            }
            assertThat(rows).containsExactly(
                    "1001|acme|2024-05-30|120.50",
                    "1002|acme|2024-05-30|75.00",
                    "1003|globex|2024-05-31|1999.99",
                    "1004|globex|2024-05-31|15.25",
                    "1005|initech|2024-05-31|42.00",
                    "1006|acme|2024-05-31|10.00",
                    "1009|globex|2024-06-01|-20.00");
            try (ResultSet codecs = sql.executeQuery("SELECT DISTINCT compression FROM parquet_metadata('"
                    + staging + "/*/*/*.parquet')")) {
                assertThat(codecs.next()).isTrue();
                assertThat(codecs.getString(1)).isEqualTo("ZSTD");
                assertThat(codecs.next()).isFalse();
            }
        }
        assertThat(lake.resolve("tarn-staging/quarantine/orders")).isDirectory();
    }
}
