package io.tarn.functions.sqlpoller;

import static java.util.Objects.requireNonNull;

import io.tarn.aws.AwsClients;
import io.tarn.aws.AwsSettings;
import io.tarn.aws.dynamodb.DynamoDbWatermarks;
import io.tarn.aws.dynamodb.StateTable;
import io.tarn.aws.s3.S3Clients;
import io.tarn.aws.s3.S3ObjectStore;
import io.tarn.aws.secrets.SecretsManagerConnectionFactory;
import io.tarn.log.JsonLogger;
import io.tarn.pipeline.PipelineConfig;
import io.tarn.pipeline.PipelineLoader;
import io.tarn.poll.ConnectionFactory;
import io.tarn.poll.SqlPollerConfig;
import io.tarn.poll.SqlPollerService;
import io.tarn.state.Watermarks;
import io.tarn.storage.ObjectStore;
import java.io.PrintStream;
import java.time.Clock;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * Builds the SqlPoller function's service from its configuration and its ports: Azure SQL through
 * a Secrets Manager secret, S3 and DynamoDB in AWS ({@link #aws}); the local lake's adapters
 * in LocalLake, the same way.
 */
public final class SqlPollerWiring {

    static final String FUNCTION = "sql-poller";

    /** What the poller reads from and writes to. */
    public record Ports(ConnectionFactory connections, ObjectStore store, Watermarks watermarks) {
        public Ports {
            requireNonNull(connections, "connections is null");
            requireNonNull(store, "store is null");
            requireNonNull(watermarks, "watermarks is null");
        }
    }

    private SqlPollerWiring() {}

    /** Lambda's: the clients of the configuration's region, the pipeline at PIPELINE_CONFIG or bundled. */
    public static SqlPollerService aws(SqlPollerConfig config) {
        return aws(config, AwsSettings.aws(config.region()));
    }

    /**
     * The same over S3, DynamoDB and Secrets Manager at one endpoint (moto, locally). Connections go
     * through the JDBC driver on the class path (mssql-jdbc in the function) with the secret's URL
     * and credentials; the secret is read on first use, not here.
     */
    public static SqlPollerService aws(SqlPollerConfig config, AwsSettings settings) {
        AwsClients clients = new AwsClients(settings);
        Ports ports = new Ports(
                new SecretsManagerConnectionFactory(
                        clients.build(SecretsManagerClient.builder()), config.dbSecretArn()),
                new S3ObjectStore(S3Clients.create(settings)),
                new DynamoDbWatermarks(new StateTable(clients.build(DynamoDbClient.builder()), config.stateTable())));
        PipelineConfig pipeline = PipelineLoader.loadOrBundled(config.pipelineConfig());
        return service(config, pipeline, ports, Clock.systemUTC(), System.out);
    }

    /** The poller over any ports; logs are JSON lines on {@code logs}. */
    public static SqlPollerService service(SqlPollerConfig config, PipelineConfig pipeline, Ports ports, Clock clock,
            PrintStream logs) {
        return new SqlPollerService(pipeline, ports.connections(), ports.store(), ports.watermarks(),
                config.pollerSettings(),
                // An owner per invocation, not per container: SnapStart restores many containers
                // from one initialised snapshot, and they would all share an owner made here.
                SqlPollerService.randomLeaseOwners(FUNCTION),
                clock,
                new JsonLogger(logs, clock, FUNCTION));
    }
}
