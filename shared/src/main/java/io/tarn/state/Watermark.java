package io.tarn.state;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * How far a poller has durably read one source table.
 *
 * @param position opaque to the store: the poll strategy's encoding of the last row read
 * @param sequence 1 for the first commit, then one more per commit; conditional writes compare it,
 *     so two pollers cannot both commit from the same watermark or move it backwards
 * @param committedAt when this watermark was committed
 */
public record Watermark(String dataset, String position, long sequence, Instant committedAt) {

    /** The expected sequence of a table that has no watermark yet. */
    public static final long NONE = 0;

    public Watermark {
        requireNonNull(dataset, "dataset is null");
        requireNonNull(position, "position is null");
        requireNonNull(committedAt, "committedAt is null");
        if (sequence <= NONE) {
            throw new IllegalArgumentException("watermark sequence must be positive, got " + sequence);
        }
    }
}
