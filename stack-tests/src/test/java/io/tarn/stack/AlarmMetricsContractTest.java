package io.tarn.stack;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tarn.local.cli.Tarn;
import io.tarn.local.template.SamTemplate;
import io.tarn.metrics.EmfMetrics;
import io.tarn.metrics.Metric;
import io.tarn.metrics.TarnMetrics;
import io.tarn.pipeline.Dataset;
import io.tarn.pipeline.PipelineConfig;
import io.tarn.pipeline.PipelineLoader;
import io.tarn.pipeline.SourceKind;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every alarm and dashboard graph of template.yaml on a Tarn metric watches a metric the code
 * really emits: the same namespace, name and dimensions (names and values) as the embedded metric
 * format lines of a whole run of the lake (the demo: SqlPoller, RawObject on every dataset, the
 * ETL state machine with the Glue job's refresh), and the same as {@link TarnMetrics} defines.
 * CloudWatch files a value under namespace, name and the full set of its dimensions: an alarm that
 * names one dimension more or less than the code emits watches a metric that never gets a value.
 */
class AlarmMetricsContractTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path ROOT = Path.of("..");
    private static final SamTemplate TEMPLATE = SamTemplate.load(ROOT.resolve("template.yaml"));
    private static final PipelineConfig PIPELINE = PipelineLoader.load(ROOT.resolve("pipeline.yaml"));
    private static final Pattern SUB_VARIABLE = Pattern.compile("\\$\\{([^}]+)}");

    /** One metric value of an EMF line: what CloudWatch would file it under. */
    record Emitted(String namespace, String name, String unit, Map<String, String> dimensions) {}

    /** One metric an alarm or a graph reads; a dimension value that is not a literal is "?". */
    record Watched(String where, String namespace, String name, Map<String, String> dimensions) {}

    private static List<Emitted> emitted;

    @BeforeAll
    static void runTheLake(@TempDir Path temp) throws IOException {
        Path dir = temp.resolve("lake");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = new Tarn(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8))
                .run("demo", "--dir", dir.toString(), "--pipeline", ROOT.resolve("pipeline.yaml").toString());
        assertThat(exit).as(err.toString(StandardCharsets.UTF_8)).isZero();
        emitted = new ArrayList<>();
        for (String line : Files.readAllLines(dir.resolve("logs/demo.log"), StandardCharsets.UTF_8)) {
            JsonNode json = JSON.readTree(line);
            if (json.has("_aws")) {
                emitted.addAll(values(json));
            }
        }
    }

    @Test
    void everyMetricTheRunEmitsIsDefinedByTarnMetricsWithItsUnitAndDimensions() {
        assertThat(emitted).isNotEmpty();
        for (Emitted value : emitted) {
            assertThat(value.namespace()).isEqualTo(TarnMetrics.NAMESPACE);
            Metric metric = TarnMetrics.named(value.name()).orElseThrow(() -> new AssertionError("not in TarnMetrics: " + value));
            assertThat(value.unit()).as(value.name()).isEqualTo(metric.unit().emfName());
            assertThat(value.dimensions().keySet()).as(value.name()).containsExactlyInAnyOrderElementsOf(metric.dimensions());
        }
    }

    @Test
    void theRunEmitsEveryMetricTarnMetricsDefinesAndThePerDatasetOnesForEachDatasetTheyConcern() {
        Map<String, Set<String>> datasets = new TreeMap<>();
        emitted.forEach(value -> datasets.computeIfAbsent(value.name(), name -> new LinkedHashSet<>())
                .add(value.dimensions().getOrDefault(TarnMetrics.DATASET, "")));
        assertThat(datasets.keySet()).containsExactlyInAnyOrderElementsOf(TarnMetrics.ALL.stream().map(Metric::name).toList());
        List<String> all = PIPELINE.datasets().stream().map(Dataset::name).toList();
        List<String> polled = PIPELINE.datasets().stream().filter(d -> d.source() == SourceKind.AZURESQL).map(Dataset::name).toList();
        for (Metric metric : List.of(TarnMetrics.ROWS_READ, TarnMetrics.ROWS_WRITTEN, TarnMetrics.ROWS_QUARANTINED,
                TarnMetrics.OBJECTS_CONVERTED, TarnMetrics.CONVERSION_SECONDS, TarnMetrics.PARTITIONS_REWRITTEN,
                TarnMetrics.REFRESH_LAG_SECONDS)) {
            assertThat(datasets.get(metric.name())).as(metric.name()).containsExactlyInAnyOrderElementsOf(all);
        }
        assertThat(datasets.get(TarnMetrics.POLLED_ROWS.name())).containsExactlyInAnyOrderElementsOf(polled);
        assertThat(emitted).filteredOn(value -> value.name().equals(TarnMetrics.POLLS_SUCCEEDED.name()))
                .extracting(Emitted::dimensions).containsOnly(Map.of(TarnMetrics.FUNCTION, TarnMetrics.SQL_POLLER));
    }

    @Test
    void everyAlarmAndGraphOnATarnMetricWatchesOneTheRunEmittedWithTheSameDimensions() {
        List<Watched> watched = new ArrayList<>(alarmMetrics());
        watched.addAll(dashboardMetrics());
        List<Watched> tarn = watched.stream().filter(w -> w.namespace().equals(TarnMetrics.NAMESPACE)).toList();
        assertThat(tarn).hasSizeGreaterThan(20);
        for (Watched metric : tarn) {
            assertThat(emitted).as("%s: %s %s", metric.where(), metric.name(), metric.dimensions())
                    .anySatisfy(value -> {
                        assertThat(value.name()).isEqualTo(metric.name());
                        assertThat(value.dimensions()).isEqualTo(metric.dimensions());
                    });
        }
    }

    @Test
    void everyDatasetHasAQuarantineRatioAndAStalenessAlarmUnderItsSourcesCondition() {
        for (Dataset dataset : PIPELINE.datasets()) {
            String prefix = Character.toUpperCase(dataset.name().charAt(0)) + dataset.name().substring(1);
            Map<String, String> dimensions = Map.of(TarnMetrics.DATASET, dataset.name());
            Object condition = dataset.source() == SourceKind.AZURESQL ? "HasAzureSql" : null;

            String quarantine = prefix + "QuarantineRatioAlarm";
            assertThat(condition(quarantine)).as(quarantine).isEqualTo(condition);
            assertThat(watched(quarantine)).extracting(Watched::name, Watched::dimensions).containsExactlyInAnyOrder(
                    org.assertj.core.groups.Tuple.tuple(TarnMetrics.ROWS_QUARANTINED.name(), dimensions),
                    org.assertj.core.groups.Tuple.tuple(TarnMetrics.ROWS_READ.name(), dimensions));
            Map<String, Object> ratio = properties(quarantine);
            assertThat(ratio.get("Threshold")).isEqualTo(Map.of("Ref", "QuarantineRatioAlarmThreshold"));
            assertThat(ratio.get("ComparisonOperator")).isEqualTo("GreaterThanThreshold");

            String staleness = prefix + "StalenessAlarm";
            assertThat(condition(staleness)).as(staleness).isEqualTo(condition);
            assertThat(watched(staleness)).extracting(Watched::name, Watched::dimensions)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple(TarnMetrics.REFRESH_LAG_SECONDS.name(), dimensions));
            Map<String, Object> stale = properties(staleness);
            assertThat(stale.get("Threshold")).isEqualTo(Map.of("Ref", "StalenessAlarmSeconds"));
            // No lag reported is no refresh: a lake whose ETL stopped is stale too.
            assertThat(stale.get("TreatMissingData")).isEqualTo("breaching");
        }
    }

    @Test
    void everyFunctionHasAnErrorsAndAThrottlesAlarmUnderItsOwnCondition() {
        for (String function : TEMPLATE.resourcesOfType("AWS::Serverless::Function")) {
            String name = function.substring(0, function.length() - "Function".length());
            for (String metric : List.of("Errors", "Throttles")) {
                String alarm = name + metric + "Alarm";
                assertThat(condition(alarm)).as(alarm).isEqualTo(condition(function));
                assertThat(watched(alarm)).singleElement().satisfies(w -> {
                    assertThat(w.namespace()).isEqualTo("AWS/Lambda");
                    assertThat(w.name()).isEqualTo(metric);
                });
                assertThat(SamTemplate.cast(((List<?>) properties(alarm).get("Dimensions")).get(0)))
                        .isEqualTo(Map.of("Name", "FunctionName", "Value", Map.of("Ref", function)));
            }
        }
    }

    @Test
    void everyDeadLetterQueueHasAnAlarmOnItsVisibleMessages() {
        List<String> deadLetterQueues = new ArrayList<>();
        for (String queue : TEMPLATE.resourcesOfType("AWS::SQS::Queue")) {
            Object redrive = properties(queue).get("RedrivePolicy");
            if (redrive instanceof Map<?, ?> policy) {
                deadLetterQueues.add((String) ((List<?>) ((Map<?, ?>) policy.get("deadLetterTargetArn")).get("Fn::GetAtt")).get(0));
            }
        }
        assertThat(deadLetterQueues).containsExactlyInAnyOrder("RawObjectDeadLetterQueue", "StagingChangesDeadLetterQueue");
        for (String queue : deadLetterQueues) {
            Map<String, Object> alarm = properties(queue + "Alarm");
            assertThat(alarm.get("Namespace")).isEqualTo("AWS/SQS");
            assertThat(alarm.get("MetricName")).isEqualTo("ApproximateNumberOfMessagesVisible");
            assertThat(alarm.get("Dimensions")).isEqualTo(List.of(Map.of("Name", "QueueName",
                    "Value", Map.of("Fn::GetAtt", List.of(queue, "QueueName")))));
            assertThat(alarm.get("Threshold")).isEqualTo(0);
            assertThat(alarm.get("ComparisonOperator")).isEqualTo("GreaterThanThreshold");
        }
    }

    @Test
    void thePollerAlarmExpectsASuccessInTwiceEachPollInterval() {
        Map<String, Object> alarm = properties("SqlPollerNotSucceedingAlarm");
        assertThat(condition("SqlPollerNotSucceedingAlarm")).isEqualTo(condition("SqlPollerFunction"));
        assertThat(alarm.get("Period")).isEqualTo(Map.of("Fn::FindInMap",
                List.of("PollIntervals", Map.of("Ref", "PollIntervalMinutes"), "AlarmPeriodSeconds")));
        assertThat(alarm.get("TreatMissingData")).isEqualTo("breaching");
        Map<String, Object> intervals = SamTemplate.cast(SamTemplate.cast(TEMPLATE.root().get("Mappings")).get("PollIntervals"));
        assertThat(SamTemplate.cast(TEMPLATE.parameters().get("PollIntervalMinutes")).get("AllowedValues"))
                .asList().containsExactlyElementsOf(intervals.keySet());
        intervals.forEach((minutes, row) -> {
            Map<String, Object> values = SamTemplate.cast(row);
            int n = Integer.parseInt(minutes);
            assertThat(values.get("AlarmPeriodSeconds")).as(minutes).isEqualTo(2 * 60 * n);
            assertThat(values.get("Schedule")).as(minutes)
                    .isEqualTo(n == 1 ? "rate(1 minute)" : n == 60 ? "rate(1 hour)" : "rate(" + n + " minutes)");
        });
        Map<?, ?> poll = (Map<?, ?>) ((Map<?, ?>) ((Map<?, ?>) properties("SqlPollerFunction").get("Events")).get("Poll"))
                .get("Properties");
        assertThat(poll.get("ScheduleExpression")).isEqualTo(Map.of("Fn::FindInMap",
                List.of("PollIntervals", Map.of("Ref", "PollIntervalMinutes"), "Schedule")));
    }

    @Test
    void everyAlarmAndTheDmsRuleTellTheAlertTopicWhichLetsThemPublish() {
        Map<String, String> topic = Map.of("Ref", "AlertTopic");
        List<String> alarms = TEMPLATE.resourcesOfType("AWS::CloudWatch::Alarm");
        assertThat(alarms).hasSize(2 + 2 * TEMPLATE.resourcesOfType("AWS::Serverless::Function").size() + 1
                + 2 * PIPELINE.datasets().size());
        for (String alarm : alarms) {
            assertThat(properties(alarm).get("AlarmActions")).as(alarm).isEqualTo(List.of(topic));
            assertThat(properties(alarm).get("OKActions")).as(alarm).isEqualTo(List.of(topic));
        }
        Map<String, Object> rule = properties("DmsTaskStateChangedRule");
        assertThat(condition("DmsTaskStateChangedRule")).isEqualTo(condition("DmsMySqlTask"));
        assertThat(SamTemplate.cast(((List<?>) rule.get("Targets")).get(0)).get("Arn")).isEqualTo(topic);

        String policy = TEMPLATE.properties("AlertTopicPolicy").orElseThrow().toString();
        assertThat(policy).contains("Condition={ArnEquals={aws:SourceArn={Fn::GetAtt=[DmsTaskStateChangedRule, Arn]}}}")
                .contains("Principal={Service=cloudwatch.amazonaws.com}, Action=sns:Publish");
        // The topic is encrypted: a publisher must be able to use its key.
        assertThat(TEMPLATE.properties("StagingKey").orElseThrow().toString())
                .contains("Sid=CloudWatchAlarmsPublishToTheAlertTopic")
                .contains("Principal={Service=cloudwatch.amazonaws.com}");
    }

    // ---------------------------------------------------------------------------------------------

    /** The metric values of one EMF document. */
    private static List<Emitted> values(JsonNode line) {
        List<Emitted> values = new ArrayList<>();
        for (JsonNode directive : line.path("_aws").path("CloudWatchMetrics")) {
            for (JsonNode set : directive.path("Dimensions")) {
                Map<String, String> dimensions = new TreeMap<>();
                set.forEach(name -> dimensions.put(name.asText(), line.path(name.asText()).asText()));
                for (JsonNode metric : directive.path("Metrics")) {
                    String name = metric.path("Name").asText();
                    assertThat(line.path(name).isNumber()).as("value of %s in %s", name, line).isTrue();
                    values.add(new Emitted(directive.path("Namespace").asText(), name, metric.path("Unit").asText(), dimensions));
                }
            }
        }
        return values;
    }

    private static Object condition(String logicalId) {
        Map<?, ?> resource = (Map<?, ?>) TEMPLATE.resources().get(logicalId);
        assertThat(resource).as("resource %s", logicalId).isNotNull();
        return resource.get("Condition");
    }

    private static Map<String, Object> properties(String logicalId) {
        return TEMPLATE.properties(logicalId).orElseThrow(() -> new AssertionError("no resource " + logicalId));
    }

    private static List<Watched> alarmMetrics() {
        List<Watched> all = new ArrayList<>();
        TEMPLATE.resourcesOfType("AWS::CloudWatch::Alarm").forEach(alarm -> all.addAll(watched(alarm)));
        return all;
    }

    /** The metrics an alarm reads: its one metric, or each MetricStat of its metric math. */
    private static List<Watched> watched(String alarm) {
        Map<String, Object> properties = properties(alarm);
        List<Watched> metrics = new ArrayList<>();
        if (properties.containsKey("MetricName")) {
            metrics.add(new Watched(alarm, (String) properties.get("Namespace"), (String) properties.get("MetricName"),
                    dimensions(properties.get("Dimensions"))));
        }
        if (properties.get("Metrics") instanceof List<?> queries) {
            for (Object query : queries) {
                if (SamTemplate.cast(query).get("MetricStat") instanceof Map<?, ?> stat) {
                    Map<String, Object> metric = SamTemplate.cast(stat.get("Metric"));
                    metrics.add(new Watched(alarm, (String) metric.get("Namespace"), (String) metric.get("MetricName"),
                            dimensions(metric.get("Dimensions"))));
                }
            }
        }
        assertThat(metrics).as("metrics of %s", alarm).isNotEmpty();
        return metrics;
    }

    private static Map<String, String> dimensions(Object list) {
        Map<String, String> dimensions = new TreeMap<>();
        if (list instanceof List<?> entries) {
            for (Object entry : entries) {
                Map<String, Object> dimension = SamTemplate.cast(entry);
                Object value = dimension.get("Value");
                dimensions.put((String) dimension.get("Name"), value instanceof String text ? text : "?");
            }
        }
        return dimensions;
    }

    /** The metrics of the dashboard's graphs: {@code [namespace, name, dimension, value, ..., {options}]}. */
    private static List<Watched> dashboardMetrics() {
        List<?> sub = (List<?>) SamTemplate.cast(properties("Dashboard").get("DashboardBody")).get("Fn::Sub");
        // Every substitution a placeholder of its kind: the body must stay JSON whatever it becomes.
        Matcher matcher = SUB_VARIABLE.matcher((String) sub.get(0));
        StringBuilder body = new StringBuilder();
        while (matcher.find()) {
            matcher.appendReplacement(body, matcher.group(1).equals("AWS::Region") || matcher.group(1).contains(".")
                    || matcher.group(1).endsWith("Function") ? "placeholder" : "1");
        }
        matcher.appendTail(body);
        List<Watched> metrics = new ArrayList<>();
        try {
            for (JsonNode widget : JSON.readTree(body.toString()).path("widgets")) {
                String title = "dashboard: " + widget.path("properties").path("title").asText();
                for (JsonNode metric : widget.path("properties").path("metrics")) {
                    if (!metric.get(0).isTextual()) {
                        continue; // an expression over the others
                    }
                    Map<String, String> dimensions = new LinkedHashMap<>();
                    int end = metric.get(metric.size() - 1).isObject() ? metric.size() - 1 : metric.size();
                    for (int i = 2; i + 1 < end; i += 2) {
                        dimensions.put(metric.get(i).asText(), metric.get(i + 1).asText());
                    }
                    metrics.add(new Watched(title, metric.get(0).asText(), metric.get(1).asText(), new TreeMap<>(dimensions)));
                }
            }
        } catch (IOException e) {
            throw new AssertionError("DashboardBody is not JSON: " + e.getMessage() + "\n" + body, e);
        }
        assertThat(metrics).isNotEmpty();
        return metrics;
    }
}
