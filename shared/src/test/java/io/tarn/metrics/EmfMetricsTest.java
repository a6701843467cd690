package io.tarn.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tarn.log.JsonLogger;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EmfMetricsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant NOW = Instant.parse("2026-12-01T09:30:00.250Z");

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final EmfMetrics metrics = new EmfMetrics(
            new JsonLogger(new PrintStream(out, true, StandardCharsets.UTF_8), Clock.fixed(NOW, ZoneOffset.UTC), "raw-object"),
            Clock.fixed(NOW, ZoneOffset.UTC));

    @Test
    void aDocumentDeclaresEachMetricWithItsUnitUnderTheNamespaceAndCarriesTheValuesAtItsRoot() throws Exception {
        Map<Metric, Number> values = new LinkedHashMap<>();
        values.put(TarnMetrics.ROWS_READ, 9L);
        values.put(TarnMetrics.CONVERSION_SECONDS, 1.25);

        metrics.publishForDataset("orders", values);

        JsonNode line = JSON.readTree(out.toString(StandardCharsets.UTF_8));
        assertThat(line.path("_aws")).isEqualTo(JSON.readTree("""
                {"Timestamp": 1796117400250,
                 "CloudWatchMetrics": [{"Namespace": "Tarn", "Dimensions": [["Dataset"]],
                   "Metrics": [{"Name": "RowsRead", "Unit": "Count"}, {"Name": "ConversionSeconds", "Unit": "Seconds"}]}]}
                """));
        assertThat(line.path("Dataset").asText()).isEqualTo("orders");
        assertThat(line.path("RowsRead").isIntegralNumber()).isTrue();
        assertThat(line.path("RowsRead").asLong()).isEqualTo(9);
        assertThat(line.path("ConversionSeconds").asDouble()).isEqualTo(1.25);
        // Still a log line of its component, found by its message.
        assertThat(line.path("component").asText()).isEqualTo("raw-object");
        assertThat(line.path("message").asText()).isEqualTo(EmfMetrics.MESSAGE);
    }

    @Test
    void eachPublishIsOneLine() {
        metrics.publishForDataset("orders", Map.of(TarnMetrics.ROWS_READ, 1));
        metrics.publish(Map.of(TarnMetrics.FUNCTION, TarnMetrics.SQL_POLLER), Map.of(TarnMetrics.POLLS_SUCCEEDED, 1));

        assertThat(out.toString(StandardCharsets.UTF_8).lines()).hasSize(2)
                .last().satisfies(line -> assertThat(line).contains("\"Dimensions\":[[\"Function\"]]")
                        .contains("\"Function\":\"sql-poller\"").contains("\"PollsSucceeded\":1"));
    }

    @Test
    void aMetricWithOtherDimensionsThanGivenIsRefused() {
        assertThatThrownBy(() -> metrics.publish(Map.of(TarnMetrics.FUNCTION, "sql-poller"), Map.of(TarnMetrics.ROWS_READ, 1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("metric RowsRead carries the dimensions [Dataset], not [Function]");
        assertThatThrownBy(() -> metrics.publish(Map.of(), Map.of(TarnMetrics.POLLED_ROWS, 1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("metric PolledRows carries the dimensions [Dataset], not []");
        assertThat(out.size()).isZero();
    }

    @Test
    void aBlankDimensionValueOrNoValuesAreRefused() {
        assertThatThrownBy(() -> metrics.publishForDataset(" ", Map.of(TarnMetrics.ROWS_READ, 1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("dimension Dataset has no value");
        assertThatThrownBy(() -> metrics.publishForDataset("orders", Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("no metric values to publish");
    }

    @Test
    void everyMetricNameIsUniqueAndFoundByName() {
        assertThat(TarnMetrics.ALL).extracting(Metric::name).doesNotHaveDuplicates();
        TarnMetrics.ALL.forEach(metric -> assertThat(TarnMetrics.named(metric.name())).contains(metric));
        assertThat(TarnMetrics.named("RowsRed")).isEmpty();
    }
}
