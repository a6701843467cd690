package io.tarn.stack;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tarn.aws.AwsClients;
import io.tarn.aws.AwsSettings;
import io.tarn.aws.s3.S3Clients;
import io.tarn.catalog.CatalogColumn;
import io.tarn.embedded.LambdaContext;
import io.tarn.embedded.MotoServer;
import io.tarn.etl.PartitionRepairConfig;
import io.tarn.etl.RunManifest;
import io.tarn.functions.partitionrepair.PartitionRepairHandler;
import io.tarn.functions.partitionrepair.PartitionRepairWiring;
import io.tarn.local.template.SamTemplate;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.athena.AthenaClient;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The Glue database template.yaml creates, for a stack whose name has hyphens and capitals, is one
 * partition repair can register partitions in through Athena: Athena DDL takes no hyphen in a
 * database name and lower-cases names.
 */
class GlueDatabaseNameTest {

    private static final SamTemplate TEMPLATE = SamTemplate.load(Path.of("../template.yaml"));
    private static final String STACK = "Tarn-Prod-1";

    @Test
    void theDatabaseOfAStackNamedWithHyphensHasUnderscoresInstead() {
        assertThat(databaseName(STACK)).isEqualTo("tarn_Tarn_Prod_1");
    }

    @Test
    void athenaModePartitionRepairAddsTheRunsPartitionsInTheTemplatesDatabaseOfThatStack() throws Exception {
        // What GLUE_DATABASE: !Ref GlueDatabase gives the function: the database's name.
        String database = databaseName(STACK);
        AwsSettings moto = MotoServer.shared().settings();
        AwsClients clients = new AwsClients(moto);
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        String bucket = "tarn-staging-" + suffix;
        String workgroup = STACK + "-tarn-" + suffix;
        String runId = "etl-" + suffix;
        try (S3Client s3 = S3Clients.create(clients.settings()); AthenaClient athena = clients.build(AthenaClient.builder())) {
            s3.createBucket(b -> b.bucket(bucket));
            athena.createWorkGroup(r -> r.name(workgroup));
            RunManifest manifest = new RunManifest(runId, "join", "2024-06-01T02:00:00Z", "2024-06-01T02:09:00Z", List.of(
                    new RunManifest.TableOutput("orders", "s3://" + bucket + "/orders/", "fp-1",
                            List.of(new CatalogColumn("order_id", "bigint")), List.of(new CatalogColumn("account_id", "string")),
                            List.of(new RunManifest.PartitionOutput(List.of("acme"), "s3://" + bucket + "/orders/account_id=acme/", 2),
                                    new RunManifest.PartitionOutput(List.of("globex"), "s3://" + bucket + "/orders/account_id=globex/", 1)))));
            s3.putObject(b -> b.bucket(bucket).key(RunManifest.key(runId)), RequestBody.fromBytes(manifest.toJson()));

            PartitionRepairHandler handler = new PartitionRepairHandler(PartitionRepairWiring.aws(
                    PartitionRepairConfig.fromEnv(Map.of(PartitionRepairConfig.AWS_REGION, "us-east-1",
                            PartitionRepairConfig.STAGING_BUCKET, bucket, PartitionRepairConfig.GLUE_DATABASE, database,
                            PartitionRepairConfig.ATHENA_WORKGROUP, workgroup, PartitionRepairConfig.REGISTRATION, "athena")),
                    moto)::repair);
            ByteArrayOutputStream response = new ByteArrayOutputStream();
            handler.handleRequest(new ByteArrayInputStream(("{\"runId\": \"" + runId + "\"}").getBytes(StandardCharsets.UTF_8)),
                    response, LambdaContext.withRemaining(() -> 600_000));

            JsonNode report = new ObjectMapper().readTree(response.toByteArray());
            assertThat(report.path("tables").get(0).path("queries").asInt()).isEqualTo(1);
            List<String> statements = new ArrayList<>();
            for (String id : athena.listQueryExecutionsPaginator(r -> r.workGroup(workgroup)).stream()
                .flatMap(page -> page.queryExecutionIds().stream()).toList()) {
                statements.add(athena.getQueryExecution(r -> r.queryExecutionId(id)).queryExecution().query());
            }
            assertThat(statements).containsExactly("ALTER TABLE `tarn_tarn_prod_1`.`orders` ADD IF NOT EXISTS"
                    + " PARTITION (`account_id` = 'acme') LOCATION 's3://" + bucket + "/orders/account_id=acme/'"
                    + " PARTITION (`account_id` = 'globex') LOCATION 's3://" + bucket + "/orders/account_id=globex/'");
        }
    }

    /** GlueDatabase's DatabaseInput.Name, evaluated for a stack name as CloudFormation would. */
    private static String databaseName(String stackName) {
        StackValues stack = new StackValues(TEMPLATE, Map.of(), Map.of("AWS::StackName", stackName), Map.of(), Map.of());
        return (String) stack.property("GlueDatabase", "DatabaseInput", "Name");
    }

    @Test
    void theTenantDatabaseIsTheStacksDatabaseWithATenantsSuffix() {
        StackValues stack = new StackValues(TEMPLATE, Map.of(), Map.of("AWS::StackName", STACK), Map.of(), Map.of());
        assertThat(stack.property("TenantDatabase", "DatabaseInput", "Name")).isEqualTo("tarn_Tarn_Prod_1_tenants");
    }
}
