package io.tarn.poll;

import java.util.List;

/**
 * What one poll covers.
 *
 * @param datasets names of azuresql datasets; empty means all of them (the scheduled event)
 * @param snapshotKeys take a key snapshot of each cursor-polled dataset among them now, due or not
 *     (with {@code delete_detection}, snapshots are otherwise taken at most every {@code every}):
 *     after a bulk delete at the source, say
 */
public record PollRequest(List<String> datasets, boolean snapshotKeys) {

    public PollRequest {
        datasets = List.copyOf(datasets);
    }

    public PollRequest(List<String> datasets) {
        this(datasets, false);
    }

    public static PollRequest all() {
        return new PollRequest(List.of());
    }
}
