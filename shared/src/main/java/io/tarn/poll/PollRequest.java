package io.tarn.poll;

import java.util.List;

/**
 * What one poll covers.
 *
 * @param datasets names of azuresql datasets; empty means all of them (the scheduled event)
 */
public record PollRequest(List<String> datasets) {

    public PollRequest {
        datasets = List.copyOf(datasets);
    }

    public static PollRequest all() {
        return new PollRequest(List.of());
    }
}
