package io.tarn.jobs.etl;

import io.tarn.aws.AwsClients;
import io.tarn.aws.AwsSettings;
import io.tarn.aws.s3.S3Clients;
import io.tarn.aws.s3.S3ObjectStore;
import io.tarn.embedded.EmbeddedS3;
import io.tarn.ingest.IngestOutcome;
import io.tarn.ingest.Manifest;
import io.tarn.ingest.RawObjectRef;
import io.tarn.ingest.RawObjectService;
import io.tarn.log.JsonLogger;
import io.tarn.pipeline.PipelineConfig;
import io.tarn.pipeline.PipelineLoader;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import software.amazon.awssdk.services.s3.S3Client;

/** An embedded S3 lake for the job's tests: raw objects in, the RawObject conversion, DuckDB to read. */
final class TestLake implements AutoCloseable {

    static final Path PIPELINE = Path.of("../../pipeline.yaml").toAbsolutePath().normalize();
    static final Path SAMPLES = Path.of("../../samples").toAbsolutePath().normalize();
    static final String RAW = "tarn-raw";

    final Path root;
    final EmbeddedS3 server;
    final AwsSettings aws;
    final S3Client s3;
    final S3ObjectStore store;
    final PipelineConfig pipeline = PipelineLoader.load(PIPELINE);

    TestLake(Path root, String... stagingBuckets) {
        this.root = root;
        this.server = EmbeddedS3.start(root);
        this.aws = AwsSettings.local(server.endpoint(), server.region(), server.accessKey(), server.secretKey());
        this.s3 = S3Clients.create(aws);
        this.store = new S3ObjectStore(s3);
        server.createBucket(RAW);
        for (String bucket : stagingBuckets) {
            server.createBucket(bucket);
        }
    }

    static SparkSession spark() {
        return SparkSession.builder()
                .master("local[2]")
                .appName("tarn-etl-test")
                .config("spark.ui.enabled", "false")
                .config("spark.sql.shuffle.partitions", "2")
                .config("spark.driver.host", "127.0.0.1")
                .getOrCreate();
    }

    /** Uploads the repository's samples under their own keys. */
    List<String> putSamples() throws IOException {
        List<String> keys = new ArrayList<>();
        try (Stream<Path> files = Files.walk(SAMPLES)) {
            for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
                String key = SAMPLES.relativize(file).toString().replace('\\', '/');
                store.put(RAW, key, file, "text/csv");
                keys.add(key);
            }
        }
        return keys;
    }

    String put(String key, String csv) {
        store.put(RAW, key, csv.getBytes(StandardCharsets.UTF_8), "text/csv");
        return key;
    }

    /** The RawObject function's path: its service on one object, as an S3 event announces it. */
    Manifest ingest(String stagingBucket, String key) {
        RawObjectService service = new RawObjectService(pipeline, store, new BackfillTask.DeferredCatalog(),
                new BackfillTask.NoLedger(), BackfillTask.ingestSettings(stagingBucket), Clock.systemUTC(),
                JsonLogger.silent());
        IngestOutcome outcome = service.process(RawObjectRef.of(RAW, key));
        return ((IngestOutcome.Processed) outcome).manifest();
    }

    Path bucketDir(String bucket) {
        return root.resolve(bucket);
    }

    URI bucketDirUri(String bucket) {
        return bucketDir(bucket).toUri();
    }

    EtlSettings settings(EtlSettings.Mode mode, String runId, String stagingBucket, List<String> datasets) {
        return settings(mode, runId, stagingBucket, datasets, EtlSettings.DEFAULT_VERSION_RETENTION);
    }

    EtlSettings settings(EtlSettings.Mode mode, String runId, String stagingBucket, List<String> datasets,
            Duration versionRetention) {
        return new EtlSettings(mode, runId, PIPELINE.toString(), URI.create("s3://" + stagingBucket),
                Optional.of(bucketDirUri(stagingBucket)), Optional.of(URI.create("s3://" + RAW)),
                Optional.of(bucketDirUri(RAW)), datasets,
                Optional.empty(), Duration.ZERO, versionRetention, aws);
    }

    /** A Glue catalog of its own on moto, as the job finds it in AWS. */
    static io.tarn.catalog.Catalog catalog() {
        software.amazon.awssdk.services.glue.GlueClient glue = new AwsClients(AwsSettings.local(
                io.tarn.embedded.MotoServer.shared().endpoint(), "us-east-1", "test", "test"))
                .build(software.amazon.awssdk.services.glue.GlueClient.builder());
        String database = "tarn_job_" + java.util.UUID.randomUUID().toString().replace("-", "");
        glue.createDatabase(r -> r.databaseInput(d -> d.name(database)));
        return new io.tarn.aws.glue.GlueCatalog(glue, database);
    }

    static Connection duckdb() throws SQLException {
        Connection connection = DriverManager.getConnection("jdbc:duckdb:");
        try (Statement statement = connection.createStatement()) {
            statement.execute("SET TimeZone = 'UTC'");
        }
        return connection;
    }

    /** Every row of a query, each as its columns' text (null as "null"). */
    static List<List<String>> rows(Connection duckdb, String sql) throws SQLException {
        List<List<String>> rows = new ArrayList<>();
        try (Statement statement = duckdb.createStatement(); ResultSet result = statement.executeQuery(sql)) {
            int columns = result.getMetaData().getColumnCount();
            while (result.next()) {
                List<String> row = new ArrayList<>(columns);
                for (int i = 1; i <= columns; i++) {
                    row.add(String.valueOf(result.getString(i)));
                }
                rows.add(row);
            }
        }
        return rows;
    }

    @Override
    public void close() {
        s3.close();
        server.close();
    }
}
