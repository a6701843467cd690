package io.tarn.functions.etltrigger;

import static java.util.Objects.requireNonNull;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import io.tarn.etl.trigger.EtlTriggerConfig;
import io.tarn.etl.trigger.EtlTriggerReport;
import io.tarn.etl.trigger.EtlTriggerService;
import java.util.ArrayList;
import java.util.List;

/**
 * EtlTrigger: an SQS batch of "staging changed" notices (EventBridge events of RawObject's
 * manifests) in, the ETL state machine started once per window of changes, and the messages to
 * deliver again out ({@code batchItemFailures}: those that are not notices, and those whose
 * execution could not be started).
 */
public final class EtlTriggerHandler implements RequestHandler<SQSEvent, SQSBatchResponse> {

    private final EtlTriggerService trigger;

    /** Lambda's constructor: the Step Functions client, built once per container. */
    public EtlTriggerHandler() {
        this(EtlTriggerWiring.aws(EtlTriggerConfig.fromEnv(System.getenv())));
    }

    public EtlTriggerHandler(EtlTriggerService trigger) {
        this.trigger = requireNonNull(trigger, "trigger is null");
    }

    @Override
    public SQSBatchResponse handleRequest(SQSEvent event, Context context) {
        StagingNotices.Decoded notices = StagingNotices.decode(event);
        List<String> failed = new ArrayList<>();
        notices.undecodable().forEach(message -> failed.add(message.messageId()));
        EtlTriggerReport report = trigger.trigger(notices.changes(), notices.undecodable().stream()
                .map(StagingNotices.Undecodable::reason).toList());
        failed.addAll(report.failedIds());
        return new SQSBatchResponse(failed.stream().map(SQSBatchResponse.BatchItemFailure::new).toList());
    }
}
