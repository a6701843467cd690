package io.tarn.stack.statemachine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tarn.local.sfn.StateMachineDefinition;
import io.tarn.local.template.SamTemplate;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The structure of statemachine/etl.asl.json, and its wiring in template.yaml. */
class EtlStateMachineTest {

    private static final Path DEFINITION = Path.of("../statemachine/etl.asl.json");
    private static final StateMachineDefinition ETL = StateMachineDefinition.load(DEFINITION);
    private static final SamTemplate TEMPLATE = SamTemplate.load(Path.of("../template.yaml"));

    @Test
    void everyTransitionNamesAState() {
        assertThat(ETL.states()).containsKey(ETL.startAt());
        for (String state : ETL.states().keySet()) {
            assertThat(ETL.states().keySet()).as("transitions of %s", state).containsAll(ETL.transitions(state));
        }
    }

    @Test
    void everyStateIsReachableFromTheStart() {
        assertThat(ETL.reachable()).containsExactlyInAnyOrderElementsOf(ETL.states().keySet());
    }

    @Test
    void everyStateEitherEndsOrGoesOnAndCanReachAnEnd() {
        for (String state : ETL.states().keySet()) {
            if (!ETL.isTerminal(state)) {
                assertThat(ETL.transitions(state)).as("where %s goes next", state).isNotEmpty();
                if (ETL.type(state).equals("Choice")) {
                    assertThat(ETL.state(state).has("Default")).as("%s has a Default", state).isTrue();
                }
            }
            assertThat(ETL.reachableFrom(state).stream().anyMatch(ETL::isTerminal))
                    .as("an end is reachable from %s", state).isTrue();
        }
    }

    @Test
    void everyTaskRetriesAndCatchesWithStatesAllAloneAndLast() {
        List<String> tasks = ETL.states().keySet().stream().filter(s -> ETL.type(s).equals("Task")).toList();
        assertThat(tasks).hasSizeGreaterThanOrEqualTo(6);
        for (String task : tasks) {
            ObjectNode state = ETL.state(task);
            assertThat(state.path("Retry").size()).as("Retry of %s", task).isPositive();
            assertThat(state.path("Catch").size()).as("Catch of %s", task).isPositive();
            for (String field : List.of("Retry", "Catch")) {
                JsonNode rules = state.path(field);
                for (int i = 0; i < rules.size(); i++) {
                    List<String> errors = texts(rules.get(i).path("ErrorEquals"));
                    assertThat(errors).as("%s %s[%d] ErrorEquals", task, field, i).isNotEmpty();
                    if (errors.contains("States.ALL")) {
                        assertThat(errors).as("States.ALL alone in %s %s", task, field).containsExactly("States.ALL");
                        assertThat(i).as("States.ALL last in %s %s", task, field).isEqualTo(rules.size() - 1);
                    }
                }
            }
        }
    }

    @Test
    void everyFailureIsPublishedToTheAlertTopicBeforeTheExecutionFails() {
        for (String state : ETL.states().keySet()) {
            for (JsonNode katch : ETL.state(state).path("Catch")) {
                if (!state.equals("NotifyFailure")) {
                    assertThat(katch.path("Next").asText()).as("Catch of %s", state).isEqualTo("NotifyFailure");
                    // The error goes beside the input, so the alert still shows what the run was doing.
                    assertThat(katch.path("ResultPath").asText()).isEqualTo("$.error");
                }
            }
        }
        ObjectNode notify = ETL.state("NotifyFailure");
        assertThat(notify.path("Resource").asText()).isEqualTo("arn:aws:states:::sns:publish");
        assertThat(notify.path("Parameters").path("TopicArn").asText()).isEqualTo("${AlertTopicArn}");
        assertThat(ETL.transitions("NotifyFailure")).containsExactly("Failed");
        assertThat(ETL.type("Failed")).isEqualTo("Fail");
        assertThat(ETL.type("CrawlerFailed")).isEqualTo("Pass");
        assertThat(ETL.transitions("CrawlerFailed")).containsExactly("NotifyFailure");
        assertThat(ETL.transitions("CrawlerTimedOut")).containsExactly("NotifyFailure");
    }

