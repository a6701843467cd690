package io.tarn.functions.partitionrepair;

import static org.assertj.core.api.Assertions.assertThat;

import io.tarn.aws.AwsClients;
import io.tarn.aws.AwsSettings;
import io.tarn.aws.glue.GlueCatalog;
import io.tarn.aws.s3.S3Clients;
import io.tarn.catalog.CatalogColumn;
import io.tarn.embedded.LambdaJar;
import io.tarn.embedded.MotoServer;
import io.tarn.etl.RunManifest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.athena.AthenaClient;
import software.amazon.awssdk.services.glue.GlueClient;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The shaded jar that is deployed to Lambda, as built by {@code package}: what it carries, and that
 * the function's production wiring makes every Glue and Athena call it makes, against moto, in a
 * JVM whose class path is that jar plus {@link ShadedJarMain}. The shade step strips the Athena,
 * Glue and S3 model classes of operations the function never calls; a recording proxy between the child
 * and moto shows which calls went out, so a stripped class a call needs fails here. Run by failsafe
 * ({@code ./mvnw verify}).
 */
class ShadedJarIT {

    private static final Path LAMBDA_JAR = LambdaJar.built("tarn-partition-repair");
    private static final List<CatalogColumn> ACCOUNT = List.of(new CatalogColumn("account_id", "string"));

    @TempDir
    Path temp;

    @Test
    void lambdaJarCarriesTheHandlerGlueAndAthenaAndNoHadoopSparkParquetOrTestLibraries() throws IOException {
        List<String> entries = LambdaJar.entries(LAMBDA_JAR);
        assertThat(entries).contains("io/tarn/functions/partitionrepair/PartitionRepairHandler.class",
                "io/tarn/etl/PartitionRepairService.class", "software/amazon/awssdk/services/glue/GlueClient.class",
                "software/amazon/awssdk/services/athena/AthenaClient.class");
        assertThat(LambdaJar.functionJarFaults(LAMBDA_JAR)).isEmpty();
        // Neither the data plane's Parquet writing nor the SDK modules this function does not call.
        assertThat(LambdaJar.under(entries, LambdaJar.PARQUET_WRITING)).isEmpty();
        assertThat(LambdaJar.serviceModules(entries)).containsExactly("athena", "glue", "s3");
    }

    @Test
    void lambdaJarMakesEveryGlueAndAthenaCallOfTheFunctionAgainstMoto() throws Exception {
        MotoServer moto = MotoServer.shared();
        AwsClients clients = new AwsClients(AwsSettings.local(moto.endpoint(), "us-east-1", "test", "test"));
        String suffix = UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        String bucket = "tarn-staging-" + suffix;
        String database = "tarn_" + suffix;
        String workgroup = "tarn-" + suffix;
        try (S3Client s3 = S3Clients.create(clients.settings()); AthenaClient athena = clients.build(AthenaClient.builder())) {
            s3.createBucket(b -> b.bucket(bucket));
            athena.createWorkGroup(r -> r.name(workgroup));
            putManifest(s3, bucket, "etl-1", List.of(new CatalogColumn("order_id", "bigint")), 2);
            putManifest(s3, bucket, "etl-2", List.of(new CatalogColumn("order_id", "bigint"),
                    new CatalogColumn("coupon", "string")), 3);
        }
        Path first = event("etl-1");
        Path second = event("etl-2");
        Path none = event("etl-none");

        LambdaJar.Run run = LambdaJar.runThroughProxy(moto.endpoint(), LAMBDA_JAR, ShadedJarMain.class, temp,
                bucket, database, workgroup, first.toString(), second.toString(), none.toString());

        assertThat(run.exitCode()).as("exit code; stderr:%n%s", run.stderr()).isZero();
        assertThat(run.stdout()).containsExactly(
                "{\"runId\":\"etl-1\",\"manifestFound\":true,\"mode\":\"glue\",\"tables\":[{\"table\":\"orders\","
                        + "\"partitions\":2,\"registered\":2,\"alreadyRegistered\":0,\"queries\":0}]}",
                "{\"runId\":\"etl-2\",\"manifestFound\":true,\"mode\":\"athena\",\"tables\":[{\"table\":\"orders\","
                        + "\"partitions\":3,\"registered\":1,\"alreadyRegistered\":2,\"queries\":1}]}",
                // moto's Athena runs no ALTER TABLE: Glue registers acct-2 now.
                "{\"runId\":\"etl-2\",\"manifestFound\":true,\"mode\":\"glue\",\"tables\":[{\"table\":\"orders\","
                        + "\"partitions\":3,\"registered\":1,\"alreadyRegistered\":2,\"queries\":0}]}",
                "{\"runId\":\"etl-none\",\"manifestFound\":false,\"mode\":\"msck\",\"tables\":[{\"table\":\"orders\","
                        + "\"partitions\":3,\"registered\":0,\"alreadyRegistered\":3,\"queries\":1}]}",
                "Athena query <id> in workgroup " + workgroup + " still QUEUED after PT0S; statement: MSCK REPAIR TABLE"
                        + " `orders`",
                "athena classes: all load",
                "glue classes: all load",
                "s3 classes: all load");
        assertThat(run.targets()).containsExactly(
                "AWSGlue.GetTable", "AWSGlue.CreateTable", "AWSGlue.CreateDatabase", "AWSGlue.CreateTable",
                "AWSGlue.GetTable", "AWSGlue.BatchCreatePartition",
                "AWSGlue.GetTable", "AWSGlue.UpdateTable", "AWSGlue.GetPartitions",
                "AmazonAthena.StartQueryExecution", "AmazonAthena.GetQueryExecution",
                "AWSGlue.GetTable", "AWSGlue.GetTable", "AWSGlue.BatchCreatePartition",
                "AWSGlue.GetTables", "AWSGlue.GetPartitions", "AmazonAthena.StartQueryExecution",
                "AmazonAthena.GetQueryExecution", "AWSGlue.GetPartitions",
                "AmazonAthena.StartQueryExecution", "AmazonAthena.GetQueryExecution",
                "AmazonAthena.StopQueryExecution");
        try (GlueClient glue = clients.build(GlueClient.builder())) {
            assertThat(new GlueCatalog(glue, database).table("orders").orElseThrow().columns())
                    .containsExactly(new CatalogColumn("order_id", "bigint"), new CatalogColumn("coupon", "string"));
        }
    }

    private Path event(String runId) throws IOException {
        return Files.writeString(temp.resolve(runId + ".json"), "{\"runId\": \"" + runId + "\"}");
    }

    private static void putManifest(S3Client s3, String bucket, String runId, List<CatalogColumn> columns, int accounts) {
        List<RunManifest.PartitionOutput> partitions = IntStream.range(0, accounts)
                .mapToObj(i -> new RunManifest.PartitionOutput(List.of("acct-" + i),
                        "s3://" + bucket + "/orders/account_id=acct-" + i + "/", 1))
                .toList();
        RunManifest manifest = new RunManifest(runId, "join", "2024-06-01T02:00:00Z", "2024-06-01T02:09:00Z",
                List.of(new RunManifest.TableOutput("orders", "s3://" + bucket + "/orders/", "fp-" + runId, columns,
                        ACCOUNT, partitions)));
        s3.putObject(b -> b.bucket(bucket).key(RunManifest.key(runId)), RequestBody.fromBytes(manifest.toJson()));
    }
}
