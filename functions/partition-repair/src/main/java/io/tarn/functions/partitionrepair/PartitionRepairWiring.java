package io.tarn.functions.partitionrepair;

import static java.util.Objects.requireNonNull;

import io.tarn.aws.AwsClients;
import io.tarn.aws.AwsSettings;
import io.tarn.aws.athena.AthenaQueries;
import io.tarn.aws.glue.GlueCatalog;
import io.tarn.aws.s3.S3Clients;
import io.tarn.aws.s3.S3ObjectStore;
import io.tarn.catalog.Catalog;
import io.tarn.etl.PartitionRepairConfig;
import io.tarn.etl.PartitionRepairService;
import io.tarn.etl.QueryRunner;
import io.tarn.log.JsonLogger;
import io.tarn.storage.ObjectStore;
import java.io.PrintStream;
import java.time.Clock;
import software.amazon.awssdk.services.athena.AthenaClient;
import software.amazon.awssdk.services.glue.GlueClient;

/**
 * Builds the PartitionRepair function's service from its configuration and its ports: run
 * manifests in S3, the Glue catalog and Athena in AWS ({@link #aws}); the local lake's adapters
 * in LocalLake, the same way.
 */
public final class PartitionRepairWiring {

    static final String FUNCTION = "partition-repair";

    /** What the repair reads and registers through. */
    public record Ports(ObjectStore store, Catalog catalog, QueryRunner queries) {
        public Ports {
            requireNonNull(store, "store is null");
            requireNonNull(catalog, "catalog is null");
            requireNonNull(queries, "queries is null");
        }
    }

    private PartitionRepairWiring() {}

    /** Lambda's: the clients of the configuration's region. */
    public static PartitionRepairService aws(PartitionRepairConfig config) {
        return aws(config, AwsSettings.aws(config.region()));
    }

    /** The same with every service at one endpoint (moto). */
    public static PartitionRepairService aws(PartitionRepairConfig config, AwsSettings settings) {
        AwsClients clients = new AwsClients(settings);
        Ports ports = new Ports(
                new S3ObjectStore(S3Clients.create(settings)),
                new GlueCatalog(clients.build(GlueClient.builder()), config.glueDatabase(), config.tenantTables()),
                new AthenaQueries(
                        clients.build(AthenaClient.builder()), config.athenaWorkgroup(), config.glueDatabase()));
        return service(config, ports, System.out);
    }

    /** The repair over any ports; logs are JSON lines on {@code logs}. */
    public static PartitionRepairService service(PartitionRepairConfig config, Ports ports, PrintStream logs) {
        return new PartitionRepairService(ports.store(), ports.catalog(), ports.queries(), config,
                new JsonLogger(logs, Clock.systemUTC(), FUNCTION));
    }
}
