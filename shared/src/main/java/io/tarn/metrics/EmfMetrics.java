package io.tarn.metrics;

import static java.util.Objects.requireNonNull;

import io.tarn.log.JsonLogger;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Publishes metrics as CloudWatch embedded metric format (EMF) documents: log lines that
 * CloudWatch Logs turns into metric values, with no call to CloudWatch (a Lambda function's standard
 * output, and the Glue job's, go to a log group). Each document is one line of the component's
 * {@link JsonLogger}, so it also carries the usual {@code timestamp}, {@code level} and
 * {@code component}, which the format ignores:
 *
 * <pre>{@code
 * {"timestamp":"...","level":"INFO","component":"raw-object","message":"metrics",
 *  "_aws":{"Timestamp":1733000000000,"CloudWatchMetrics":[{"Namespace":"Tarn","Dimensions":[["Dataset"]],
 *          "Metrics":[{"Name":"RowsRead","Unit":"Count"}]}]},
 *  "Dataset":"orders","RowsRead":9}
 * }</pre>
 *
 * <p>Written by hand rather than through Powertools' metrics module, which brings the
 * aws-embedded-metrics library, commons-lang3 and a process-wide metrics singleton into every jar
 * for what is one JSON object per line.
 */
public final class EmfMetrics {

    /** The {@code message} of every metrics line, to find them among the others. */
    public static final String MESSAGE = "metrics";

    private final JsonLogger log;
    private final Clock clock;

    public EmfMetrics(JsonLogger log, Clock clock) {
        this.log = requireNonNull(log, "log is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    /**
     * Publishes one value of each metric, all with the same dimension values.
     *
     * @param dimensions the value of every dimension the metrics carry, no more and no fewer
     * @throws IllegalArgumentException when a metric carries other dimensions than those given, or
     *     a dimension value is blank: CloudWatch would file the values under another metric than
     *     the alarms watch, or drop them
     */
    public void publish(Map<String, String> dimensions, Map<Metric, ? extends Number> values) {
        requireNonNull(dimensions, "dimensions is null");
        requireNonNull(values, "values is null");
        if (values.isEmpty()) {
            throw new IllegalArgumentException("no metric values to publish");
        }
        dimensions.forEach((name, value) -> {
            if (value == null || value.isBlank()) {
                throw new IllegalArgumentException("dimension " + name + " has no value");
            }
        });
        List<Map<String, String>> definitions = new ArrayList<>();
        Map<String, Object> fields = new LinkedHashMap<>();
        for (Map.Entry<Metric, ? extends Number> entry : values.entrySet()) {
            Metric metric = entry.getKey();
            if (!new HashSet<>(metric.dimensions()).equals(dimensions.keySet())) {
                throw new IllegalArgumentException("metric %s carries the dimensions %s, not %s"
                        .formatted(metric.name(), metric.dimensions(), dimensions.keySet()));
            }
            definitions.add(Map.of("Name", metric.name(), "Unit", metric.unit().emfName()));
            fields.put(metric.name(), requireNonNull(entry.getValue(), () -> metric.name() + " is null"));
        }
        Map<String, Object> directive = new LinkedHashMap<>();
        directive.put("Namespace", TarnMetrics.NAMESPACE);
        directive.put("Dimensions", List.of(List.copyOf(dimensions.keySet())));
        directive.put("Metrics", definitions);
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("Timestamp", clock.millis());
        metadata.put("CloudWatchMetrics", List.of(directive));
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("_aws", metadata);
        line.putAll(dimensions);
        line.putAll(fields);
        log.info(MESSAGE, line);
    }

    /** Publishes values of metrics about one dataset. */
    public void publishForDataset(String dataset, Map<Metric, ? extends Number> values) {
        publish(Map.of(TarnMetrics.DATASET, requireNonNull(dataset, "dataset is null")), values);
    }
}
