package io.tarn.jobs.etl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tarn.catalog.Catalog;
import io.tarn.catalog.Partition;
import io.tarn.etl.RunManifest;
import io.tarn.ingest.Manifest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One {@link TestLake} with one staging bucket, a Spark session and a Glue catalog on moto for a
 * whole test class, whose ordered tests each build on the lake the runs before them left.
 * Registered with {@code @RegisterExtension} on a static field; closed after the class's last test.
 */
final class SharedLake implements BeforeAllCallback, AfterAllCallback {

    private final String staging;
    private Path root;
    private TestLake lake;
    private SparkSession spark;
    private Catalog catalog;

    SharedLake(String staging) {
        this.staging = staging;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        root = Files.createTempDirectory("tarn-etl-");
        lake = new TestLake(root, staging);
        spark = TestLake.spark();
        catalog = TestLake.catalog();
    }

    @Override
    public void afterAll(ExtensionContext context) throws IOException {
        // Null when beforeAll failed: its error is the one to see, not a second one from here.
        if (lake != null) {
            lake.close();
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }

    TestLake lake() {
        return lake;
    }

    Catalog catalog() {
        return catalog;
    }

    /** The partitions of a table, as this catalog has them. */
    List<Partition> partitions(String table) {
        return catalog.partitions(table);
    }

    /** The staging bucket's folder on the embedded S3 server. */
    Path stagingDir() {
        return lake.bucketDir(staging);
    }

    /** The folder of the staging bucket that a partition's location names. */
    Path folder(Partition partition) {
        return stagingDir().resolve(partition.location().substring(("s3://" + staging + "/").length()));
    }

    /** Puts a raw object. */
    String put(String key, String text) {
        return lake.put(key, text);
    }

    /** The RawObject function's conversion of a raw object into the staging bucket. */
    Manifest ingest(String key) {
        return lake.ingest(staging, key);
    }

    /** Puts a raw object and converts it. */
    Manifest ingest(String key, String csv) {
        return ingest(put(key, csv));
    }

    /** A join run of the job with this catalog. */
    RunManifest run(String runId, Clock clock) {
        return run(runId, catalog, clock);
    }

    /** A join run of the job with another catalog, one standing in for this one. */
    RunManifest run(String runId, Catalog with, Clock clock) {
        return EtlJob.run(spark, lake.settings(EtlSettings.Mode.JOIN, runId, staging, List.of()), with, clock);
    }

    /** A join run with no version retention: it deletes every version the catalog no longer points at. */
    RunManifest runKeepingNoOldVersions(String runId, Clock clock) {
        return EtlJob.run(spark, lake.settings(EtlSettings.Mode.JOIN, runId, staging, List.of(), Duration.ZERO), catalog,
                clock);
    }

    /**
     * A join run of the job with this catalog, then what partition repair does with its manifest:
     * register the joins' partitions.
     */
    RunManifest refresh(String runId) {
        RunManifest manifest = run(runId, Clock.systemUTC());
        manifest.tables().forEach(table -> {
            catalog.ensureTable(table.definition());
            catalog.registerPartitions(table.table(), table.catalogPartitions());
        });
        return manifest;
    }

    /** What the refresh of a dataset recorded of its last run ({@code refresh/<dataset>.json}). */
    JsonNode lastRefresh(String dataset) throws IOException {
        return new ObjectMapper().readTree(stagingDir().resolve("refresh/" + dataset + ".json").toFile()).path("lastRun");
    }
}
