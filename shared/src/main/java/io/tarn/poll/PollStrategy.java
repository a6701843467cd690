package io.tarn.poll;

import static java.util.Objects.requireNonNull;

import io.tarn.pipeline.Dataset;
import io.tarn.pipeline.PollSpec;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Optional;

/**
 * How one strategy finds a table's changed rows. The poller owns everything else (lease,
 * watermark, pages as raw objects, the unknown-outcome path); a strategy only says where a table
 * starts, how far a poll may read, what a page query is and where a row puts the position.
 *
 * <p>Positions are strings that are safe in an S3 key and sort like the positions they stand for
 * (fixed-width cursors first), because raw keys are made of them.
 */
public interface PollStrategy {

    /**
     * The strategy's name in raw keys and reports ({@code rowversion}, {@code timestamp},
     * {@code change_tracking}).
     */
    String name();

    /** The position before every row: where a table without a watermark starts. */
    String initialPosition();

    /**
     * The exclusive upper bound of this poll, captured once before any page is read: rows at or
     * above it may belong to transactions that are still open, and wait for a later poll.
     */
    UpperBound upperBound(Connection connection, Instant now) throws SQLException;

    /** The query of the page after {@code position}: at most {@code pageSize} rows, in position order. */
    SqlQuery page(String position, UpperBound upper, int pageSize);

    /** The position of the current row of the page read after {@code start}. */
    String position(String start, UpperBound upper, ResultSet row) throws SQLException;

    /**
     * The {@code _op} of the current row of the page read after {@code start}. Cursor strategies
     * see the row as it is now, not what happened to it: {@code U}, an upsert of the row's current
     * image.
     */
    String operation(String start, UpperBound upper, ResultSet row) throws SQLException;

    /**
     * Where a table stands once no rows follow {@code position} below the bound, when that is a
     * position of its own, committed without a page: the end of a change_tracking sync, whose
     * version is only committed after its last page. Cursor strategies have none (the last row's
     * position is where they stand).
     */
    default Optional<String> settled(String position, UpperBound upper) {
        return Optional.empty();
    }

    /**
     * An upper bound as the strategy uses it, and as logs and reports show it.
     */
    record UpperBound(Object value, String text) {
        public UpperBound {
            requireNonNull(value, "value is null");
            requireNonNull(text, "text is null");
        }
    }

    /**
     * The strategy a dataset's {@code poll:} block names; its identifiers are validated here.
     *
     * @throws io.tarn.pipeline.PipelineConfigException for an unsafe identifier
     */
    static PollStrategy forDataset(Dataset dataset) {
        PollSpec poll = dataset.poll().orElseThrow(() -> new IllegalArgumentException(
                "dataset '" + dataset.name() + "' has no poll block"));
        return switch (poll.strategy()) {
            case ROWVERSION -> new RowversionStrategy(SqlServerDialect.forDataset(dataset));
            case TIMESTAMP -> new TimestampStrategy(dataset, SqlServerDialect.forDataset(dataset), poll.lag());
            case CHANGE_TRACKING -> new ChangeTrackingStrategy(dataset);
        };
    }
}
