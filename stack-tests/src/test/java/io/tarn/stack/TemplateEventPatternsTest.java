package io.tarn.stack;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tarn.local.template.SamTemplate;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.event.ruler.Ruler;

/**
 * The template's EventBridge rules matched against events by Event Ruler, the pattern-matching
 * library EventBridge itself is built on: each rule takes the sample events of events/ it exists
 * for and nothing else of the same kind.
 */
class TemplateEventPatternsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path ROOT = Path.of("..");
    private static final SamTemplate TEMPLATE = SamTemplate.load(ROOT.resolve("template.yaml"));
    private static final String STATE_MACHINE = "arn:aws:states:us-east-1:111122223333:stateMachine:EtlStateMachine-AbCdEf";
    /** What the rules' Refs are in the account of the sample events. */
    private static final String MYSQL_TASK = "arn:aws:dms:us-east-1:111122223333:task:MYSQLTASKABCDEFGHIJ";
    private static final String MONGODB_TASK = "arn:aws:dms:us-east-1:111122223333:task:MONGODBTASKABCDEFGH";
    private static final Map<String, String> REFS = Map.of("RawBucket", "tarn-raw", "StagingBucket", "tarn-staging",
            "EtlStateMachine", STATE_MACHINE, "DmsMySqlTask", MYSQL_TASK, "DmsMongoDbTask", MONGODB_TASK);

    @Test
    void rawObjectCreatedRuleTakesTheRawObjectsOfTheSampleEventsAndNotStagingObjects() throws Exception {
        String rule = pattern("RawObjectCreatedRule");
        List<String> bodies = sqsBodies("sqs-eventbridge-batch.json");
        bodies.add(Files.readString(ROOT.resolve("events/eventbridge-object-created.json")));

        for (String event : bodies) {
            assertThat(Ruler.matchesRule(event, rule)).as("RawObjectCreatedRule on %s", event).isTrue();
        }
        assertThat(Ruler.matchesRule(sqsBodies("sqs-staging-changed.json").get(0), rule)).isFalse();
    }

    @Test
    void stagingChangedRuleTakesManifestsOnlyAndOnlyOfTheStagingBucket() throws Exception {
        String rule = pattern("StagingChangedRule");
        List<String> notices = sqsBodies("sqs-staging-changed.json");
        assertThat(notices).hasSize(3);
        for (String event : notices) {
            assertThat(Ruler.matchesRule(event, rule)).as("StagingChangedRule on %s", event).isTrue();
        }

        String manifest = notices.get(0);
        assertThat(Ruler.matchesRule(manifest.replace("manifests/orders/", "orders/account_id=acme/"), rule))
                .as("a Parquet part").isFalse();
        assertThat(Ruler.matchesRule(manifest.replace("manifests/orders/", "quarantine/orders/"), rule))
                .as("a quarantine file").isFalse();
        assertThat(Ruler.matchesRule(manifest.replace("\"name\": \"tarn-staging\"", "\"name\": \"tarn-raw\""), rule))
                .as("another bucket's manifests/").isFalse();
    }

    @Test
    void etlExecutionFailedRuleTakesEveryEndButSuccessOfTheEtlStateMachineOnly() throws Exception {
        String rule = pattern("EtlExecutionFailedRule");

        for (String status : List.of("FAILED", "TIMED_OUT", "ABORTED")) {
            assertThat(Ruler.matchesRule(statusChange(STATE_MACHINE, status), rule)).as(status).isTrue();
        }
        for (String status : List.of("SUCCEEDED", "RUNNING", "PENDING_REDRIVE")) {
            assertThat(Ruler.matchesRule(statusChange(STATE_MACHINE, status), rule)).as(status).isFalse();
        }
        assertThat(Ruler.matchesRule(statusChange(STATE_MACHINE + "-other", "FAILED"), rule)).isFalse();
    }

    @Test
    void theFailureAlertReadsFieldsTheStatusChangeEventHas() throws Exception {
        Map<String, Object> target = targets("EtlExecutionFailedRule").get(0);
        assertThat(target.get("Arn")).isEqualTo(Map.of("Ref", "AlertTopic"));
        Map<?, ?> transformer = (Map<?, ?>) target.get("InputTransformer");
        Map<?, ?> paths = (Map<?, ?>) transformer.get("InputPathsMap");
        JsonNode event = JSON.readTree(statusChange(STATE_MACHINE, "FAILED"));
        Map<String, String> values = new LinkedHashMap<>();
        paths.forEach((name, path) -> {
            JsonNode value = event.at(((String) path).substring(1).replace('.', '/'));
            assertThat(value.isMissingNode()).as("%s = %s in the event", name, path).isFalse();
            values.put((String) name, value.asText());
        });
        String template = (String) transformer.get("InputTemplate");
        assertThat(JSON.readTree(template).isTextual()).as("the input template is one JSON string").isTrue();
        for (String name : values.keySet()) {
            assertThat(template).contains("<" + name + ">");
        }
        assertThat(values).containsEntry("status", "FAILED")
                .containsEntry("execution", "arn:aws:states:us-east-1:111122223333:execution:EtlStateMachine-AbCdEf:run-1");
    }

    @Test
    void dmsTaskStateChangedRuleTakesEveryStateChangeOfTheStacksTasksOnly() throws Exception {
        String rule = pattern("DmsTaskStateChangedRule");

        for (String task : List.of(MYSQL_TASK, MONGODB_TASK)) {
            for (String type : List.of("REPLICATION_TASK_STOPPED", "REPLICATION_TASK_FAILED", "REPLICATION_TASK_STARTED")) {
                assertThat(Ruler.matchesRule(dmsTaskEvent("DMS Replication Task State Change", task, type), rule))
                        .as("%s %s", task, type).isTrue();
            }
        }
        assertThat(Ruler.matchesRule(dmsTaskEvent("DMS Replication Task State Change",
                "arn:aws:dms:us-east-1:111122223333:task:ANOTHERSTACKSTASK", "REPLICATION_TASK_FAILED"), rule)).isFalse();
        assertThat(Ruler.matchesRule(dmsTaskEvent("DMS Replication Instance State Change", MYSQL_TASK,
                "REPLICATION_INSTANCE_FAILURE"), rule)).isFalse();
    }

    @Test
    void theDmsAlertReadsFieldsTheTaskEventHas() throws Exception {
        Map<String, Object> target = targets("DmsTaskStateChangedRule").get(0);
        assertThat(target.get("Arn")).isEqualTo(Map.of("Ref", "AlertTopic"));
        Map<?, ?> transformer = (Map<?, ?>) target.get("InputTransformer");
        JsonNode event = JSON.readTree(dmsTaskEvent("DMS Replication Task State Change", MYSQL_TASK, "REPLICATION_TASK_STOPPED"));
        String template = (String) transformer.get("InputTemplate");
        assertThat(JSON.readTree(template).isTextual()).as("the input template is one JSON string").isTrue();
        ((Map<?, ?>) transformer.get("InputPathsMap")).forEach((name, path) -> {
            String pointer = ((String) path).substring(1).replace("[0]", ".0").replace('.', '/');
            assertThat(event.at(pointer).isMissingNode()).as("%s = %s in the event", name, path).isFalse();
            assertThat(template).contains("<" + name + ">");
        });
    }

    /** A DMS event as EventBridge delivers it (the DMS guide's CHAP_EventBridge example). */
    private static String dmsTaskEvent(String detailType, String task, String eventType) throws IOException {
        ObjectNode event = JSON.createObjectNode()
                .put("version", "0").put("id", "11a11b11-222b-333a-44d4-01234a5b67890")
                .put("detail-type", detailType).put("source", "aws.dms")
                .put("account", "111122223333").put("time", "2024-06-01T12:03:10Z").put("region", "us-east-1");
        event.putArray("resources").add(task);
        event.putObject("detail").put("type", "REPLICATION_TASK").put("category", "StateChange")
                .put("eventType", eventType).put("eventId", "DMS-EVENT-0079")
                .put("resourceLink", "https://console.aws.amazon.com/dms/v2/home?region=us-east-1#taskDetails/task")
                .put("detailMessage", "Stop Reason FULL_LOAD_ONLY_FINISHED");
        return JSON.writeValueAsString(event);
    }

    /**
     * A "Step Functions Execution Status Change" as the Step Functions guide's example has it
     * (eventbridge-integration.html): no error or cause in it.
     */
    private static String statusChange(String stateMachineArn, String status) throws IOException {
        ObjectNode event = JSON.createObjectNode()
                .put("version", "0").put("id", "315c1398-40ff-a850-213b-158f73e60175")
                .put("detail-type", "Step Functions Execution Status Change").put("source", "aws.states")
                .put("account", "111122223333").put("time", "2024-06-01T12:03:10Z").put("region", "us-east-1");
        event.putArray("resources").add(stateMachineArn.replace(":stateMachine:", ":execution:") + ":run-1");
        ObjectNode detail = event.putObject("detail")
                .put("executionArn", stateMachineArn.replace(":stateMachine:", ":execution:") + ":run-1")
                .put("stateMachineArn", stateMachineArn).put("name", "run-1").put("status", status)
                .put("startDate", 1717243200000L).put("stopDate", 1717243390000L).put("input", "{}");
        detail.putObject("inputDetails").put("included", true);
        detail.putNull("output");
        detail.putNull("outputDetails");
        return JSON.writeValueAsString(event);
    }

    /** The rule's EventPattern with its Refs resolved, as JSON. */
    private static String pattern(String rule) throws IOException {
        Object pattern = TEMPLATE.properties(rule).orElseThrow().get("EventPattern");
        return JSON.writeValueAsString(resolve(pattern));
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> targets(String rule) {
        return (List<Map<String, Object>>) TEMPLATE.properties(rule).orElseThrow().get("Targets");
    }

    private static Object resolve(Object node) {
        if (node instanceof Map<?, ?> map) {
            if (map.size() == 1 && map.get("Ref") instanceof String ref) {
                assertThat(REFS).as("a value for !Ref %s", ref).containsKey(ref);
                return REFS.get(ref);
            }
            Map<String, Object> out = new LinkedHashMap<>();
            map.forEach((key, value) -> out.put((String) key, resolve(value)));
            return out;
        }
        if (node instanceof List<?> list) {
            List<Object> out = new ArrayList<>();
            list.forEach(item -> out.add(resolve(item)));
            return out;
        }
        return node;
    }

    private static List<String> sqsBodies(String event) throws IOException {
        List<String> bodies = new ArrayList<>();
        JSON.readTree(ROOT.resolve("events").resolve(event).toFile()).path("Records")
                .forEach(record -> bodies.add(record.path("body").asText()));
        return bodies;
    }
}
