package io.tarn.aws.sfn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tarn.embedded.MotoServer;
import io.tarn.etl.trigger.EtlTriggerException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;
import software.amazon.awssdk.services.sfn.model.SfnException;
import software.amazon.awssdk.services.sfn.model.StartExecutionRequest;
import software.amazon.awssdk.services.sfn.model.StartExecutionResponse;

/** {@link StepFunctionsExecutions} on moto's Step Functions, which keeps names as the service does. */
class StepFunctionsExecutionsTest {

    private static SfnClient sfn;
    private static String stateMachineArn;

    @BeforeAll
    static void stateMachine() {
        MotoServer moto = MotoServer.shared();
        sfn = moto.client(SfnClient.builder());
        stateMachineArn = sfn.createStateMachine(request -> request
                .name("tarn-etl-" + UUID.randomUUID())
                .definition("{\"StartAt\": \"Done\", \"States\": {\"Done\": {\"Type\": \"Succeed\"}}}")
                .roleArn("arn:aws:iam::123456789012:role/tarn-etl")).stateMachineArn();
    }

    @Test
    void startsAnExecutionWithTheRunsNameAndInput() {
        String name = "auto-" + UUID.randomUUID();

        boolean started = new StepFunctionsExecutions(sfn, stateMachineArn).start(name, "{\"startAfter\":\"2024-06-01T12:01:10Z\"}");

        assertThat(started).isTrue();
        var execution = sfn.describeExecution(request -> request.executionArn(
                stateMachineArn.replace(":stateMachine:", ":execution:") + ":" + name));
        assertThat(execution.name()).isEqualTo(name);
        assertThat(execution.input()).isEqualTo("{\"startAfter\":\"2024-06-01T12:01:10Z\"}");
        assertThat(execution.status()).isEqualTo(ExecutionStatus.RUNNING);
    }

    @Test
    void aNameThatExistsIsNotStartedAgainAndIsNoError() {
        StepFunctionsExecutions executions = new StepFunctionsExecutions(sfn, stateMachineArn);
        String name = "auto-" + UUID.randomUUID();
        executions.start(name, "{\"a\":1}");
        String arn = stateMachineArn.replace(":stateMachine:", ":execution:") + ":" + name;

        // Running with the same input: Step Functions answers as for the first start.
        assertThat(executions.start(name, "{\"a\":1}")).isTrue();
        // Finished: ExecutionAlreadyExists, which means the window's run exists.
        sfn.stopExecution(request -> request.executionArn(arn));
        assertThat(executions.start(name, "{\"a\":1}")).isFalse();

        assertThat(sfn.listExecutions(request -> request.stateMachineArn(stateMachineArn)).executions())
                .filteredOn(e -> e.name().equals(name)).hasSize(1);
    }

    @Test
    void sendsExactlyTheStateMachineNameAndInput() {
        List<StartExecutionRequest> requests = new ArrayList<>();
        SfnClient recording = new SfnClient() {
            @Override
            public StartExecutionResponse startExecution(StartExecutionRequest request) {
                requests.add(request);
                return StartExecutionResponse.builder().executionArn("arn:execution").build();
            }

            @Override
            public String serviceName() {
                return "sfn";
            }

            @Override
            public void close() {
            }
        };

        new StepFunctionsExecutions(recording, "arn:aws:states:us-east-1:1:stateMachine:etl").start("auto-x", "{}");

        assertThat(requests).containsExactly(StartExecutionRequest.builder()
                .stateMachineArn("arn:aws:states:us-east-1:1:stateMachine:etl").name("auto-x").input("{}").build());
    }

    @Test
    void anyOtherFailureIsATriggerErrorNamingTheExecutionAndStateMachine() {
        SfnClient failing = new SfnClient() {
            @Override
            public StartExecutionResponse startExecution(StartExecutionRequest request) {
                throw SfnException.builder().statusCode(400).awsErrorDetails(AwsErrorDetails.builder()
                        .errorCode("ExecutionLimitExceeded").errorMessage("too many executions").build()).build();
            }

            @Override
            public String serviceName() {
                return "sfn";
            }

            @Override
            public void close() {
            }
        };

        assertThatThrownBy(() -> new StepFunctionsExecutions(failing, "arn:sm").start("auto-x", "{}"))
                .isInstanceOf(EtlTriggerException.class)
                .hasMessage("Cannot start execution auto-x of state machine arn:sm")
                .cause().hasMessageContaining("too many executions");
    }
}
