package io.tarn.poll;

import java.time.Duration;

/** How much time the current invocation has left (Lambda's remaining time; unbounded locally). */
@FunctionalInterface
public interface Deadline {

    Duration remaining();

    static Deadline none() {
        return () -> Duration.ofDays(365);
    }
}
