package io.tarn.etl.trigger;

import java.util.List;
import java.util.Optional;

/**
 * What one batch of staging changes did.
 *
 * @param runs one per window the batch's changes fell in, in window order
 * @param failedIds the ids of the notices whose execution could not be started: they are to be
 *     delivered again (SQS batch item failures)
 * @param ignored notices of objects that are not manifests, which change nothing the ETL reads
 */
public record EtlTriggerReport(List<Run> runs, List<String> failedIds, int ignored) {

    public EtlTriggerReport {
        runs = List.copyOf(runs);
        failedIds = List.copyOf(failedIds);
    }

    /**
     * The execution of one window.
     *
     * @param started whether this batch started it; {@code false} when it existed already (a
     *     duplicate notice, or an earlier batch of the same window)
     * @param error why it could not be started; its notices are in {@code failedIds}
     */
    public record Run(String name, String startAfter, int changes, boolean started, Optional<String> error) {
    }
}
