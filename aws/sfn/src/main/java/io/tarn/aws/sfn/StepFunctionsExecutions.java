package io.tarn.aws.sfn;

import static java.util.Objects.requireNonNull;

import io.tarn.etl.trigger.EtlExecutions;
import io.tarn.etl.trigger.EtlTriggerException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.ExecutionAlreadyExistsException;
import software.amazon.awssdk.services.sfn.model.StartExecutionRequest;

/** {@link EtlExecutions} over one Step Functions state machine: StartExecution with the run's name. */
public final class StepFunctionsExecutions implements EtlExecutions {

    private final SfnClient sfn;
    private final String stateMachineArn;

    public StepFunctionsExecutions(SfnClient sfn, String stateMachineArn) {
        this.sfn = requireNonNull(sfn, "sfn is null");
        this.stateMachineArn = requireNonNull(stateMachineArn, "stateMachineArn is null");
    }

    @Override
    public boolean start(String name, String input) {
        requireNonNull(name, "name is null");
        requireNonNull(input, "input is null");
        try {
            sfn.startExecution(StartExecutionRequest.builder()
                    .stateMachineArn(stateMachineArn)
                    .name(name)
                    .input(input)
                    .build());
            return true;
        } catch (ExecutionAlreadyExistsException e) {
            // A standard workflow keeps an execution's name for 90 days: a running execution of the
            // same name and input answers success, one that finished (or has another input) this.
            // Either way the window's run exists, and its job starts after the window's end.
            return false;
        } catch (SdkException e) {
            // The SDK retried what it deems transient (throttling, 5xx); what is left is a failure to
            // start, and the notices are delivered again.
            throw new EtlTriggerException(
                    "Cannot start execution %s of state machine %s".formatted(name, stateMachineArn), e);
        }
    }
}
