package io.tarn.functions.sqlpoller;

import io.tarn.aws.AwsClients;
import io.tarn.aws.AwsSettings;
import io.tarn.aws.secrets.SecretsManagerConnectionFactory;
import io.tarn.embedded.LambdaJar;
import io.tarn.poll.PollReport;
import io.tarn.poll.SqlPollerConfig;
import java.net.URI;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * Runs in a JVM of its own with only the shaded Lambda jar and this class's folder on the class
 * path (see {@link ShadedJarIT}) and prints one line per check:
 *
 * <ol>
 *   <li>{@code wiring ok}: SqlPollerWiring builds the SqlPoller service from the function's environment
 *       and the bundled pipeline.yaml;
 *   <li>{@code driver <class>}: DriverManager finds the SQL Server driver for the secret's URL;
 *   <li>{@code connect <exception class> <SQLState>}: a connection through the secret (read from
 *       moto) reaches the driver, which fails on the closed port it names;
 *   <li>the handler's response to each event file, one line each, over a poller that reports one
 *       table named for the datasets asked for;
 *   <li>for DynamoDB, S3 and Secrets Manager, whether every class of the module in the jar loads
 *       ({@link LambdaJar#loadSdkClasses}): the shade step strips their models to the operations
 *       Tarn calls.
 * </ol>
 *
 * <p>Arguments: moto's endpoint, the secret's ARN, one or more event files.
 */
public final class ShadedJarMain {

    private ShadedJarMain() {}

    public static void main(String[] args) throws Exception {
        URI moto = URI.create(args[0]);
        String secretArn = args[1];
        LambdaJar.exitIfLoadable(LambdaJar.PARQUET_WRITING_CLASSES, List.of("org.apache.hadoop.conf.Configuration"));
        AwsSettings settings = AwsSettings.local(moto, "us-east-1", "test", "test");
        SqlPollerConfig config = SqlPollerConfig.fromEnv(Map.of(
                SqlPollerConfig.AWS_REGION, "us-east-1",
                SqlPollerConfig.RAW_BUCKET, "tarn-raw",
                SqlPollerConfig.STATE_TABLE, "tarn-state",
                SqlPollerConfig.DB_SECRET_ARN, secretArn));
        SqlPollerWiring.aws(config, settings);
        System.out.println("wiring ok");

        System.out.println("driver " + DriverManager.getDriver("jdbc:sqlserver://localhost:1433").getClass().getName());
        try (SecretsManagerClient secrets = new AwsClients(settings).build(SecretsManagerClient.builder())) {
            new SecretsManagerConnectionFactory(secrets, secretArn).open().close();
            System.out.println("connect succeeded?");
        } catch (SQLException e) {
            System.out.println("connect " + e.getClass().getName() + " " + e.getSQLState());
        }

        SqlPollerHandler handler = new SqlPollerHandler((request, deadline) -> new PollReport(List.of(
                new PollReport.TableReport(String.join("+", request.datasets()), "timestamp", 0, 0, List.of(), "", "",
                        true, Optional.of("remaining " + deadline.remaining())))));
        for (int i = 2; i < args.length; i++) {
            System.out.println(LambdaJar.invoke(handler, Path.of(args[i]), 300_000));
        }

        // Every class of the stripped SDK modules loads: what was stripped is never needed.
        LambdaJar.sdkClassesLoad(SqlPollerHandler.class, List.of("dynamodb", "s3", "secretsmanager"))
                .forEach(System.out::println);
    }
}
