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
    private static final Path SAMPLES = Path.of("../../samples");
    private static final Path SAMPLE = SAMPLES.resolve("dms/shop/orders/LOAD00000001.csv");
    private static final Path EVENTS = Path.of("../../events");
    private static final Path EVENT = EVENTS.resolve("s3-put.json");

    /** The events serializer's relocated Gson, which the shade step leaves out. */
    private static final String UNUSED_GSON = "com/amazonaws/lambda/thirdparty/com/google/gson/";

    @TempDir
    Path temp;

    @Test
    void lambdaJarCarriesTheBundledPipelineAndNoHadoopOrTestLibraries() throws IOException {
        List<String> entries = LambdaJar.entries(LAMBDA_JAR);
        assertThat(entries).contains("pipeline.yaml", "io/tarn/functions/rawobject/RawObjectHandler.class",
                "io/tarn/parquet/TarnCodecFactory.class", "org/joda/time/DateTime.class");
        assertThat(LambdaJar.under(entries, LambdaJar.NEVER_IN_A_FUNCTION)).isEmpty();
        assertThat(LambdaJar.under(entries, List.of(UNUSED_GSON))).isEmpty();
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

    @Test
    void lambdaJarDecodesAndAnswersEverySampleEventOfTheFunction() throws Exception {
        // The events library's serializer loads the event classes (and Joda's DateTime) by name from
        // the function's class loader: only the jar itself shows that they are all there.
        Path lake = temp.resolve("lake");
        for (String key : List.of("dms/shop/orders/LOAD00000001.csv", "dms/shop/orders/20240601-1200000000.csv",
                "dms/app/events/LOAD00000001.csv", "azuresql/dbo/accounts/sample-accounts.csv",
                "azuresql/dbo/invoices/sample-invoices.csv")) {
            Path raw = lake.resolve("tarn-raw").resolve(key);
            Files.createDirectories(raw.getParent());
            Files.copy(SAMPLES.resolve(key), raw);
        }
        LambdaJar.Run run = LambdaJar.run(LAMBDA_JAR, TEST_CLASSES, ShadedJarMain.class, temp, lake.toString(),
                EVENTS.resolve("s3-put.json").toAbsolutePath().toString(),
                EVENTS.resolve("eventbridge-object-created.json").toAbsolutePath().toString(),
                EVENTS.resolve("sqs-eventbridge-batch.json").toAbsolutePath().toString());
        assertThat(run.exitCode()).as("exit code; stderr:%n%s", run.stderr()).isZero();

        assertThat(run.stdout()).hasSize(3);
        ObjectMapper json = new ObjectMapper();
        JsonNode s3Put = json.readTree(run.stdout().get(0)).get("results").get(0);
        assertThat(s3Put.get("source").asText()).isEqualTo("s3://tarn-raw/dms/shop/orders/LOAD00000001.csv");
        assertThat(s3Put.get("status").asText()).isEqualTo("processed");
        JsonNode eventBridge = json.readTree(run.stdout().get(1)).get("results").get(0);
        assertThat(eventBridge.get("source").asText()).isEqualTo("s3://tarn-raw/dms/shop/orders/20240601-1200000000.csv");
        assertThat(eventBridge.get("status").asText()).isEqualTo("processed");
        assertThat(run.stdout().get(2)).isEqualTo("{\"batchItemFailures\":[]}");
        assertThat(lake.resolve("tarn-staging/manifests")).isDirectoryContaining("glob:**/events")
                .isDirectoryContaining("glob:**/accounts").isDirectoryContaining("glob:**/invoices");
    }
}
