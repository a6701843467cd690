package io.tarn.local.lake;

import static java.util.Objects.requireNonNull;

import io.tarn.aws.s3.S3Clients;
import io.tarn.aws.s3.S3ObjectStore;
import io.tarn.embedded.EmbeddedS3;
import io.tarn.etl.CrawlerRefreshConfig;
import io.tarn.etl.CrawlerRefreshService;
import io.tarn.etl.PartitionRepairConfig;
import io.tarn.etl.PartitionRepairService;
import io.tarn.etl.QueryException;
import io.tarn.etl.QueryRunner;
import io.tarn.etl.trigger.EtlTriggerConfig;
import io.tarn.etl.trigger.EtlTriggerService;
import io.tarn.functions.crawlerrefresh.CrawlerRefreshWiring;
import io.tarn.functions.etltrigger.EtlTriggerWiring;
import io.tarn.functions.partitionrepair.PartitionRepairWiring;
import io.tarn.functions.rawobject.RawObjectWiring;
import io.tarn.functions.sqlpoller.SqlPollerWiring;
import io.tarn.ingest.RawObjectConfig;
import io.tarn.ingest.RawObjectEventProcessor;
import io.tarn.ingest.RawObjectService;
import io.tarn.local.adapters.LocalCatalog;
import io.tarn.local.adapters.LocalCrawler;
import io.tarn.local.adapters.LocalExecutions;
import io.tarn.local.adapters.LocalLedger;
import io.tarn.local.adapters.LocalQuery;
import io.tarn.local.adapters.LocalSchemaFingerprints;
import io.tarn.local.adapters.LocalWatermarks;
import io.tarn.parquet.ParquetSettings;
import io.tarn.pipeline.PipelineConfig;
import io.tarn.poll.ConnectionFactory;
import io.tarn.poll.PollerSettings;
import io.tarn.poll.SqlPollerConfig;
import io.tarn.poll.SqlPollerService;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The lake on one machine, under one folder: an S3-compatible server whose objects are plain
 * files under {@code DIR/s3/<bucket>/<key>}, the catalog under {@code DIR/catalog} and the state
 * table under {@code DIR/state}.
 */
public final class LocalLake implements AutoCloseable {

    public static final String RAW_BUCKET = "tarn-raw";
    public static final String STAGING_BUCKET = "tarn-staging";
    // The names the functions' configuration gives the other parts of the stack. Locally each
    // names the stand-in under DIR: the state table is DIR/state, the Glue database DIR/catalog,
    // the crawler LocalCrawler, the Azure SQL secret the H2 database under DIR/azuresql. Athena
    // has no stand-in: its workgroup name only satisfies the configuration.
    public static final String STATE_TABLE = "tarn-local-state";
    public static final String GLUE_DATABASE = "tarn_local";
    // Only satisfies the configuration too: the local lake writes no tenant twins, since
    // tarn query --account builds its tenant view from that account's partitions itself.
    public static final String TENANT_GLUE_DATABASE = "tarn_local_tenants";
    public static final String CRAWLER = "tarn-local-crawler";
    public static final String ATHENA_WORKGROUP = "tarn-local";
    public static final String AZURE_SQL_SECRET = "tarn-local-azuresql";
    /** The ETL state machine's ARN here: what EtlTrigger's STATE_MACHINE_ARN names locally. */
    public static final String STATE_MACHINE = "arn:aws:states:local:000000000000:stateMachine:tarn-etl";
    /**
     * The tables under the crawler's targets: CRAWLER_TABLES of template.yaml's CrawlerRefreshFunction,
     * for {@code tarn etl}, which runs the state machine without the template (a contract test keeps
     * the two the same).
     */
    public static final List<String> CRAWLER_TABLES = List.of("account_daily");

    private final Path dir;
    private final EmbeddedS3 s3Server;
    private final S3Client s3;

    private LocalLake(Path dir, EmbeddedS3 s3Server) {
        this.dir = dir;
        this.s3Server = s3Server;
        this.s3 = S3Clients.create(s3Server.settings());
    }

    /** Starts the embedded S3 server on {@code DIR/s3} (a free port) and creates the buckets. */
    public static LocalLake open(Path dir) throws IOException {
        return open(dir, 0);
    }

