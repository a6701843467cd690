package io.tarn.bench;

import io.tarn.local.lake.LocalLake;
import io.tarn.local.lake.RawObjectIngest;
import io.tarn.pipeline.Dataset;
import io.tarn.pipeline.PipelineConfig;
import io.tarn.pipeline.PipelineLoader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import software.amazon.awssdk.core.sync.RequestBody;

/**
 * Where a whole-process {@code ./tarn ingest} goes: the same steps as its IngestCommand (load
 * pipeline.yaml, open the local lake with its embedded S3 server, put the file into the raw
 * bucket, build the RawObject handler and hand it the object's notification, close the lake),
 * each timed in wall and CPU milliseconds of this process, after the JVM's own start up to
 * {@code main} (which also pays loading this class). Picocli's parsing is not in it; {@code ./tarn
 * --help} measures that start.
 *
 * <p>Usage: {@code IngestPhases PIPELINE_YAML DATASET CSV DIR} (DIR a fresh folder).
 */
public final class IngestPhases {

    private long wallMark = System.nanoTime();
    private long cpuMark = CpuClock.processNanos();

    private IngestPhases() {}

    public static void main(String[] args) throws Exception {
        long cpuAtMain = CpuClock.processNanos();
        long uptimeAtMain = ManagementFactory.getRuntimeMXBean().getUptime();
        IngestPhases phases = new IngestPhases();
        if (args.length != 4) {
            throw new IllegalArgumentException("usage: IngestPhases PIPELINE_YAML DATASET CSV DIR");
        }
        System.out.printf("phase %-46s wall %6d ms  CPU %6d ms%n", "JVM start to main (uptime)", uptimeAtMain,
                cpuAtMain / 1_000_000);
        PipelineConfig pipeline = PipelineLoader.load(Path.of(args[0]));
        Dataset dataset = pipeline.dataset(args[1]).orElseThrow(() -> new IllegalArgumentException("unknown dataset " + args[1]));
        Path file = Path.of(args[2]);
        String key = dataset.rawPrefix() + file.getFileName();
        phases.mark("load pipeline.yaml");
        LocalLake lake = LocalLake.open(Path.of(args[3]));
        phases.mark("open the lake (embedded S3 server, buckets)");
        lake.s3().putObject(b -> b.bucket(LocalLake.RAW_BUCKET).key(key), RequestBody.fromFile(file));
        phases.mark("put the file into the raw bucket");
        RawObjectIngest ingest = new RawObjectIngest(lake, pipeline, new PrintStream(OutputStream.nullOutputStream()));
        phases.mark("build the RawObject handler");
        String status = ingest.ingest(key).path("status").asText();
        phases.mark("the handler's conversion (" + status + ")");
        lake.close();
        phases.mark("close the lake");
        System.out.printf("phase %-46s wall %6d ms  CPU %6d ms%n", "total to the end of main",
                ManagementFactory.getRuntimeMXBean().getUptime(), CpuClock.processNanos() / 1_000_000);
    }

    private void mark(String phase) {
        long wall = System.nanoTime();
        long cpu = CpuClock.processNanos();
        System.out.printf("phase %-46s wall %6d ms  CPU %6d ms%n", phase, (wall - wallMark) / 1_000_000,
                (cpu - cpuMark) / 1_000_000);
        wallMark = wall;
        cpuMark = cpu;
    }
}
