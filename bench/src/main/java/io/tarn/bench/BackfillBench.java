package io.tarn.bench;

import io.tarn.aws.s3.S3Clients;
import io.tarn.aws.s3.S3ObjectStore;
import io.tarn.bench.ConversionBench.SeparateS3;
import io.tarn.etl.RunManifest;
import io.tarn.ingest.IngestOutcome;
import io.tarn.ingest.IngestSettings;
import io.tarn.ingest.RawObjectRef;
import io.tarn.ingest.RawObjectService;
import io.tarn.jobs.etl.EtlJob;
import io.tarn.jobs.etl.EtlSettings;
import io.tarn.local.adapters.LocalCatalog;
import io.tarn.local.adapters.LocalLedger;
import io.tarn.log.JsonLogger;
import io.tarn.parquet.ParquetSettings;
import io.tarn.pipeline.PipelineLoader;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.SparkSession;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The Glue job's backfill mode on Spark local against the RawObject conversion, on the same
 * generated DMS orders CSV, in one JVM on the same cores, with the objects in the embedded S3
 * server (a child process). Spark's start-up (building the session) is timed apart from the
 * backfill itself. The two alternate, so that neither has the JIT's warm-up to itself.
 *
 * <pre>
 * java [Spark's --add-opens flags] -cp ... io.tarn.bench.BackfillBench --repo DIR [--rows N] [--accounts N] [--rounds N] [--cores N]
 * </pre>
 */
public final class BackfillBench {

    private static final String RAW = "tarn-raw";

    private BackfillBench() {}

    public static void main(String[] args) throws Exception {
        Path repo = Path.of(".");
        int rows = 2_000_000;
        int accounts = 200;
        int rounds = 2;
        int cores = 2;
        for (int i = 0; i < args.length; i += 2) {
            switch (args[i]) {
                case "--repo" -> repo = Path.of(args[i + 1]);
                case "--rows" -> rows = Integer.parseInt(args[i + 1]);
                case "--accounts" -> accounts = Integer.parseInt(args[i + 1]);
                case "--rounds" -> rounds = Integer.parseInt(args[i + 1]);
                case "--cores" -> cores = Integer.parseInt(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]
                        + " (--repo, --rows, --accounts, --rounds, --cores)");
            }
        }
        Path pipelineFile = repo.resolve("pipeline.yaml").toAbsolutePath();
        Path csv = ConversionBench.generate(repo.resolve("bench/target/data"), rows, accounts);
        Path work = repo.resolve("bench/target/backfill-work").toAbsolutePath();
        ConversionBench.deleteTree(work);
        System.out.printf("input: %s, %d rows, %.1f MB; %d accounts, partitions account_id/dt%n",
                csv.getFileName(), rows, Files.size(csv) / 1e6, accounts);
        System.out.printf("machine: %d cores, Java %s, max heap %d MB, Spark local[%d]%n",
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"),
                Runtime.getRuntime().maxMemory() >> 20, cores);

        try (SeparateS3 server = SeparateS3.start(work.resolve("s3"));
                S3Client s3 = S3Clients.create(server.settings())) {
            s3.createBucket(b -> b.bucket(RAW));
            S3ObjectStore store = new S3ObjectStore(s3);
            store.put(RAW, ConversionBench.RAW_KEY, csv, "text/csv");

            long sparkStart = System.nanoTime();
            SparkSession spark = SparkSession.builder()
                    .master("local[" + cores + "]")
                    .appName("tarn-backfill-bench")
                    .config("spark.ui.enabled", "false")
                    .config("spark.driver.host", "127.0.0.1")
                    .config("spark.local.dir", work.resolve("spark").toString())
                    .getOrCreate();
            double sparkStartup = (System.nanoTime() - sparkStart) / 1e9;
            System.out.printf("Spark start-up (SparkSession.getOrCreate): %.2f s%n", sparkStartup);

            List<double[]> figures = new ArrayList<>();
            for (int round = 1; round <= rounds; round++) {
                String lambdaBucket = "staging-lambda-" + round;
                String backfillBucket = "staging-backfill-" + round;
                s3.createBucket(b -> b.bucket(lambdaBucket));
                s3.createBucket(b -> b.bucket(backfillBucket));

                RawObjectService lambda = new RawObjectService(PipelineLoader.load(pipelineFile), store,
                        new LocalCatalog(work.resolve("catalog-" + round)), new LocalLedger(work.resolve("state-" + round)),
                        new IngestSettings(lambdaBucket, work.resolve("tmp"), ParquetSettings.defaults()),
                        Clock.systemUTC(), JsonLogger.silent());
                long start = System.nanoTime();
                IngestOutcome outcome = lambda.process(RawObjectRef.of(RAW, ConversionBench.RAW_KEY));
                double lambdaSeconds = (System.nanoTime() - start) / 1e9;
                long lambdaRows = ((IngestOutcome.Processed) outcome).manifest().rowsWritten();

                EtlSettings settings = new EtlSettings(EtlSettings.Mode.BACKFILL, "bench-" + round,
                        pipelineFile.toString(), URI.create("s3://" + backfillBucket + "/"), Optional.empty(),
                        Optional.of(URI.create("s3://" + RAW + "/")), Optional.empty(), List.of("orders"), Optional.empty(),
                        EtlSettings.DEFAULT_SETTLE, EtlSettings.DEFAULT_VERSION_RETENTION, server.settings());
                start = System.nanoTime();
                RunManifest manifest = EtlJob.run(spark, settings);
                double backfillSeconds = (System.nanoTime() - start) / 1e9;
                long backfillRows = manifest.tables().stream()
                        .flatMap(t -> t.partitions().stream()).mapToLong(RunManifest.PartitionOutput::rows).sum();
                if (backfillRows != lambdaRows) {
                    throw new IllegalStateException("backfill wrote " + backfillRows + " rows, the function " + lambdaRows);
                }
                System.out.printf("round %d: RawObject conversion %.2f s, backfill on Spark %.2f s (%d rows each),"
                        + " backfill / RawObject = %.2f%n", round, lambdaSeconds, backfillSeconds, lambdaRows,
                        backfillSeconds / lambdaSeconds);
                figures.add(new double[] {lambdaSeconds, backfillSeconds});
            }
            double[] last = figures.get(figures.size() - 1);
            System.out.printf("| %d rows, %d accounts | RawObject %.2f s | backfill %.2f s | ratio %.2f | Spark start-up %.2f s"
                            + " | first round ratio with start-up %.2f |%n",
                    rows, accounts, last[0], last[1], last[1] / last[0], sparkStartup,
                    (figures.get(0)[1] + sparkStartup) / figures.get(0)[0]);
            spark.stop();
        }
    }

}
