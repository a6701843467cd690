package io.tarn.metrics;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Locale;

/**
 * One metric Tarn publishes: its name in the {@link TarnMetrics#NAMESPACE} namespace, its unit and
 * the dimensions every value of it carries. CloudWatch identifies a metric by namespace, name and
 * the full set of dimensions, so an alarm must name exactly these to see the values.
 */
public record Metric(String name, Unit unit, List<String> dimensions) {

    public Metric {
        requireNonNull(name, "name is null");
        requireNonNull(unit, "unit is null");
        dimensions = List.copyOf(dimensions);
    }

    /** The units Tarn's metrics use, spelled as the embedded metric format and CloudWatch spell them. */
    public enum Unit {
        COUNT("Count"),
        SECONDS("Seconds");

        private final String emfName;

        Unit(String emfName) {
            this.emfName = emfName;
        }

        public String emfName() {
            return emfName;
        }

        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }
}
