package io.tarn.functions.partitionrepair;

import io.tarn.aws.AwsClients;
import io.tarn.aws.AwsSettings;
import io.tarn.aws.athena.AthenaQueries;
import io.tarn.embedded.LambdaJar;
import io.tarn.embedded.MotoServer;
import io.tarn.etl.PartitionRepairConfig;
import io.tarn.etl.QueryException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.athena.AthenaClient;

/**
 * Runs in a JVM of its own with only the shaded Lambda jar and this class's folder on the class
 * path (see {@link ShadedJarIT}), against the moto server the IT reaches through a recording
 * proxy, and makes every Glue and Athena call the function makes, through its production wiring.
 * Prints one line per step:
 * <ol>
 *   <li>the report of the first run in glue mode: GetTable, CreateTable (the database is missing),
 *       CreateDatabase, CreateTable, GetTable, BatchCreatePartition;
 *   <li>the second run in athena mode, whose manifest adds a column and a partition: GetTable,
 *       UpdateTable, GetPartitions, StartQueryExecution and GetQueryExecution of its ALTER TABLE;
 *   <li>the second run again in glue mode: GetTable, GetTable, BatchCreatePartition;
 *   <li>a run without manifest: GetTables, GetPartitions, MSCK REPAIR TABLE, GetPartitions;
 *   <li>a statement moto keeps QUEUED, given no time: StopQueryExecution;
 *   <li>for Athena, Glue and S3, whether every class of the module in the jar loads
 *       ({@link LambdaJar#loadSdkClasses}).
 * </ol>
 * Exits 3 when a Hadoop, Spark or Parquet class is on the class path.
 *
 * <p>Arguments: the endpoint, the staging bucket, the Glue database, the workgroup, and the event
 * files of the first run, the second run and the run without manifest.
 */
public final class ShadedJarMain {

    private ShadedJarMain() {}

    public static void main(String[] args) throws Exception {
        LambdaJar.exitIfLoadable(LambdaJar.HADOOP_AND_SPARK_CLASSES, LambdaJar.PARQUET_WRITING_CLASSES);
        PrintStream answers = LambdaJar.answers();
        URI endpoint = URI.create(args[0]);
        AwsSettings moto = AwsSettings.local(endpoint, "us-east-1", "test", "test");
        String bucket = args[1];
        String database = args[2];
        String workgroup = args[3];

        PartitionRepairHandler glue = handler(moto, bucket, database, workgroup, "glue");
        PartitionRepairHandler athena = handler(moto, bucket, database, workgroup, "athena");
        answers.println(LambdaJar.invoke(glue, Path.of(args[4]), 60_000));
        answers.println(LambdaJar.invoke(athena, Path.of(args[5]), 60_000));
        answers.println(LambdaJar.invoke(glue, Path.of(args[5]), 60_000));
        answers.println(LambdaJar.invoke(athena, Path.of(args[6]), 60_000));

        // The function's AthenaQueries, built as the wiring builds it, with no time to wait.
        MotoServer.setTransition(endpoint, "athena::execution", "{\"progression\": \"manual\", \"times\": 1000}");
        try (AthenaClient client = new AwsClients(moto).build(AthenaClient.builder())) {
            new AthenaQueries(client, workgroup, database, delay -> { }, Clock.systemUTC(), Duration.ZERO)
                    .run("MSCK REPAIR TABLE `orders`");
            answers.println("no timeout");
        } catch (QueryException e) {
            answers.println(e.getMessage().replaceAll("query [0-9a-f-]{36} ", "query <id> "));
        } finally {
            MotoServer.unsetTransition(endpoint, "athena::execution");
        }

        // Every class of the stripped SDK modules loads: what was stripped is never needed.
        LambdaJar.sdkClassesLoad(PartitionRepairHandler.class, List.of("athena", "glue", "s3"))
                .forEach(answers::println);
    }

    private static PartitionRepairHandler handler(AwsSettings moto, String bucket, String database, String workgroup,
            String registration) {
        return new PartitionRepairHandler(PartitionRepairWiring.aws(PartitionRepairConfig.fromEnv(Map.of(
                PartitionRepairConfig.AWS_REGION, "us-east-1", PartitionRepairConfig.STAGING_BUCKET, bucket,
                PartitionRepairConfig.GLUE_DATABASE, database, PartitionRepairConfig.ATHENA_WORKGROUP, workgroup,
                PartitionRepairConfig.REGISTRATION, registration)), moto)::repair);
    }

}
