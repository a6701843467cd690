package io.tarn.poll;

/**
 * Runs one poll: what the SqlPoller function calls ({@code SqlPollerService::poll} in AWS), kept
 * as an interface so the handler and the local command can be tested without a source database.
 */
@FunctionalInterface
public interface Poller {

    PollReport poll(PollRequest request, Deadline deadline);
}