    /**
     * The error names Step Functions documents, per integration. Retry and Catch may name only
     * these: a name no integration emits never matches, and its retrier or catcher silently does
     * nothing.
     * <ul>
     *   <li>Every integration: the predefined codes of "Error names", concepts-error-handling
     *       (https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html).
     *       {@code States.Runtime} and {@code States.DataLimitExceeded} are listed but no Retry or
     *       Catch can see them.</li>
     *   <li>{@code lambda:invoke}: "Handle transient Lambda service exceptions"
     *       (https://docs.aws.amazon.com/step-functions/latest/dg/sfn-best-practices.html#bp-lambda-serviceexception):
     *       {@code Lambda.ClientExecutionTimeoutException}, {@code Lambda.ServiceException},
     *       {@code Lambda.AWSLambdaException}, {@code Lambda.SdkClientException},
     *       {@code Lambda.TooManyRequestsException}, {@code Lambda.Unknown}, {@code Sandbox.Timedout};
     *       and a Java function's own error by its exception's class name (the same page's
     *       {@code java.lang.Exception} example).</li>
     *   <li>{@code glue:startJobRun.sync} and {@code sns:publish}: no names of their own
     *       (https://docs.aws.amazon.com/step-functions/latest/dg/connect-glue.html, connect-sns.html);
     *       a failed job run or a refused call is {@code States.TaskFailed}.</li>
     * </ul>
     */
    private static final Set<String> PREDEFINED = Set.of("States.ALL", "States.HeartbeatTimeout", "States.Timeout",
            "States.TaskFailed", "States.Permissions", "States.ResultPathMatchFailure", "States.ParameterPathFailure",
            "States.BranchFailed", "States.NoChoiceMatched", "States.IntrinsicFailure",
            "States.ExceedToleratedFailureThreshold", "States.ItemReaderFailed", "States.ResultWriterFailed",
            "States.Http.Socket");
    private static final Map<String, Set<String>> DOCUMENTED = Map.of(
            "arn:aws:states:::lambda:invoke", Set.of("Lambda.ClientExecutionTimeoutException", "Lambda.ServiceException",
                    "Lambda.AWSLambdaException", "Lambda.SdkClientException", "Lambda.TooManyRequestsException",
                    "Lambda.Unknown", "Sandbox.Timedout"),
            "arn:aws:states:::glue:startJobRun.sync", Set.of(),
            "arn:aws:states:::sns:publish", Set.of());

    @Test
    void everyErrorNameARetryOrCatchUsesIsOneTheDocumentationGivesForThatIntegration() {
        for (String state : ETL.states().keySet()) {
            if (!ETL.type(state).equals("Task")) {
                continue;
            }
            String resource = ETL.state(state).path("Resource").asText();
            assertThat(DOCUMENTED).as("documented errors of %s (%s)", resource, state).containsKey(resource);
            for (String field : List.of("Retry", "Catch")) {
                for (JsonNode rule : ETL.state(state).path(field)) {
                    for (String error : texts(rule.path("ErrorEquals"))) {
                        assertThat(PREDEFINED.contains(error) || DOCUMENTED.get(resource).contains(error))
                                .as("%s %s names %s, which the documentation of %s does not give", state, field, error,
                                        resource)
                                .isTrue();
                    }
                }
            }
        }
    }

