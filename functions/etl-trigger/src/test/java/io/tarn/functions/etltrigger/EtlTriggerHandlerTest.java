package io.tarn.functions.etltrigger;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.amazonaws.services.lambda.runtime.tests.annotations.Event;
import io.tarn.aws.AwsClients;
import io.tarn.aws.AwsSettings;
import io.tarn.embedded.LambdaContext;
import io.tarn.embedded.MotoServer;
import io.tarn.etl.trigger.EtlTriggerConfig;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.ExecutionListItem;

/** The handler with its production wiring against moto's Step Functions, fed the sample event of events/. */
class EtlTriggerHandlerTest {

    private static final LambdaContext CONTEXT = LambdaContext.withRemaining(() -> 60_000);

    private SfnClient sfn;
    private String stateMachineArn;
    private EtlTriggerHandler handler;

    @BeforeEach
    void stateMachine() {
        AwsSettings moto = AwsSettings.local(MotoServer.shared().endpoint(), "us-east-1", "test", "test");
        sfn = new AwsClients(moto).build(SfnClient.builder());
        stateMachineArn = sfn.createStateMachine(request -> request
                .name("tarn-etl-" + UUID.randomUUID())
                .definition("{\"StartAt\": \"Done\", \"States\": {\"Done\": {\"Type\": \"Succeed\"}}}")
                .roleArn("arn:aws:iam::123456789012:role/tarn-etl")).stateMachineArn();
        handler = new EtlTriggerHandler(EtlTriggerWiring.aws(EtlTriggerConfig.fromEnv(Map.of(
                EtlTriggerConfig.AWS_REGION, "us-east-1", EtlTriggerConfig.STATE_MACHINE_ARN, stateMachineArn)), moto));
    }

    @ParameterizedTest
    @Event(value = "sqs-staging-changed.json", type = SQSEvent.class)
    void startsOneExecutionPerWindowOfTheNoticesWithTheJobAfterTheWindowsEnd(SQSEvent event) {
        SQSBatchResponse response = handler.handleRequest(event, CONTEXT);

        assertThat(response.getBatchItemFailures()).isEmpty();
        assertThat(executions()).extracting(ExecutionListItem::name)
                .containsExactlyInAnyOrder("auto-20240601T120000Z-60s", "auto-20240601T120100Z-60s");
        assertThat(input("auto-20240601T120000Z-60s"))
                .isEqualTo("{\"mode\":\"join\",\"datasets\":\"all\",\"startAfter\":\"2024-06-01T12:01:10Z\"}");
        assertThat(input("auto-20240601T120100Z-60s"))
                .isEqualTo("{\"mode\":\"join\",\"datasets\":\"all\",\"startAfter\":\"2024-06-01T12:02:10Z\"}");
    }

    @ParameterizedTest
    @Event(value = "sqs-staging-changed.json", type = SQSEvent.class)
    void theSameBatchDeliveredAgainStartsNothingMoreAndSucceeds(SQSEvent event) {
        handler.handleRequest(event, CONTEXT);
        executions().forEach(e -> sfn.stopExecution(request -> request.executionArn(e.executionArn())));

        SQSBatchResponse again = handler.handleRequest(event, CONTEXT);

        assertThat(again.getBatchItemFailures()).isEmpty();
        assertThat(executions()).hasSize(2);
    }

    @ParameterizedTest
    @Event(value = "sqs-staging-changed.json", type = SQSEvent.class)
    void aMessageThatIsNoNoticeIsDeliveredAgainWhileTheOthersStartTheirRun(SQSEvent event) {
        event.getRecords().get(1).setBody("{\"detail-type\": \"Scheduled Event\", \"source\": \"aws.events\","
                + " \"time\": \"2024-06-01T12:00:00Z\", \"detail\": {}}");
        event.getRecords().get(2).setBody("not json");

        SQSBatchResponse response = handler.handleRequest(event, CONTEXT);

        assertThat(response.getBatchItemFailures()).extracting(SQSBatchResponse.BatchItemFailure::getItemIdentifier)
                .containsExactly(event.getRecords().get(1).getMessageId(), event.getRecords().get(2).getMessageId());
        assertThat(executions()).extracting(ExecutionListItem::name).containsExactly("auto-20240601T120000Z-60s");
    }

    @ParameterizedTest
    @Event(value = "sqs-staging-changed.json", type = SQSEvent.class)
    void noticesCarryTheBucketKeyAndTimeOfTheCreatedObject(SQSEvent event) {
        StagingNotices.Decoded decoded = StagingNotices.decode(event);

        assertThat(decoded.undecodable()).isEmpty();
        assertThat(decoded.changes()).extracting(change -> change.bucket() + " " + change.key() + " " + change.landedAt())
                .containsExactly("tarn-staging manifests/orders/3f2a9c1e7b8d4a60.json 2024-06-01T12:00:05Z",
                        "tarn-staging manifests/accounts/9c0d1e2f3a4b5c6d.json 2024-06-01T12:00:40Z",
                        "tarn-staging manifests/orders/7a8b9c0d1e2f3a4b.json 2024-06-01T12:01:02Z");
        assertThat(decoded.changes()).extracting(change -> change.id())
                .containsExactlyElementsOf(event.getRecords().stream().map(SQSEvent.SQSMessage::getMessageId).toList());
    }

    private List<ExecutionListItem> executions() {
        return sfn.listExecutions(request -> request.stateMachineArn(stateMachineArn)).executions();
    }

    private String input(String name) {
        return sfn.describeExecution(request -> request.executionArn(
                stateMachineArn.replace(":stateMachine:", ":execution:") + ":" + name)).input();
    }
}
