package io.tarn.state;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** {@link Watermarks} in memory, held to DynamoDB's rules by {@link WatermarksContract}. */
public final class InMemoryWatermarks implements Watermarks {

    private record Lease(String owner, Instant until) {}

    private final Map<String, Watermark> marks = new HashMap<>();
    private final Map<String, Lease> leases = new HashMap<>();

    @Override
    public synchronized Optional<Watermark> watermark(String dataset) {
        return Optional.ofNullable(marks.get(requireNonNull(dataset, "dataset is null")));
    }

    @Override
    public synchronized boolean advanceWatermark(String dataset, long expectedSequence, Watermark next) {
        requireNonNull(next, "next is null");
        Watermarks.checkAdvance(dataset, expectedSequence, next);
        Watermark stored = marks.get(dataset);
        if ((stored == null ? Watermark.NONE : stored.sequence()) != expectedSequence) {
            return false;
        }
        marks.put(dataset, next);
        return true;
    }

    @Override
    public synchronized boolean acquireLease(String dataset, String owner, Instant now, Instant until) {
        requireNonNull(owner, "owner is null");
        requireNonNull(now, "now is null");
        Lease held = leases.get(requireNonNull(dataset, "dataset is null"));
        if (held != null && !held.owner().equals(owner) && held.until().isAfter(now)) {
            return false;
        }
        leases.put(dataset, new Lease(owner, requireNonNull(until, "until is null")));
        return true;
    }

    @Override
    public synchronized void releaseLease(String dataset, String owner) {
        requireNonNull(owner, "owner is null");
        leases.computeIfPresent(dataset, (name, held) -> held.owner().equals(owner) ? null : held);
    }
}