    @Test
    void theGlueJobIsRetriedOnceOnAFailedRunAndQueuesInsteadOfFailingOnConcurrentRuns() {
        ObjectNode job = ETL.state("RunGlueJob");
        assertThat(job.path("Resource").asText()).isEqualTo("arn:aws:states:::glue:startJobRun.sync");
        assertThat(job.path("Retry")).hasSize(1);
        assertThat(texts(job.path("Retry").get(0).path("ErrorEquals"))).containsExactly("States.TaskFailed");
        assertThat(job.path("Retry").get(0).path("MaxAttempts").asInt()).isEqualTo(1);
        assertThat(job.path("Parameters").path("Arguments").path("--run_id.$").asText()).isEqualTo("$$.Execution.Name");
        // A run that finds the previous one going waits in Glue's queue instead of failing.
        Map<String, Object> glueJob = TEMPLATE.properties("EtlJob").orElseThrow();
        assertThat(glueJob.get("JobRunQueuingEnabled")).isEqualTo(true);
        assertThat(castMap(glueJob.get("ExecutionProperty")).get("MaxConcurrentRuns")).isEqualTo(1);
    }

    /**
     * The ASL reserves {@code ' { } \} in the string literals of intrinsic functions: each must be
     * escaped with a backslash to stand for itself (intrinsic-functions.html#intrinsic-functions-escapes),
     * or Step Functions refuses the definition or fails the run with {@code States.Runtime}. Only
     * {@code States.Format}'s template may hold an unescaped {@code {}}, its placeholder.
     */
    @Test
    void intrinsicStringLiteralsEscapeTheReservedCharacters() {
        List<String> literals = new ArrayList<>();
        for (String state : ETL.states().keySet()) {
            intrinsics(ETL.state(state), literals);
        }
        assertThat(literals).as("the string literals of the definition's intrinsic calls").isNotEmpty();
        for (String literal : literals) {
            String withoutPlaceholders = literal.startsWith("States.Format:")
                    ? literal.substring("States.Format:".length()).replace("{}", "") : literal.substring(literal.indexOf(':') + 1);
            for (int i = 0; i < withoutPlaceholders.length(); i++) {
                char c = withoutPlaceholders.charAt(i);
                if (c == '\\') {
                    i++;
                    continue;
                }
                assertThat(c).as("unescaped reserved character in literal %s", literal).isNotIn('{', '}');
            }
        }
    }

    /** Collects {@code <function>:<literal>} for each quoted argument of each intrinsic call under {@code node}. */
    private static void intrinsics(JsonNode node, List<String> literals) {
        if (node.isObject()) {
            node.fields().forEachRemaining(field -> {
                if (field.getKey().endsWith(".$") && field.getValue().asText().startsWith("States.")) {
                    literals(field.getValue().asText(), literals);
                }
                intrinsics(field.getValue(), literals);
            });
        } else if (node.isArray()) {
            node.forEach(item -> intrinsics(item, literals));
        }
    }

    private static void literals(String call, List<String> into) {
        List<String> functions = new ArrayList<>();
        StringBuilder name = new StringBuilder();
        for (int i = 0; i < call.length(); i++) {
            char c = call.charAt(i);
            if (c == '\'') {
                StringBuilder literal = new StringBuilder();
                for (i++; i < call.length() && call.charAt(i) != '\''; i++) {
                    if (call.charAt(i) == '\\') {
                        literal.append(call.charAt(i++));
                    }
                    literal.append(call.charAt(i));
                }
                into.add(functions.get(functions.size() - 1) + ":" + literal);
            } else if (c == '(') {
                functions.add(name.toString().trim());
                name.setLength(0);
            } else if (c == ')') {
                functions.remove(functions.size() - 1);
            } else if (c == ',') {
                name.setLength(0);
            } else {
                name.append(c);
            }
        }
    }

