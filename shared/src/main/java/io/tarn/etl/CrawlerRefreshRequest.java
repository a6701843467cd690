package io.tarn.etl;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/**
 * What the state machine asks of crawler refresh: {@code {"action": "check"|"start"|"status",
 * "runId": "...", "attempt": n}}. {@code runId} is required by {@code check} and {@code status};
 * {@code attempt} (0 when absent) counts the state machine's status polls.
 */
public record CrawlerRefreshRequest(Action action, Optional<String> runId, int attempt) {

    /** The three steps of a crawler refresh, named in the event in lower case. */
    public enum Action { CHECK, START, STATUS }

    public CrawlerRefreshRequest {
        requireNonNull(action, "action is null");
        requireNonNull(runId, "runId is null");
        runId.ifPresent(RunManifest::checkRunId);
        if (attempt < 0) {
            throw new IllegalArgumentException("attempt must be 0 or more, got " + attempt);
        }
    }
}
