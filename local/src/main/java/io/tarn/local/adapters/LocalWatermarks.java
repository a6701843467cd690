package io.tarn.local.adapters;

import static java.util.Objects.requireNonNull;

import io.tarn.state.Watermark;
import io.tarn.state.Watermarks;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * The local lake's {@link Watermarks}: a polled table's watermark and lease are the file
 * {@code DIR/state/tables/<dataset>.json}, each changed by its own conditional update.
 */
public final class LocalWatermarks implements Watermarks {

    /** The file layout of a table's state; absent parts are null. */
    record TableState(String position, Long sequence, Instant committedAt, String leaseOwner, Instant leaseUntil) {
        static final TableState EMPTY = new TableState(null, null, null, null, null);
    }

    /** Who holds a table's lease, until when (an expired lease stays until it is taken or released). */
    public record Lease(String owner, Instant until) {
        public Lease {
            requireNonNull(owner, "owner is null");
            requireNonNull(until, "until is null");
        }
    }

    private final LocalStateFiles files;

    public LocalWatermarks(Path root) {
        this.files = new LocalStateFiles(root);
    }

    @Override
    public Optional<Watermark> watermark(String dataset) {
        TableState state = files.read(file(dataset), TableState.class);
        if (state == null || state.sequence() == null) {
            return Optional.empty();
        }
        return Optional.of(new Watermark(dataset, state.position(), state.sequence(), state.committedAt()));
    }

    /** The table's lease as the file holds it, expired or not; empty when none is held. */
    public Optional<Lease> lease(String dataset) {
        TableState state = files.read(file(dataset), TableState.class);
        if (state == null || state.leaseOwner() == null) {
            return Optional.empty();
        }
        return Optional.of(new Lease(state.leaseOwner(), state.leaseUntil()));
    }

    @Override
    public boolean advanceWatermark(String dataset, long expectedSequence, Watermark next) {
        requireNonNull(next, "next is null");
        Watermarks.checkAdvance(dataset, expectedSequence, next);
        return update(dataset, state -> {
            long stored = state.sequence() == null ? Watermark.NONE : state.sequence();
            return stored != expectedSequence ? null : new TableState(
                    next.position(), next.sequence(), next.committedAt(), state.leaseOwner(), state.leaseUntil());
        });
    }

    @Override
    public boolean acquireLease(String dataset, String owner, Instant now, Instant until) {
        requireNonNull(owner, "owner is null");
        requireNonNull(now, "now is null");
        requireNonNull(until, "until is null");
        return update(dataset, state -> {
            boolean available = state.leaseOwner() == null || state.leaseOwner().equals(owner)
                    || !state.leaseUntil().isAfter(now);
            return !available ? null
                    : new TableState(state.position(), state.sequence(), state.committedAt(), owner, until);
        });
    }

    @Override
    public void releaseLease(String dataset, String owner) {
        requireNonNull(owner, "owner is null");
        update(dataset, state -> !owner.equals(state.leaseOwner()) ? null
                : new TableState(state.position(), state.sequence(), state.committedAt(), null, null));
    }

    private boolean update(String dataset, UnaryOperator<TableState> change) {
        return files.update(file(dataset), TableState.class,
                state -> change.apply(state == null ? TableState.EMPTY : state));
    }

    private Path file(String dataset) {
        return files.item("tables", dataset, "dataset");
    }
}
