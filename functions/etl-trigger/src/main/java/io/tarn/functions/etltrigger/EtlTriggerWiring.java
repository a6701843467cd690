package io.tarn.functions.etltrigger;

import io.tarn.aws.AwsClients;
import io.tarn.aws.AwsSettings;
import io.tarn.aws.sfn.StepFunctionsExecutions;
import io.tarn.etl.trigger.EtlExecutions;
import io.tarn.etl.trigger.EtlTriggerConfig;
import io.tarn.etl.trigger.EtlTriggerService;
import io.tarn.log.JsonLogger;
import java.io.PrintStream;
import java.time.Clock;
import software.amazon.awssdk.services.sfn.SfnClient;

/**
 * Builds the EtlTrigger function's service from its configuration and its one port, the state
 * machine's executions: Step Functions in AWS ({@link #aws}), the local state machine's in LocalLake.
 */
public final class EtlTriggerWiring {

    static final String FUNCTION = "etl-trigger";

    private EtlTriggerWiring() {}

    /** Lambda's: the Step Functions client of the configuration's region. */
    public static EtlTriggerService aws(EtlTriggerConfig config) {
        return aws(config, AwsSettings.aws(config.region()));
    }

    /** The same at one endpoint (moto). */
    public static EtlTriggerService aws(EtlTriggerConfig config, AwsSettings settings) {
        EtlExecutions executions = new StepFunctionsExecutions(
                new AwsClients(settings).build(SfnClient.builder()), config.stateMachineArn());
        return service(config, executions, System.out);
    }

    /** The trigger over any executions; logs are JSON lines on {@code logs}. */
    public static EtlTriggerService service(EtlTriggerConfig config, EtlExecutions executions, PrintStream logs) {
        return new EtlTriggerService(executions, config, new JsonLogger(logs, Clock.systemUTC(), FUNCTION));
    }
}
