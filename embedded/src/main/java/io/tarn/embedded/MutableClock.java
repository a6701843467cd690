package io.tarn.embedded;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** A UTC clock for tests that stands still until the test sets it or moves it on. */
public final class MutableClock extends Clock {

    // Volatile: the code under test may read it from its own threads.
    private volatile Instant now;

    public MutableClock(Instant start) {
        this.now = requireNonNull(start, "start is null");
    }

    public void set(Instant instant) {
        now = requireNonNull(instant, "instant is null");
    }

    public synchronized void advance(Duration by) {
        now = now.plus(by);
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException("a test clock stays in UTC");
    }

    @Override
    public Instant instant() {
        return now;
    }
}
