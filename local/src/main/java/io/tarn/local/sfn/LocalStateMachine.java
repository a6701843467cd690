package io.tarn.local.sfn;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * Runs a state machine definition on this machine, the way Step Functions would, with its Task
 * states handed to local implementations. It covers what Tarn's definitions use (JSONPath
 * flavour): Pass, Task, Choice, Wait, Succeed and Fail; InputPath, Parameters, ResultSelector,
 * ResultPath and OutputPath; Retry and Catch; the context object's {@code $$.Execution} fields;
 * and the intrinsic functions {@code States.Format}, {@code States.StringToJson},
 * {@code States.JsonToString}, {@code States.JsonMerge} and {@code States.MathAdd}.
 *
 * <p>Running the deployed definition itself, rather than a copy of its flow in Java, is what
 * keeps the local run and the cloud run the same: a path the definition reads that a handler does
 * not answer fails here as it would there.
 */
public final class LocalStateMachine {

    /** What a Task state's resource does locally. */
    @FunctionalInterface
    public interface Tasks {
        /**
         * Runs one task.
         *
         * @param resource the state's {@code Resource}, e.g. {@code arn:aws:states:::lambda:invoke}
         * @param parameters the effective input (after InputPath and Parameters)
         * @return the task's result, as the service integration would return it
         * @throws TaskFailedException the task's error, as Step Functions names it
         */
        JsonNode run(String state, String resource, JsonNode parameters);
    }

    /** A task's failure, with the error name Retry and Catch match on. */
    public static final class TaskFailedException extends RuntimeException {
        private final String error;

        public TaskFailedException(String error, String cause) {
            super(cause);
            this.error = requireNonNull(error, "error is null");
        }

        public String error() {
            return error;
        }

        public String cause() {
            return getMessage() == null ? "" : getMessage();
        }
    }

    /** Waits between retries and in Wait states; tests and the local run may shorten them. */
    @FunctionalInterface
    public interface Sleeper {
        /** The pause before a retry. */
        void sleep(Duration duration) throws InterruptedException;

        /** A Wait state's wait of a number of seconds; by default like a retry's pause. */
        default void waitState(Duration duration) throws InterruptedException {
            sleep(duration);
        }

        /** A Wait state's wait until a timestamp, {@code left} being the time until it; by default like the others. */
        default void waitUntil(Duration left) throws InterruptedException {
            waitState(left);
        }

        /**
         * Waits until a Wait state's timestamp (a triggered run until its window's end, so that its
         * job reads every change of the window) and skips every other pause: a local task that
         * failed fails the same way at once, and the local crawler has finished by its first check.
         */
        Sleeper UNTIL_TIMESTAMPS = new Sleeper() {
            @Override
            public void sleep(Duration duration) {
            }

            @Override
            public void waitState(Duration duration) {
            }

            @Override
            public void waitUntil(Duration left) throws InterruptedException {
                Thread.sleep(left.toMillis());
            }
        };
    }

    /**
     * How an execution ended.
     *
     * @param visited the states entered, in order
     */
    public record Execution(String name, boolean succeeded, JsonNode output, String error, String cause,
            List<String> visited) {
        public Execution {
            visited = List.copyOf(visited);
        }
    }

    /** The upper bound of states entered by one execution, so that a loop without a bound ends. */
    static final int MAX_TRANSITIONS = 10_000;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final Set<String> UNCATCHABLE = Set.of("States.Runtime", "States.DataLimitExceeded");
    private static final Pattern TIMESTAMP = Pattern.compile("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?Z");

    private final StateMachineDefinition definition;
    private final Tasks tasks;
    private final Sleeper sleeper;
    private final Consumer<String> progress;
    private final Clock clock;

    /**
     * @param progress told the name of each state as it is entered
     */
    public LocalStateMachine(StateMachineDefinition definition, Tasks tasks, Sleeper sleeper, Consumer<String> progress) {
        this(definition, tasks, sleeper, progress, Clock.systemUTC());
    }

