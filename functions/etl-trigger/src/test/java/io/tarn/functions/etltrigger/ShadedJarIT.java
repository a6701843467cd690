package io.tarn.functions.etltrigger;

import static org.assertj.core.api.Assertions.assertThat;

import io.tarn.aws.AwsClients;
import io.tarn.aws.AwsSettings;
import io.tarn.embedded.LambdaJar;
import io.tarn.embedded.MotoServer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.ExecutionListItem;

/**
 * The shaded jar that is deployed to Lambda, as built by {@code package}: what it carries, and that
 * it decodes the sample event and starts executions on moto in a JVM whose class path is that jar
 * plus {@link ShadedJarMain}. Run by failsafe ({@code ./mvnw verify}).
 */
class ShadedJarIT {

    private static final Path LAMBDA_JAR = LambdaJar.built("tarn-etl-trigger");
    private static final Path EVENT = Path.of("../../events/sqs-staging-changed.json");

    @TempDir
    Path temp;

    @Test
    void lambdaJarCarriesTheHandlerAndStepFunctionsButNoOtherServiceAndNoTestLibraries() throws IOException {
        List<String> entries = LambdaJar.entries(LAMBDA_JAR);
        assertThat(entries).contains("io/tarn/functions/etltrigger/EtlTriggerHandler.class",
                "io/tarn/etl/trigger/EtlTriggerService.class", "software/amazon/awssdk/services/sfn/SfnClient.class",
                "com/amazonaws/services/lambda/runtime/events/SQSEvent.class", "org/joda/time/DateTime.class");
        assertThat(LambdaJar.functionJarFaults(LAMBDA_JAR)).isEmpty();
        // Of the events library, the types the functions take and answer; the serializer loads them by name.
        assertThat(LambdaJar.eventTypes(entries))
                .containsExactly("SQSBatchResponse", "SQSEvent", "ScheduledEvent", "models/s3/S3EventNotification");
        assertThat(LambdaJar.under(entries, LambdaJar.PARQUET_WRITING)).isEmpty();
        assertThat(LambdaJar.under(entries, List.of("software/amazon/awssdk/services/s3/",
                "software/amazon/awssdk/services/dynamodb/", "software/amazon/awssdk/services/glue/",
                "software/amazon/awssdk/services/athena/", "software/amazon/awssdk/services/secretsmanager/",
                "com/amazonaws/services/lambda/runtime/tests/"))).isEmpty();
    }

    @Test
    void lambdaJarDecodesTheSampleEventAndStartsTheExecutionsOnMoto() throws Exception {
        MotoServer moto = MotoServer.shared();
        SfnClient sfn = new AwsClients(AwsSettings.local(moto.endpoint(), "us-east-1", "test", "test"))
                .build(SfnClient.builder());
        String stateMachineArn = sfn.createStateMachine(request -> request
                .name("tarn-etl-" + UUID.randomUUID())
                .definition("{\"StartAt\": \"Done\", \"States\": {\"Done\": {\"Type\": \"Succeed\"}}}")
                .roleArn("arn:aws:iam::123456789012:role/tarn-etl")).stateMachineArn();

        LambdaJar.Run run = LambdaJar.run(LAMBDA_JAR, ShadedJarMain.class, temp,
                EVENT.toAbsolutePath().toString(), moto.endpoint().toString(), stateMachineArn);

        assertThat(run.exitCode()).as("exit code; stderr:%n%s", run.stderr()).isZero();
        // The service's JSON log lines (Lambda's standard output), then the response.
        assertThat(run.stdout()).endsWith("{\"batchItemFailures\":[]}", "sfn classes: all load");
        assertThat(run.stdout()).filteredOn(line -> line.contains("\"message\":\"ETL execution started\""))
                .hasSize(2);
        assertThat(sfn.listExecutions(request -> request.stateMachineArn(stateMachineArn)).executions())
                .extracting(ExecutionListItem::name)
                .containsExactlyInAnyOrder("auto-20240601T120000Z-60s", "auto-20240601T120100Z-60s");
    }
}
