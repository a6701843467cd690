package io.tarn.functions.sqlpoller;

import io.tarn.embedded.LambdaContext;
import static org.assertj.core.api.Assertions.assertThat;

import io.tarn.aws.AwsClients;
import io.tarn.aws.AwsSettings;
import io.tarn.embedded.MotoServer;
import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * The shaded jar that is deployed to Lambda, as built by {@code package}: what it carries (the SQL
 * Server driver, no Parquet stack) and that the wiring, the driver and the handler work in a JVM
 * whose class path is that jar plus {@link ShadedJarMain}. Run by failsafe ({@code ./mvnw verify}).
 */
class ShadedJarIT {

    private static final Path LAMBDA_JAR = Path.of(System.getProperty(
            "tarn.lambdaJar", "target/tarn-sql-poller-0.1.0-SNAPSHOT-lambda.jar"));
    private static final Path TEST_CLASSES = Path.of(System.getProperty("tarn.testClasses", "target/test-classes"));
    private static final Path EVENT = Path.of("../../events/poll-manual.json");

    @TempDir
    Path temp;

    @Test
    void lambdaJarCarriesTheDriverAndThePipelineAndNoParquetHadoopOrTestLibraries() throws IOException {
        assertThat(LAMBDA_JAR).isRegularFile();
        long size = Files.size(LAMBDA_JAR);
        System.out.printf("Lambda jar %s: %,d bytes (%.1f MiB)%n", LAMBDA_JAR.getFileName(), size, size / 1048576.0);

        List<String> entries = new ArrayList<>();
        String drivers;
        try (JarFile jar = new JarFile(LAMBDA_JAR.toFile())) {
            jar.stream().map(JarEntry::getName).forEach(entries::add);
            drivers = new String(jar.getInputStream(jar.getEntry("META-INF/services/java.sql.Driver")).readAllBytes(),
                    StandardCharsets.UTF_8);
        }
        assertThat(entries).contains("pipeline.yaml", "io/tarn/functions/sqlpoller/SqlPollerHandler.class",
                "io/tarn/poll/SqlPollerService.class", "com/microsoft/sqlserver/jdbc/SQLServerDriver.class");
        assertThat(drivers).contains("com.microsoft.sqlserver.jdbc.SQLServerDriver");
        assertThat(entries).filteredOn(name -> name.startsWith("org/apache/parquet/") || name.startsWith("org/apache/avro/")
                || name.startsWith("org/locationtech/jts/") || name.startsWith("com/github/luben/")
                || name.startsWith("org/xerial/snappy/") || name.startsWith("org/apache/hadoop/")).isEmpty();
        assertThat(entries).filteredOn(name -> name.startsWith("org/junit/") || name.startsWith("org/assertj/")
                || name.startsWith("org/h2/") || name.startsWith("org/gaul/") || name.startsWith("io/tarn/embedded/")
                || name.startsWith("software/amazon/awssdk/http/apache/") || name.startsWith("io/netty/")).isEmpty();
    }

    @Test
    void lambdaJarWiresThePollerFindsTheDriverThroughTheSecretAndAnswersAnEvent() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        AwsSettings moto = AwsSettings.local(MotoServer.shared().endpoint(), "us-east-1", "test", "test");
        String secretArn;
        try (SecretsManagerClient secrets = new AwsClients(moto).build(SecretsManagerClient.builder())) {
            secretArn = secrets.createSecret(b -> b.name("tarn/azuresql-" + UUID.randomUUID()).secretString(
                    "{\"host\": \"127.0.0.1\", \"port\": " + closedPort
                            + ", \"database\": \"sales\", \"user\": \"poller\", \"password\": \"p\"}")).arn();
        }
        Path stdout = temp.resolve("stdout.txt");
        Path stderr = temp.resolve("stderr.log");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();

        Process process = new ProcessBuilder(java, "-cp",
                LAMBDA_JAR.toAbsolutePath() + File.pathSeparator + TEST_CLASSES.toAbsolutePath()
                        // The test harness's LambdaContext; the jar itself brings the Context interface.
                        + File.pathSeparator + Path.of(LambdaContext.class.getProtectionDomain().getCodeSource().getLocation().toURI()),
                ShadedJarMain.class.getName(), moto.endpointOverride().orElseThrow().toString(), secretArn,
                EVENT.toAbsolutePath().toString())
                .redirectOutput(stdout.toFile())
                .redirectError(stderr.toFile())
                .start();
        assertThat(process.waitFor(2, TimeUnit.MINUTES)).as("the child JVM finished").isTrue();
        assertThat(process.exitValue())
                .as("exit code; stderr:%n%s", Files.readString(stderr, StandardCharsets.UTF_8))
                .isZero();

        assertThat(Files.readAllLines(stdout, StandardCharsets.UTF_8)).containsExactly(
                "wiring ok",
                "driver com.microsoft.sqlserver.jdbc.SQLServerDriver",
                "connect com.microsoft.sqlserver.jdbc.SQLServerException 08S01",
                "{\"tables\":[{\"dataset\":\"invoices\",\"strategy\":\"timestamp\",\"pages\":0,\"rows\":0,\"objectKeys\":[],"
                        + "\"watermarkBefore\":\"\",\"watermarkAfter\":\"\",\"caughtUp\":true,"
                        + "\"stoppedBecause\":\"remaining PT5M\"}]}");
    }
}