    /** @param clock the time a Wait state's timestamp is compared with */
    public LocalStateMachine(StateMachineDefinition definition, Tasks tasks, Sleeper sleeper, Consumer<String> progress,
            Clock clock) {
        this.definition = requireNonNull(definition, "definition is null");
        this.tasks = requireNonNull(tasks, "tasks is null");
        this.sleeper = requireNonNull(sleeper, "sleeper is null");
        this.progress = requireNonNull(progress, "progress is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    public Execution run(String executionName, JsonNode input) {
        return run(executionName, "arn:aws:states:local:000000000000:execution:local:" + executionName, input);
    }

    /** @param executionId the execution's ARN, {@code $$.Execution.Id} */
    public Execution run(String executionName, String executionId, JsonNode input) {
        requireNonNull(executionName, "executionName is null");
        requireNonNull(executionId, "executionId is null");
        ObjectNode context = NODES.objectNode();
        ObjectNode execution = context.putObject("Execution");
        execution.put("Name", executionName);
        execution.put("Id", executionId);
        execution.set("Input", input.deepCopy());
        List<String> visited = new ArrayList<>();
        JsonNode data = input.deepCopy();
        String current = definition.startAt();
        while (true) {
            if (visited.size() == MAX_TRANSITIONS) {
                return new Execution(executionName, false, data, "States.Runtime",
                        "more than " + MAX_TRANSITIONS + " state transitions", visited);
            }
            visited.add(current);
            progress.accept(current);
            ObjectNode state = definition.state(current);
            String type = state.path("Type").asText();
            try {
                switch (type) {
                    case "Succeed" -> {
                        return new Execution(executionName, true, path(state, "OutputPath", select(data, context, state, "InputPath")),
                                null, null, visited);
                    }
                    case "Fail" -> {
                        String error = text(state, "Error", "ErrorPath", data, context);
                        String cause = text(state, "Cause", "CausePath", data, context);
                        return new Execution(executionName, false, data, error, cause, visited);
                    }
                    case "Pass" -> {
                        JsonNode effective = effectiveInput(state, data, context);
                        JsonNode result = state.has("Result") ? state.get("Result") : effective;
                        data = output(state, data, result, context);
                    }
                    case "Wait" -> {
                        JsonNode effective = select(data, context, state, "InputPath");
                        waitState(waitFor(state, effective, context), !state.has("Seconds") && !state.has("SecondsPath"));
                        data = path(state, "OutputPath", effective);
                    }
                    case "Choice" -> {
                        JsonNode effective = select(data, context, state, "InputPath");
                        String next = choose(state, effective, context);
                        data = path(state, "OutputPath", effective);
                        current = next;
                        continue;
                    }
                    case "Task" -> {
                        Outcome outcome = task(current, state, data, context);
                        if (outcome.next != null) {
                            data = outcome.data;
                            current = outcome.next;
                            continue;
                        }
                        data = outcome.data;
                    }
                    default -> throw new TaskFailedException("States.Runtime", "state type " + type + " is not supported locally");
                }
            } catch (TaskFailedException e) {
                return new Execution(executionName, false, data, e.error(), e.cause(), visited);
            }
            if (state.path("End").asBoolean(false)) {
                return new Execution(executionName, true, data, null, null, visited);
            }
            current = state.path("Next").asText();
        }
    }

    private record Outcome(JsonNode data, String next) {}

    /**
     * How long a Wait state waits: {@code Seconds}, {@code SecondsPath}, or until {@code Timestamp}
     * or {@code TimestampPath} (RFC 3339 with an upper-case T and Z, to the second: Step Functions
     * truncates the milliseconds). A timestamp in the past waits for nothing.
     */
    private Duration waitFor(ObjectNode state, JsonNode input, ObjectNode context) {
        if (state.has("Seconds") || state.has("SecondsPath")) {
            JsonNode seconds = state.has("Seconds") ? state.get("Seconds") : JsonPath.find(input, context,
                    state.get("SecondsPath").asText()).orElseThrow(() -> new TaskFailedException("States.Runtime",
                            "SecondsPath " + state.get("SecondsPath").asText() + " is not in the state's input"));
            if (!seconds.canConvertToLong() || seconds.asLong() < 0) {
                throw new TaskFailedException("States.Runtime", "a Wait state's seconds must be a whole number, got " + seconds);
            }
            return Duration.ofSeconds(seconds.asLong());
        }
        JsonNode timestamp = state.has("Timestamp") ? state.get("Timestamp") : JsonPath.find(input, context,
                state.path("TimestampPath").asText()).orElseThrow(() -> new TaskFailedException("States.Runtime",
                        "TimestampPath " + state.path("TimestampPath").asText() + " is not in the state's input"));
        Instant until;
        try {
            if (!TIMESTAMP.matcher(timestamp.asText()).matches()) {
                throw new DateTimeParseException("not RFC 3339 with T and Z", timestamp.asText(), 0);
            }
            until = OffsetDateTime.parse(timestamp.asText()).toInstant().truncatedTo(ChronoUnit.SECONDS);
        } catch (DateTimeParseException e) {
            throw new TaskFailedException("States.Runtime", "a Wait state's timestamp must be RFC 3339 in UTC"
                    + " (2024-06-01T12:01:10Z), got " + timestamp);
        }
        Duration left = Duration.between(clock.instant(), until);
        return left.isNegative() ? Duration.ZERO : left;
    }

    private Outcome task(String name, ObjectNode state, JsonNode data, ObjectNode context) {
        JsonNode effective = effectiveInput(state, data, context);
        String resource = state.path("Resource").asText();
        int[] attempts = new int[state.path("Retry").size()];
        while (true) {
            try {
                JsonNode result = tasks.run(name, resource, effective);
                if (state.has("ResultSelector")) {
                    result = resolve(state.get("ResultSelector"), result, context);
                }
                return new Outcome(output(state, data, result, context), null);
            } catch (TaskFailedException failure) {
                Optional<Duration> retry = retryDelay(state.path("Retry"), attempts, failure.error());
                if (retry.isPresent()) {
                    sleep(retry.get());
                    continue;
                }
                for (JsonNode katch : state.path("Catch")) {
                    if (matches(katch.path("ErrorEquals"), failure.error())) {
                        ObjectNode error = NODES.objectNode();
                        error.put("Error", failure.error());
                        error.put("Cause", failure.cause());
                        return new Outcome(put(data, katch.has("ResultPath") ? katch.get("ResultPath") : NODES.textNode("$"), error),
                                katch.path("Next").asText());
                    }
                }
                throw failure;
            }
        }
    }

    /** The delay before the next attempt, or empty when no retrier applies or its attempts are spent. */
    private static Optional<Duration> retryDelay(JsonNode retriers, int[] attempts, String error) {
        for (int i = 0; i < retriers.size(); i++) {
            JsonNode retrier = retriers.get(i);
            if (!matches(retrier.path("ErrorEquals"), error)) {
                continue;
            }
            int max = retrier.path("MaxAttempts").asInt(3);
            if (attempts[i] >= max) {
                return Optional.empty();
            }
            double interval = retrier.path("IntervalSeconds").asDouble(1) * Math.pow(retrier.path("BackoffRate").asDouble(2), attempts[i]);
            if (retrier.has("MaxDelaySeconds")) {
                interval = Math.min(interval, retrier.get("MaxDelaySeconds").asDouble());
            }
            attempts[i]++;
            return Optional.of(Duration.ofMillis((long) (interval * 1000)));
        }
        return Optional.empty();
    }

    /**
     * Whether a retrier or catcher names the error. As Step Functions documents: {@code States.ALL}
     * matches every error but the terminal {@code States.Runtime} and {@code States.DataLimitExceeded},
     * which nothing catches or retries; {@code States.TaskFailed} matches those too, and further
     * excludes {@code States.Timeout}.
     */
    static boolean matches(JsonNode errorEquals, String error) {
        if (UNCATCHABLE.contains(error)) {
            return false;
        }
        for (JsonNode name : errorEquals) {
            String expected = name.asText();
            if (expected.equals(error) || expected.equals("States.ALL")
                    || (expected.equals("States.TaskFailed") && !error.equals("States.Timeout"))) {
                return true;
            }
        }
        return false;
    }

    private String choose(ObjectNode state, JsonNode input, ObjectNode context) {
        for (JsonNode rule : state.path("Choices")) {
            if (holds(rule, input, context)) {
                return rule.path("Next").asText();
            }
        }
        if (state.has("Default")) {
            return state.get("Default").asText();
        }
        throw new TaskFailedException("States.NoChoiceMatched", "no choice of the Choice state matched");
    }

    private boolean holds(JsonNode rule, JsonNode input, ObjectNode context) {
        if (rule.has("And")) {
            for (JsonNode part : rule.get("And")) {
                if (!holds(part, input, context)) {
                    return false;
                }
            }
            return true;
        }
        if (rule.has("Or")) {
            for (JsonNode part : rule.get("Or")) {
                if (holds(part, input, context)) {
                    return true;
                }
            }
            return false;
        }
        if (rule.has("Not")) {
            return !holds(rule.get("Not"), input, context);
        }
        String variable = rule.path("Variable").asText();
        Optional<JsonNode> value = JsonPath.find(input, context, variable);
        if (rule.has("IsPresent")) {
            return value.isPresent() == rule.get("IsPresent").asBoolean();
        }
        if (value.isEmpty()) {
            throw new TaskFailedException("States.Runtime", "the choice variable " + variable + " is not in the state's input");
        }
        JsonNode v = value.get();
        for (Iterator<Map.Entry<String, JsonNode>> it = rule.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> test = it.next();
            JsonNode expected = test.getValue();
            switch (test.getKey()) {
                case "Variable", "Next" -> { }
                case "BooleanEquals" -> {
                    return v.isBoolean() && v.asBoolean() == expected.asBoolean();
                }
                case "StringEquals" -> {
                    return v.isTextual() && v.asText().equals(expected.asText());
                }
                case "IsNull" -> {
                    return v.isNull() == expected.asBoolean();
                }
                case "NumericEquals" -> {
                    return v.isNumber() && v.asDouble() == expected.asDouble();
                }
                case "NumericGreaterThan" -> {
                    return v.isNumber() && v.asDouble() > expected.asDouble();
                }
                case "NumericGreaterThanEquals" -> {
                    return v.isNumber() && v.asDouble() >= expected.asDouble();
                }
                case "NumericLessThan" -> {
                    return v.isNumber() && v.asDouble() < expected.asDouble();
                }
                case "NumericLessThanEquals" -> {
                    return v.isNumber() && v.asDouble() <= expected.asDouble();
                }
                default -> throw new TaskFailedException("States.Runtime", "choice test " + test.getKey() + " is not supported locally");
            }
        }
        throw new TaskFailedException("States.Runtime", "a choice rule without a test");
    }

    private JsonNode effectiveInput(ObjectNode state, JsonNode data, ObjectNode context) {
        JsonNode input = select(data, context, state, "InputPath");
        return state.has("Parameters") ? resolve(state.get("Parameters"), input, context) : input;
    }

    private JsonNode output(ObjectNode state, JsonNode data, JsonNode result, ObjectNode context) {
        JsonNode placed = put(data, state.has("ResultPath") ? state.get("ResultPath") : NODES.textNode("$"), result);
        return path(state, "OutputPath", placed);
    }

    private static JsonNode select(JsonNode data, ObjectNode context, ObjectNode state, String field) {
        if (!state.has(field)) {
            return data;
        }
        if (state.get(field).isNull()) {
            return NODES.objectNode();
        }
        String path = state.get(field).asText();
        return JsonPath.find(data, context, path).orElseThrow(
                () -> new TaskFailedException("States.Runtime", field + " " + path + " is not in the state's input"));
    }

    private static JsonNode path(ObjectNode state, String field, JsonNode data) {
        return select(data, NODES.objectNode(), state, field);
    }

    /** Places {@code result} into {@code data} at a ResultPath ({@code null} discards it). */
    private static JsonNode put(JsonNode data, JsonNode resultPath, JsonNode result) {
        if (resultPath.isNull()) {
            return data;
        }
        String path = resultPath.asText();
        if (path.equals("$")) {
            return result;
        }
        if (!path.startsWith("$.")) {
            throw new TaskFailedException("States.Runtime", "ResultPath " + path + " is not supported locally");
        }
        if (!data.isObject()) {
            throw new TaskFailedException("States.Runtime", "ResultPath " + path + " needs an object as the state's input");
        }
        ObjectNode copy = ((ObjectNode) data).deepCopy();
        String[] names = path.substring(2).split("\\.");
        ObjectNode at = copy;
        for (int i = 0; i < names.length - 1; i++) {
            JsonNode child = at.get(names[i]);
            at = child instanceof ObjectNode object ? object : at.putObject(names[i]);
        }
        at.set(names[names.length - 1], result);
        return copy;
    }

    /** Parameters and ResultSelector: fields ending in {@code .$} take a path or an intrinsic call. */
    private static JsonNode resolve(JsonNode template, JsonNode input, ObjectNode context) {
        if (template.isObject()) {
            ObjectNode out = NODES.objectNode();
            for (Iterator<Map.Entry<String, JsonNode>> it = template.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                if (field.getKey().endsWith(".$")) {
                    String name = field.getKey().substring(0, field.getKey().length() - 2);
                    out.set(name, evaluate(field.getValue().asText(), input, context));
                } else {
                    out.set(field.getKey(), resolve(field.getValue(), input, context));
                }
            }
            return out;
        }
        if (template.isArray()) {
            ArrayNode out = NODES.arrayNode();
            template.forEach(item -> out.add(resolve(item, input, context)));
            return out;
        }
        return template;
    }

    private static JsonNode evaluate(String expression, JsonNode input, ObjectNode context) {
        if (expression.startsWith("States.")) {
            return new Intrinsics(input, context).evaluate(expression);
        }
        return JsonPath.find(input, context, expression).orElseThrow(
                () -> new TaskFailedException("States.Runtime", "the path " + expression + " is not in the state's input"));
    }

    private static String text(ObjectNode state, String field, String pathField, JsonNode data, ObjectNode context) {
        if (state.has(field)) {
            return state.get(field).asText();
        }
        if (state.has(pathField)) {
            return JsonPath.find(data, context, state.get(pathField).asText()).map(JsonNode::asText).orElse(null);
        }
        return null;
    }

    private void sleep(Duration duration) {
        try {
            sleeper.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TaskFailedException("States.Runtime", "interrupted");
        }
    }

    private void waitState(Duration duration, boolean untilTimestamp) {
        try {
            if (untilTimestamp) {
                sleeper.waitUntil(duration);
            } else {
                sleeper.waitState(duration);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TaskFailedException("States.Runtime", "interrupted");
        }
    }

    /** The JSONPath subset of ASL paths: {@code $}, {@code $.a.b}, {@code $.a[0]} and {@code $$.} for the context. */
    static final class JsonPath {
        private JsonPath() {
        }

        static Optional<JsonNode> find(JsonNode input, JsonNode context, String path) {
            JsonNode at;
            String rest;
            if (path.startsWith("$$")) {
                at = context;
                rest = path.substring(2);
            } else if (path.startsWith("$")) {
                at = input;
                rest = path.substring(1);
            } else {
                throw new TaskFailedException("States.Runtime", "'" + path + "' is not a path");
            }
            int i = 0;
            while (i < rest.length()) {
                char c = rest.charAt(i);
                if (c == '.') {
                    int end = i + 1;
                    while (end < rest.length() && rest.charAt(end) != '.' && rest.charAt(end) != '[') {
                        end++;
                    }
                    at = at.get(rest.substring(i + 1, end));
                    i = end;
                } else if (c == '[') {
                    int end = rest.indexOf(']', i);
                    at = at.get(Integer.parseInt(rest.substring(i + 1, end)));
                    i = end + 1;
                } else {
                    throw new TaskFailedException("States.Runtime", "'" + path + "' is not a supported path");
                }
                if (at == null) {
                    return Optional.empty();
                }
            }
            return Optional.of(at);
        }
    }

    /** The intrinsic functions, parsed by recursive descent over their argument lists. */
    private static final class Intrinsics {
        /** An unescaped {@code {}} of a string literal (a private-use character, never in ASL text). */
        private static final char PLACEHOLDER = '\uE000';

        private final JsonNode input;
        private final JsonNode context;
        private String text;
        private int at;

        Intrinsics(JsonNode input, JsonNode context) {
            this.input = input;
            this.context = context;
        }

        JsonNode evaluate(String expression) {
            text = expression;
            at = 0;
            JsonNode value = call();
            if (at != text.length()) {
                throw fail("unexpected text after the call");
            }
            return value;
        }

        private JsonNode call() {
            int open = text.indexOf('(', at);
            if (open < 0) {
                throw fail("expected '('");
            }
            String function = text.substring(at, open).trim();
            at = open + 1;
            List<JsonNode> args = new ArrayList<>();
            skipSpaces();
            if (peek() != ')') {
                while (true) {
                    args.add(argument());
                    skipSpaces();
                    if (peek() == ',') {
                        at++;
                        continue;
                    }
                    break;
                }
            }
            if (peek() != ')') {
                throw fail("expected ')'");
            }
            at++;
            return apply(function, args);
        }

        private JsonNode argument() {
            skipSpaces();
            char c = peek();
            if (c == '\'') {
                return NODES.textNode(quoted());
            }
            if (c == '$') {
                int start = at;
                while (at < text.length() && text.charAt(at) != ',' && text.charAt(at) != ')' && text.charAt(at) != ' ') {
                    at++;
                }
                String path = text.substring(start, at);
                return JsonPath.find(input, context, path).orElseThrow(
                        () -> new TaskFailedException("States.Runtime", "the path " + path + " is not in the state's input"));
            }
            if (text.startsWith("States.", at)) {
                return call();
            }
            int start = at;
            while (at < text.length() && text.charAt(at) != ',' && text.charAt(at) != ')') {
                at++;
            }
            try {
                return JSON.readTree(text.substring(start, at).trim());
            } catch (IOException e) {
                throw fail("cannot read the argument '" + text.substring(start, at) + "'");
            }
        }

        /**
         * A string literal. The ASL reserves {@code ' { } \} in them: each must be escaped with a
         * backslash to stand for itself. An unescaped {@code {}} is left as {@link #PLACEHOLDER}, which
         * only {@code States.Format}'s template may hold; any other unescaped brace is an error, as in
         * Step Functions.
         */
        private String quoted() {
            StringBuilder out = new StringBuilder();
            at++;
            while (at < text.length()) {
                char c = text.charAt(at++);
                if (c == '\\') {
                    if (at == text.length()) {
                        break;
                    }
                    out.append(text.charAt(at++));
                } else if (c == '\'') {
                    return out.toString();
                } else if (c == '{' && at < text.length() && text.charAt(at) == '}') {
                    out.append(PLACEHOLDER);
                    at++;
                } else if (c == '{' || c == '}') {
                    throw fail("'" + c + "' is reserved in an intrinsic's string literal and must be escaped as \\" + c);
                } else {
                    out.append(c);
                }
            }
            throw fail("unterminated string");
        }

        private JsonNode apply(String function, List<JsonNode> args) {
            if (!function.equals("States.Format")) {
                for (JsonNode arg : args) {
                    if (arg.isTextual() && arg.asText().indexOf(PLACEHOLDER) >= 0) {
                        throw fail("'{' and '}' are reserved in an intrinsic's string literal and must be escaped as \\{ and \\}");
                    }
                }
            }
            switch (function) {
                case "States.Format" -> {
                    String template = args.get(0).asText();
                    StringBuilder out = new StringBuilder();
                    int next = 1;
                    for (int i = 0; i < template.length(); i++) {
                        if (template.charAt(i) == PLACEHOLDER) {
                            if (next == args.size()) {
                                throw fail("States.Format has more {} than arguments");
                            }
                            JsonNode arg = args.get(next++);
                            out.append(arg.isValueNode() ? arg.asText() : arg.toString());
                        } else {
                            out.append(template.charAt(i));
                        }
                    }
                    if (next != args.size()) {
                        throw fail("States.Format has fewer {} than arguments");
                    }
                    return NODES.textNode(out.toString());
                }
                case "States.StringToJson" -> {
                    try {
                        return JSON.readTree(args.get(0).asText());
                    } catch (IOException e) {
                        throw new TaskFailedException("States.Runtime", "States.StringToJson: not JSON: " + args.get(0).asText());
                    }
                }
                case "States.JsonToString" -> {
                    return NODES.textNode(args.get(0).toString());
                }
                case "States.JsonMerge" -> {
                    if (!args.get(0).isObject() || !args.get(1).isObject() || args.get(2).asBoolean()) {
                        throw new TaskFailedException("States.Runtime", "States.JsonMerge takes two objects and false (a shallow merge)");
                    }
                    ObjectNode merged = ((ObjectNode) args.get(0)).deepCopy();
                    merged.setAll(((ObjectNode) args.get(1)).deepCopy());
                    return merged;
                }
                case "States.MathAdd" -> {
                    return NODES.numberNode(args.get(0).asLong() + args.get(1).asLong());
                }
                default -> throw new TaskFailedException("States.Runtime", function + " is not supported locally");
            }
        }

        private void skipSpaces() {
            while (at < text.length() && text.charAt(at) == ' ') {
                at++;
            }
        }

        private char peek() {
            return at < text.length() ? text.charAt(at) : '\0';
        }

        private TaskFailedException fail(String what) {
            return new TaskFailedException("States.Runtime", "intrinsic " + text + ": " + what + " at " + at);
        }
    }
}