    public static LocalLake open(Path dir, int port) throws IOException {
        requireNonNull(dir, "dir is null");
        Files.createDirectories(dir.resolve("s3"));
        EmbeddedS3 server = EmbeddedS3.builder(dir.resolve("s3")).port(port).start();
        try {
            server.createBucket(RAW_BUCKET);
            server.createBucket(STAGING_BUCKET);
            return new LocalLake(dir, server);
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
    }

    public Path dir() {
        return dir;
    }

    public EmbeddedS3 s3Server() {
        return s3Server;
    }

    public S3Client s3() {
        return s3;
    }

    public LocalCatalog catalog() {
        return new LocalCatalog(dir.resolve("catalog"));
    }

    /** The local state table's ledger, under {@code DIR/state}. */
    public LocalLedger ledger() {
        return new LocalLedger(stateDir());
    }

    /** The local state table's watermarks and leases, under {@code DIR/state}. */
    public LocalWatermarks watermarks() {
        return new LocalWatermarks(stateDir());
    }

    /** The local state table's schema fingerprints, under {@code DIR/state}. */
    public LocalSchemaFingerprints schemaFingerprints() {
        return new LocalSchemaFingerprints(stateDir());
    }

    private Path stateDir() {
        return dir.resolve("state");
    }

    /** The folder holding the raw bucket's objects. */
    public Path rawRoot() {
        return s3Server.root().resolve(RAW_BUCKET);
    }

    /** The folder holding the staging bucket's objects. */
    public Path stagingRoot() {
        return s3Server.root().resolve(STAGING_BUCKET);
    }

    public LocalQuery query() {
        return new LocalQuery(catalog(), stagingRoot(), STAGING_BUCKET);
    }

    /** The RawObject function's service, wired to this lake. Logs go to {@code logs}. */
    public RawObjectService rawObjectService(PipelineConfig pipeline, PrintStream logs) {
        return RawObjectWiring.service(rawObjectConfig(ParquetSettings.defaults()), pipeline, rawObjectPorts(),
                Clock.systemUTC(), logs);
    }

    /**
     * The RawObject function's event processor, wired to this lake, writing Parquet with {@code parquet}
     * (the function's PARQUET_CODEC and MEMORY_BUDGET_MB).
     */
    public RawObjectEventProcessor rawObjectProcessor(PipelineConfig pipeline, ParquetSettings parquet,
            PrintStream logs) {
        return RawObjectWiring.processor(rawObjectConfig(parquet), pipeline, rawObjectPorts(), Clock.systemUTC(), logs);
    }

    private RawObjectConfig rawObjectConfig(ParquetSettings parquet) {
        return new RawObjectConfig(s3Server.region(), STAGING_BUCKET, STATE_TABLE, GLUE_DATABASE, Optional.empty(),
                Optional.empty(), dir.resolve("tmp"), parquet);
    }

    private RawObjectWiring.Ports rawObjectPorts() {
        return new RawObjectWiring.Ports(new S3ObjectStore(s3), catalog(), ledger());
    }

    /**
     * The SqlPoller service, wired to this lake: pages land in the raw bucket, watermarks in the
     * local state table. Logs go to {@code logs}.
     */
    public SqlPollerService sqlPollerService(PipelineConfig pipeline, ConnectionFactory connections, PrintStream logs) {
        return sqlPollerService(pipeline, connections, PollerSettings.DEFAULT_SAFETY_MARGIN, logs);
    }

    /** The same, starting no page when less than {@code safetyMargin} of the invocation's time remains. */
    public SqlPollerService sqlPollerService(PipelineConfig pipeline, ConnectionFactory connections, Duration safetyMargin,
            PrintStream logs) {
        SqlPollerConfig config = new SqlPollerConfig(s3Server.region(), RAW_BUCKET, STATE_TABLE, AZURE_SQL_SECRET,
                Optional.empty(), safetyMargin, dir.resolve("tmp"));
        return SqlPollerWiring.service(config, pipeline,
                new SqlPollerWiring.Ports(connections, new S3ObjectStore(s3), watermarks()), Clock.systemUTC(), logs);
    }

    /**
     * The CrawlerRefresh service on this lake: run manifests from the staging bucket, fingerprints
     * in the local state table, {@link LocalCrawler} over the configuration's crawler tables for the
     * Glue crawler (its last crawl kept under {@code DIR/crawler}, so a {@code status} in another
     * process sees a {@code start}).
     */
    public CrawlerRefreshService crawlerRefreshService(CrawlerRefreshConfig config, PrintStream logs) {
        S3ObjectStore store = new S3ObjectStore(s3);
        LocalCrawler crawler = new LocalCrawler(store, STAGING_BUCKET, catalog(), config.crawlerTables(),
                dir.resolve("crawler").resolve(config.crawlerName()), Clock.systemUTC());
        CrawlerRefreshWiring.Ports ports = new CrawlerRefreshWiring.Ports(store, schemaFingerprints(), crawler);
        return CrawlerRefreshWiring.service(config, ports, Clock.systemUTC(), logs);
    }

    /**
     * The PartitionRepair service on this lake: run manifests from the staging bucket, partitions
     * into the local catalog. Athena is not part of the local lake: a statement for it (MSCK REPAIR
     * TABLE for a run without manifest, or {@code REGISTRATION=athena}) fails saying so.
     */
    public PartitionRepairService partitionRepairService(PartitionRepairConfig config, PrintStream logs) {
        QueryRunner noAthena = statement -> {
            throw new QueryException("Athena is not part of the local lake: '" + statement
                    + "' cannot run; register partitions from a run manifest instead", null);
        };
        return PartitionRepairWiring.service(config,
                new PartitionRepairWiring.Ports(new S3ObjectStore(s3), catalog(), noAthena), logs);
    }

    /** The EtlTrigger service on this lake: its executions are {@code executions}, the local state machine's. */
    public EtlTriggerService etlTriggerService(EtlTriggerConfig config, LocalExecutions executions, PrintStream logs) {
        return EtlTriggerWiring.service(config, executions, logs);
    }

    @Override
    public void close() {
        s3.close();
        s3Server.close();
    }
}
