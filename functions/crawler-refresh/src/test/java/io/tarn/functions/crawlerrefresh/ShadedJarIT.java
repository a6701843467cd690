package io.tarn.functions.crawlerrefresh;

import static org.assertj.core.api.Assertions.assertThat;

import io.tarn.embedded.LambdaJar;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shaded jar that is deployed to Lambda, as built by {@code package}: what it carries and that
 * the wiring and the handler work in a JVM whose class path is that jar plus {@link ShadedJarMain}.
 * Run by failsafe ({@code ./mvnw verify}).
 */
class ShadedJarIT {

    private static final Path LAMBDA_JAR = Path.of(System.getProperty(
            "tarn.lambdaJar", "target/tarn-crawler-refresh-0.1.0-SNAPSHOT-lambda.jar"));
    private static final Path TEST_CLASSES = Path.of(System.getProperty("tarn.testClasses", "target/test-classes"));
    private static final Path EVENT = Path.of("../../events/crawler-refresh-check.json");

    @TempDir
    Path temp;

    @Test
    void lambdaJarCarriesTheHandlerAndNoHadoopSparkParquetOrTestLibraries() throws IOException {
        List<String> entries = LambdaJar.entries(LAMBDA_JAR);
        assertThat(entries).contains("io/tarn/functions/crawlerrefresh/CrawlerRefreshHandler.class", "io/tarn/etl/CrawlerRefreshService.class");
        assertThat(LambdaJar.under(entries, LambdaJar.NEVER_IN_A_FUNCTION)).isEmpty();
        // Neither the data plane's Parquet writing nor the SDK modules this function does not call.
        assertThat(LambdaJar.under(entries, LambdaJar.PARQUET_WRITING)).isEmpty();
        assertThat(LambdaJar.under(entries, List.of("software/amazon/awssdk/services/glue/",
                "software/amazon/awssdk/services/athena/", "software/amazon/awssdk/services/secretsmanager/"))).isEmpty();
    }

    @Test
    void lambdaJarWiresTheServiceAndAnswersTheSampleEvent() throws Exception {
        LambdaJar.Run run = LambdaJar.run(LAMBDA_JAR, TEST_CLASSES, ShadedJarMain.class, temp, EVENT.toAbsolutePath().toString());

        assertThat(run.exitCode()).as("exit code; stderr:%n%s", run.stderr()).isZero();
        assertThat(run.stdout()).containsExactly("wiring ok", "{\"changed\":true,\"tables\":[\"CHECK etl-20240601T0200-7f3a\"]}");
    }
}