    @Test
    void theCrawlerIsStartedOnlyWhenASchemaChangedAndWaitedForABoundedNumberOfTimes() {
        assertThat(ETL.transitions("RunGlueJob")).contains("CheckSchema");
        ObjectNode choice = ETL.state("SchemaChanged");
        assertThat(choice.path("Choices").get(0).path("Variable").asText()).isEqualTo("$.schema.changed");
        assertThat(choice.path("Choices").get(0).path("Next").asText()).isEqualTo("StartCrawler");
        assertThat(choice.path("Default").asText()).isEqualTo("RepairPartitions");

        // The wait loop: Wait -> status -> Choice -> back to Wait, with an exit on the attempt count.
        assertThat(ETL.transitions("WaitForCrawler")).containsExactly("CrawlerStatus");
        assertThat(ETL.transitions("CrawlerFinished")).contains("WaitForCrawler", "RepairPartitions", "CrawlerTimedOut");
        JsonNode bound = null;
        for (JsonNode rule : ETL.state("CrawlerFinished").path("Choices")) {
            if (rule.path("Next").asText().equals("CrawlerTimedOut")) {
                bound = rule;
            }
        }
        assertThat(bound).isNotNull();
        assertThat(bound.path("Variable").asText()).isEqualTo("$.crawl.attempt");
        assertThat(bound.path("NumericGreaterThanEquals").asInt()).isBetween(1, 1000);
        assertThat(ETL.state("StartCrawler").path("ResultSelector").path("attempt").asInt()).isZero();
    }

    @Test
    void everyPlaceholderIsADefinitionSubstitutionOfTheStateMachineInTheTemplate() {
        String logicalId = stateMachineUsing("statemachine/etl.asl.json");
        Map<String, Object> substitutions = castMap(TEMPLATE.properties(logicalId).orElseThrow()
                .get("DefinitionSubstitutions"));
        assertThat(ETL.placeholders())
                .containsExactly("AlertTopicArn", "CrawlerRefreshFunctionArn", "EtlJobName", "PartitionRepairFunctionArn");
        assertThat(new TreeSet<>(substitutions.keySet())).isEqualTo(ETL.placeholders());
        for (Object value : substitutions.values()) {
            Set<String> referenced = referencedResources(value);
            assertThat(TEMPLATE.resources().keySet()).as("resources named by %s", value).containsAll(referenced);
        }
    }

    @Test
    void substitutingGivesValidJsonWithNoPlaceholderLeft() {
        Map<String, String> values = new LinkedHashMap<>();
        ETL.placeholders().forEach(name -> values.put(name, "arn:aws:test:\"quoted\":" + name));
        StateMachineDefinition deployed = ETL.substitute(values);
        assertThat(deployed.placeholders()).isEmpty();
        assertThat(deployed.state("RunGlueJob").path("Parameters").path("JobName").asText())
                .isEqualTo("arn:aws:test:\"quoted\":EtlJobName");
        assertThatThrownBy(() -> ETL.substitute(Map.of("EtlJobName", "job")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("no value for AlertTopicArn, CrawlerRefreshFunctionArn, PartitionRepairFunctionArn");
    }

    private static String stateMachineUsing(String definitionUri) {
        for (String id : TEMPLATE.resourcesOfType("AWS::Serverless::StateMachine")) {
            if (definitionUri.equals(TEMPLATE.properties(id).orElseThrow().get("DefinitionUri"))) {
                return id;
            }
        }
        throw new AssertionError("no AWS::Serverless::StateMachine with DefinitionUri " + definitionUri);
    }

    /** The logical ids a {@code Ref} or {@code Fn::GetAtt} names. */
    private static Set<String> referencedResources(Object value) {
        Set<String> ids = new TreeSet<>();
        if (value instanceof Map<?, ?> map) {
            if (map.get("Ref") instanceof String ref && !ref.startsWith("AWS::")) {
                // SAM's FunctionName.Alias and FunctionName.Version name the function's alias or version.
                ids.add(ref.replaceFirst("\\.(Alias|Version)$", ""));
            }
            if (map.get("Fn::GetAtt") instanceof List<?> getAtt) {
                ids.add((String) getAtt.get(0));
            }
        }
        assertThat(ids).as("%s is a Ref or a GetAtt", value).isNotEmpty();
        return ids;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> castMap(Object value) {
        assertThat(value).isInstanceOf(Map.class);
        return (Map<String, Object>) value;
    }

    private static List<String> texts(JsonNode array) {
        List<String> texts = new ArrayList<>();
        array.forEach(node -> texts.add(node.asText()));
        return texts;
    }
}
