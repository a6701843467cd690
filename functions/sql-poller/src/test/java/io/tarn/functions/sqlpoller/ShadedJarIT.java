package io.tarn.functions.sqlpoller;

import static org.assertj.core.api.Assertions.assertThat;

import io.tarn.aws.AwsClients;
import io.tarn.aws.AwsSettings;
import io.tarn.embedded.LambdaJar;
import io.tarn.embedded.MotoServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
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

    private static final Path LAMBDA_JAR = LambdaJar.built("tarn-sql-poller");
    private static final Path EVENTS = Path.of("../../events");

    @TempDir
    Path temp;

    @Test
    void lambdaJarCarriesTheDriverAndThePipelineAndNoParquetHadoopOrTestLibraries() throws IOException {
        List<String> entries = LambdaJar.entries(LAMBDA_JAR);
        String drivers;
        try (JarFile jar = new JarFile(LAMBDA_JAR.toFile())) {
            drivers = new String(jar.getInputStream(jar.getEntry("META-INF/services/java.sql.Driver")).readAllBytes(),
                    StandardCharsets.UTF_8);
        }
        assertThat(entries).contains("pipeline.yaml", "io/tarn/functions/sqlpoller/SqlPollerHandler.class",
                "io/tarn/poll/SqlPollerService.class", "com/microsoft/sqlserver/jdbc/SQLServerDriver.class",
                "org/joda/time/DateTime.class");
        // The events serializer's relocated Gson is left out by the shade step.
        assertThat(LambdaJar.under(entries, List.of("com/amazonaws/lambda/thirdparty/com/google/gson/"))).isEmpty();
        assertThat(drivers).contains("com.microsoft.sqlserver.jdbc.SQLServerDriver");
        assertThat(LambdaJar.functionJarFaults(LAMBDA_JAR)).isEmpty();
        // Of the events library, the types the functions take and answer; the serializer loads them by name.
        assertThat(LambdaJar.eventTypes(entries))
                .containsExactly("SQSBatchResponse", "SQSEvent", "ScheduledEvent", "models/s3/S3EventNotification");
        // The poller writes CSV: none of the Parquet side of the data plane, and no catalog.
        assertThat(LambdaJar.under(entries, LambdaJar.PARQUET_WRITING)).isEmpty();
        assertThat(LambdaJar.serviceModules(entries)).containsExactly("dynamodb", "s3", "secretsmanager");
    }

    @Test
    void lambdaJarWiresThePollerFindsTheDriverThroughTheSecretAndAnswersBothEvents() throws Exception {
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
        LambdaJar.Run run = LambdaJar.run(LAMBDA_JAR, ShadedJarMain.class, temp,
                moto.endpointOverride().orElseThrow().toString(), secretArn,
                EVENTS.resolve("poll-manual.json").toAbsolutePath().toString(),
                // Decoded by the events library's serializer, which loads its classes by name from the jar.
                EVENTS.resolve("schedule.json").toAbsolutePath().toString());
        assertThat(run.exitCode()).as("exit code; stderr:%n%s", run.stderr()).isZero();

        assertThat(run.stdout()).containsExactly(
                "wiring ok",
                "driver com.microsoft.sqlserver.jdbc.SQLServerDriver",
                "connect com.microsoft.sqlserver.jdbc.SQLServerException 08S01",
                "{\"tables\":[{\"dataset\":\"invoices\",\"strategy\":\"timestamp\",\"pages\":0,\"rows\":0,\"objectKeys\":[],"
                        + "\"watermarkBefore\":\"\",\"watermarkAfter\":\"\",\"caughtUp\":true,"
                        + "\"stoppedBecause\":\"remaining PT5M\"}]}",
                "{\"tables\":[{\"dataset\":\"\",\"strategy\":\"timestamp\",\"pages\":0,\"rows\":0,\"objectKeys\":[],"
                        + "\"watermarkBefore\":\"\",\"watermarkAfter\":\"\",\"caughtUp\":true,"
                        + "\"stoppedBecause\":\"remaining PT5M\"}]}",
                "dynamodb classes: all load",
                "s3 classes: all load",
                "secretsmanager classes: all load");
    }
}
