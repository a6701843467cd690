package io.tarn.functions.crawlerrefresh;

import io.tarn.embedded.LambdaContext;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
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
        assertThat(LAMBDA_JAR).isRegularFile();
        long size = Files.size(LAMBDA_JAR);
        System.out.printf("Lambda jar %s: %,d bytes (%.1f MiB)%n", LAMBDA_JAR.getFileName(), size, size / 1048576.0);

        List<String> entries = new ArrayList<>();
        try (JarFile jar = new JarFile(LAMBDA_JAR.toFile())) {
            jar.stream().map(JarEntry::getName).forEach(entries::add);
        }
        assertThat(entries).contains("io/tarn/functions/crawlerrefresh/CrawlerRefreshHandler.class", "io/tarn/etl/CrawlerRefreshService.class");
        assertThat(entries).filteredOn(name -> name.startsWith("org/apache/hadoop/") || name.startsWith("org/apache/spark/")
                || name.startsWith("org/apache/parquet/") || name.startsWith("org/apache/avro/")
                || name.startsWith("com/github/luben/") || name.startsWith("org/xerial/snappy/")
                || name.startsWith("software/amazon/awssdk/services/glue/")
                || name.startsWith("software/amazon/awssdk/services/athena/")
                || name.startsWith("software/amazon/awssdk/services/secretsmanager/")).isEmpty();
        assertThat(entries).filteredOn(name -> name.startsWith("org/junit/") || name.startsWith("org/assertj/")
                || name.startsWith("io/tarn/embedded/") || name.startsWith("software/amazon/awssdk/http/apache/")
                || name.startsWith("io/netty/")).isEmpty();
    }

    @Test
    void lambdaJarWiresTheServiceAndAnswersTheSampleEvent() throws Exception {
        Path stdout = temp.resolve("stdout.txt");
        Path stderr = temp.resolve("stderr.log");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();

        Process process = new ProcessBuilder(java, "-cp",
                LAMBDA_JAR.toAbsolutePath() + File.pathSeparator + TEST_CLASSES.toAbsolutePath()
                        // The test harness's LambdaContext; the jar itself brings the Context interface.
                        + File.pathSeparator + Path.of(LambdaContext.class.getProtectionDomain().getCodeSource().getLocation().toURI()),
                ShadedJarMain.class.getName(), EVENT.toAbsolutePath().toString())
                .redirectOutput(stdout.toFile())
                .redirectError(stderr.toFile())
                .start();
        assertThat(process.waitFor(2, TimeUnit.MINUTES)).as("the child JVM finished").isTrue();
        assertThat(process.exitValue())
                .as("exit code; stderr:%n%s", Files.readString(stderr, StandardCharsets.UTF_8))
                .isZero();

        assertThat(Files.readAllLines(stdout, StandardCharsets.UTF_8)).containsExactly("wiring ok", "{\"changed\":true,\"tables\":[\"CHECK etl-20240601T0200-7f3a\"]}");
    }
}
