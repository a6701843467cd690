package io.tarn.pipeline;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Optional;

/**
 * How the SqlPoller reads an Azure SQL table incrementally (the {@code poll:} block of an
 * {@code azuresql} dataset).
 *
 * @param strategy how changed rows are found
 * @param cursorColumn the {@code rowversion} or {@code datetime2} column (cursor strategies only);
 *     it need not be one of the dataset's columns
 * @param lag for {@link Strategy#TIMESTAMP}: rows newer than {@code now - lag} wait for the next
 *     poll, so a transaction that commits late with an older timestamp is still seen
 * @param pageSize rows per raw object
 * @param fetchSize rows per JDBC round trip; rows are streamed, never a whole page in memory
 * @param deleteDetection for the cursor strategies, which cannot see a deleted row: how often the
 *     poller lands a snapshot of the table's primary keys, from which the refresh deletes the rows
 *     that are gone ({@code delete_detection: {every: 6h}}); none when absent
 */
public record PollSpec(
        Strategy strategy,
        Optional<String> cursorColumn,
        Duration lag,
        int pageSize,
        int fetchSize,
        Optional<Duration> deleteDetection) {

    public enum Strategy {
        /** A {@code rowversion} column, read below {@code MIN_ACTIVE_ROWVERSION()}. */
        ROWVERSION("rowversion"),
        /** A {@code datetime2} column, read below {@code now - lag}. */
        TIMESTAMP("timestamp"),
        /** SQL Server Change Tracking ({@code CHANGETABLE(CHANGES ...)}): deletes included. */
        CHANGE_TRACKING("change_tracking");

        private final String configName;

        Strategy(String configName) {
            this.configName = configName;
        }

        public String configName() {
            return configName;
        }

        static Optional<Strategy> fromConfigName(String name) {
            for (Strategy strategy : values()) {
                if (strategy.configName.equals(name)) {
                    return Optional.of(strategy);
                }
            }
            return Optional.empty();
        }
    }

    public static final int DEFAULT_PAGE_SIZE = 50_000;
    public static final int DEFAULT_FETCH_SIZE = 1_000;
    public static final Duration DEFAULT_LAG = Duration.ofSeconds(60);

    /** A poll block without delete detection. */
    public PollSpec(Strategy strategy, Optional<String> cursorColumn, Duration lag, int pageSize, int fetchSize) {
        this(strategy, cursorColumn, lag, pageSize, fetchSize, Optional.empty());
    }

    public PollSpec {
        requireNonNull(strategy, "strategy is null");
        requireNonNull(cursorColumn, "cursorColumn is null");
        requireNonNull(lag, "lag is null");
        if (strategy != Strategy.CHANGE_TRACKING && cursorColumn.isEmpty()) {
            throw new IllegalArgumentException("strategy " + strategy.configName() + " needs a cursor_column");
        }
        if (pageSize <= 0 || fetchSize <= 0) {
            throw new IllegalArgumentException("page_size and fetch_size must be positive");
        }
        if (lag.isNegative()) {
            throw new IllegalArgumentException("lag_seconds must not be negative");
        }
        requireNonNull(deleteDetection, "deleteDetection is null");
        if (deleteDetection.isPresent() && strategy == Strategy.CHANGE_TRACKING) {
            throw new IllegalArgumentException("change_tracking reads deletes itself; delete_detection is for the cursor strategies");
        }
        if (deleteDetection.isPresent() && (deleteDetection.get().isNegative() || deleteDetection.get().isZero())) {
            throw new IllegalArgumentException("delete_detection every must be positive");
        }
    }
}
