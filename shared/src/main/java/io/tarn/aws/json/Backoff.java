package io.tarn.aws.json;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;

/**
 * How often and how long {@link AwsJsonClient} waits before trying a failed call again: exponential
 * backoff with full jitter, from the SDK's standard retry mode. Throttling starts from a longer
 * base delay than server errors, since the limit is shared with every other caller of the account.
 *
 * <p>Also the pace of polls for a long-running operation ({@link #delay} with {@code throttled}
 * false grows from 100 ms to the 20 s cap).
 *
 * @param maxAttempts attempts per call, the first included
 * @param sleeper waits (a recorder in tests)
 * @param jitter a random factor in {@code [0, 1)} applied to every delay
 */
public record Backoff(int maxAttempts, Sleeper sleeper, DoubleSupplier jitter) {

    static final Duration BASE_DELAY = Duration.ofMillis(100);
    static final Duration THROTTLED_BASE_DELAY = Duration.ofMillis(500);
    static final Duration MAX_DELAY = Duration.ofSeconds(20);

    public Backoff {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts is " + maxAttempts + ", must be at least 1");
        }
    }

    /** Real sleeps with random jitter. */
    public static Backoff standard(int maxAttempts) {
        return new Backoff(maxAttempts, delay -> Thread.sleep(delay.toMillis()),
                () -> ThreadLocalRandom.current().nextDouble());
    }

    /** The wait after the {@code failedAttempts}-th failed attempt (1 for the first). */
    public Duration delay(int failedAttempts, boolean throttled) {
        long base = (throttled ? THROTTLED_BASE_DELAY : BASE_DELAY).toMillis();
        // Capped before the shift can overflow: 2^20 times the base is already far over the maximum.
        long ceiling = Math.min(MAX_DELAY.toMillis(), base << Math.min(failedAttempts - 1, 20));
        return Duration.ofMillis((long) (ceiling * jitter.getAsDouble()));
    }

    @FunctionalInterface
    public interface Sleeper {
        void sleep(Duration delay) throws InterruptedException;
    }
}
