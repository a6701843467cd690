package io.tarn.jobs.etl;

import static java.util.Objects.requireNonNull;

import io.tarn.aws.AwsClients;
import io.tarn.aws.glue.GlueCatalog;
import io.tarn.aws.s3.S3Clients;
import io.tarn.aws.s3.S3ObjectStore;
import io.tarn.catalog.Catalog;
import io.tarn.etl.RunManifest.TableOutput;
import io.tarn.etl.RunManifest;
import io.tarn.log.JsonLogger;
import io.tarn.pipeline.PipelineConfig;
import io.tarn.pipeline.PipelineLoader;
import io.tarn.storage.ObjectStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.SparkSession;
import software.amazon.awssdk.services.glue.GlueClient;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The Glue ETL job: {@code join} refreshes each dataset's current table from its change log
 * ({@link RefreshRun}), then builds the joined datasets of pipeline.yaml from the current tables;
 * {@code backfill} converts raw objects to staging at scale. Both finish by writing a
 * {@link RunManifest} to {@code etl-runs/<run id>.json} in staging, after all data: its presence
 * means the run's data is complete.
 *
 * <p>Glue calls it through {@code src/main/glue/tarn_etl.scala}; the local command calls
 * {@link #run(SparkSession, EtlSettings)} with a {@code local[*]} session.
 */
public final class EtlJob {

    /** The component of the job's log lines, as SnapshotDeletes names its own. */
    static final String LOG_COMPONENT = "glue-etl-refresh";

    private EtlJob() {}

    /** spark-submit entry point: {@code --mode join|backfill --run-id ID --pipeline ... --staging ...}. */
    public static void main(String[] args) {
        // Arguments first: a mistake fails before a Spark session is paid for.
        EtlSettings settings = EtlSettings.parse(args, System.getenv());
        SparkSession spark = SparkSession.builder().appName("tarn-etl-" + settings.runId()).getOrCreate();
        RunManifest manifest = run(spark, settings);
        System.out.println(new String(manifest.toJson(), StandardCharsets.UTF_8));
    }

    /**
     * Runs the job on {@code spark} with the Glue catalog of {@code --glue-database} and returns the
     * manifest it stored.
     */
    public static RunManifest run(SparkSession spark, EtlSettings settings) {
        requireNonNull(settings, "settings is null");
        if (settings.mode() == EtlSettings.Mode.BACKFILL) {
            return run(spark, settings, new BackfillTask.DeferredCatalog(), Clock.systemUTC());
        }
        String database = settings.glueDatabase().orElseThrow(() -> new EtlArgumentException(
                EtlSettings.GLUE_DATABASE, "is required for a join run: the refresh moves the current tables' partitions"));
        try (GlueClient glue = new AwsClients(settings.aws()).build(GlueClient.builder())) {
            return run(spark, settings, new GlueCatalog(glue, database, settings.tenants()), Clock.systemUTC());
        }
    }

    /** Runs the job with this catalog (the local lake's, or a test's); logs and metrics go to standard output. */
    public static RunManifest run(SparkSession spark, EtlSettings settings, Catalog catalog, Clock clock) {
        return run(spark, settings, catalog, clock, System.out);
    }

    /**
     * The same with the job's JSON log lines, its metrics among them, on {@code logs}: on Glue they
     * are standard output, which reaches the job's log group, where CloudWatch reads the metrics.
     */
    public static RunManifest run(SparkSession spark, EtlSettings settings, Catalog catalog, Clock clock,
            PrintStream logs) {
        requireNonNull(spark, "spark is null");
        requireNonNull(settings, "settings is null");
        requireNonNull(catalog, "catalog is null");
        requireNonNull(clock, "clock is null");
        requireNonNull(logs, "logs is null");
        String startedAt = clock.instant().toString();
        // Join SQL and the dt partitions of staging speak of UTC days.
        spark.conf().set("spark.sql.session.timeZone", "UTC");
        try (S3Client s3 = needsS3(settings) ? S3Clients.create(settings.aws()) : null) {
            Optional<ObjectStore> store = Optional.ofNullable(s3).map(S3ObjectStore::new);
            String pipelineYaml = readPipeline(settings.pipeline(), store);
            PipelineConfig pipeline = PipelineLoader.parse(pipelineYaml, settings.pipeline());
            List<TableOutput> tables = switch (settings.mode()) {
                case JOIN -> {
                    JoinRun.checkJoins(pipeline, settings);
                    RefreshRun refresh = new RefreshRun(spark, pipeline, settings, catalog, clock,
                            new JsonLogger(logs, clock, LOG_COMPONENT));
                    List<RefreshRun.Refreshed> refreshed = refresh.run();
                    List<TableOutput> joined = new JoinRun(spark, pipeline, settings, catalog, refreshed).run();
                    refresh.commit(refreshed);
                    yield joined;
                }
                case BACKFILL -> new BackfillRun(spark, pipeline, settings, store.orElseThrow(), BackfillTask.Config.of(
                        pipelineYaml, settings.pipeline(), settings.rawBucket().orElseThrow(),
                        settings.stagingBucket().orElseThrow(), settings.aws())).run();
            };
            RunManifest manifest = new RunManifest(settings.runId(), settings.mode().name().toLowerCase(java.util.Locale.ROOT),
                    startedAt, clock.instant().toString(), tables);
            String key = RunManifest.key(settings.runId());
            if (settings.stagingBucket().isPresent()) {
                store.orElseThrow().put(settings.stagingBucket().get(), key, manifest.toJson(), "application/json");
            } else {
                write(Path.of(settings.staging()).resolve(key), manifest.toJson());
            }
            return manifest;
        }
    }

    private static boolean needsS3(EtlSettings settings) {
        return settings.stagingBucket().isPresent() || settings.pipeline().startsWith("s3://");
    }

    private static String readPipeline(String pipeline, Optional<ObjectStore> store) {
        try {
            if (pipeline.startsWith("s3://")) {
                URI uri = URI.create(pipeline);
                try (InputStream in = store.orElseThrow().open(uri.getHost(), uri.getPath().substring(1), Optional.empty())) {
                    return new String(in.readAllBytes(), StandardCharsets.UTF_8);
                }
            }
            Path path = pipeline.startsWith("file:") ? Path.of(URI.create(pipeline)) : Path.of(pipeline);
            return Files.readString(path, StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            throw new EtlArgumentException(EtlSettings.PIPELINE, "cannot read '" + pipeline + "': " + e.getMessage());
        }
    }

    private static void write(Path file, byte[] bytes) {
        try {
            Files.createDirectories(file.getParent());
            Path temp = Files.createTempFile(file.getParent(), ".manifest", ".tmp");
            Files.write(temp, bytes);
            // Readers look for the manifest by name: it must appear whole or not at all.
            Files.move(temp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write run manifest " + file + ": " + e.getMessage(), e);
        }
    }
}
