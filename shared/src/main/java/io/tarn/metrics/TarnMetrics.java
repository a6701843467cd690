package io.tarn.metrics;

import static io.tarn.metrics.Metric.Unit.COUNT;
import static io.tarn.metrics.Metric.Unit.SECONDS;

import java.util.List;
import java.util.Optional;

/**
 * Every metric the functions and the Glue job publish, defined once: the emitting code takes them
 * from here, and a contract test holds template.yaml's alarms and dashboard to the same names,
 * namespace and dimensions (and to what a real run emits).
 */
public final class TarnMetrics {

    /** The CloudWatch namespace of every Tarn metric. */
    public static final String NAMESPACE = "Tarn";

    /** The dataset of pipeline.yaml a value is about. */
    public static final String DATASET = "Dataset";
    /** The function (or job) a value is about, by its log component name ({@code sql-poller}). */
    public static final String FUNCTION = "Function";

    // RawObject (and the Glue backfill, which runs the same conversion), per converted object.
    public static final Metric ROWS_READ = new Metric("RowsRead", COUNT, List.of(DATASET));
    public static final Metric ROWS_WRITTEN = new Metric("RowsWritten", COUNT, List.of(DATASET));
    public static final Metric ROWS_QUARANTINED = new Metric("RowsQuarantined", COUNT, List.of(DATASET));
    public static final Metric OBJECTS_CONVERTED = new Metric("ObjectsConverted", COUNT, List.of(DATASET));
    public static final Metric CONVERSION_SECONDS = new Metric("ConversionSeconds", SECONDS, List.of(DATASET));

    // SqlPoller: per table polled, and one success per poll that completed.
    public static final Metric POLLED_ROWS = new Metric("PolledRows", COUNT, List.of(DATASET));
    public static final Metric POLLED_PAGES = new Metric("PolledPages", COUNT, List.of(DATASET));
    public static final Metric POLLS_SUCCEEDED = new Metric("PollsSucceeded", COUNT, List.of(FUNCTION));

    // The Glue job's refresh of the current tables, per dataset and run.
    public static final Metric PARTITIONS_REWRITTEN = new Metric("PartitionsRewritten", COUNT, List.of(DATASET));
    /** Now minus when the newest change the current table holds reached staging. */
    public static final Metric REFRESH_LAG_SECONDS = new Metric("RefreshLagSeconds", SECONDS, List.of(DATASET));

    public static final List<Metric> ALL = List.of(ROWS_READ, ROWS_WRITTEN, ROWS_QUARANTINED, OBJECTS_CONVERTED,
            CONVERSION_SECONDS, POLLED_ROWS, POLLED_PAGES, POLLS_SUCCEEDED, PARTITIONS_REWRITTEN, REFRESH_LAG_SECONDS);

    /** The value of {@link #FUNCTION} on the poller's metrics. */
    public static final String SQL_POLLER = "sql-poller";

    private TarnMetrics() {}

    /** The metric of that name, if Tarn publishes one. */
    public static Optional<Metric> named(String name) {
        return ALL.stream().filter(metric -> metric.name().equals(name)).findFirst();
    }
}
