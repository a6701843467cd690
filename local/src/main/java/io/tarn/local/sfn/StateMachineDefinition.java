package io.tarn.local.sfn;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An Amazon States Language definition (JSONPath flavour) as written in {@code statemachine/}:
 * its states, the transitions between them and the {@code ${...}} placeholders that
 * {@code DefinitionSubstitutions} fill in at deploy time.
 */
public final class StateMachineDefinition {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Za-z0-9_]+)}");

    private final String text;
    private final ObjectNode root;
    private final Map<String, ObjectNode> states;

    private StateMachineDefinition(String text, ObjectNode root) {
        this.text = text;
        this.root = root;
        JsonNode statesNode = root.path("States");
        if (!statesNode.isObject() || !root.path("StartAt").isTextual()) {
            throw new IllegalArgumentException("a state machine definition needs StartAt and States");
        }
        Map<String, ObjectNode> byName = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = statesNode.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> state = it.next();
            if (!state.getValue().isObject() || !state.getValue().path("Type").isTextual()) {
                throw new IllegalArgumentException("state '" + state.getKey() + "' has no Type");
            }
            byName.put(state.getKey(), (ObjectNode) state.getValue());
        }
        this.states = byName;
    }

    /** @throws IllegalArgumentException naming the file when it is not a definition */
    public static StateMachineDefinition load(Path file) {
        requireNonNull(file, "file is null");
        try {
            return parse(Files.readString(file));
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read state machine " + file + ": " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    /** A definition on the classpath, e.g. {@code statemachine/etl.asl.json} in the tarn jar. */
    public static StateMachineDefinition loadResource(String name) {
        try (java.io.InputStream in = StateMachineDefinition.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalArgumentException("no state machine definition " + name + " on the classpath");
            }
            return parse(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read state machine " + name + ": " + e.getMessage(), e);
        }
    }

    public static StateMachineDefinition parse(String text) {
        requireNonNull(text, "text is null");
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (IOException e) {
            throw new IllegalArgumentException("not JSON: " + e.getMessage().lines().findFirst().orElse(""), e);
        }
        if (!(root instanceof ObjectNode object)) {
            throw new IllegalArgumentException("a state machine definition is a JSON object");
        }
        return new StateMachineDefinition(text, object);
    }

    /** The definition's JSON text, as Step Functions gets it (after {@link #substitute}). */
    public String text() {
        return text;
    }

    public String startAt() {
        return root.path("StartAt").asText();
    }

    /** States by name, in definition order. */
    public Map<String, ObjectNode> states() {
        return states;
    }

    public ObjectNode state(String name) {
        ObjectNode state = states.get(name);
        if (state == null) {
            throw new IllegalArgumentException("no state named '" + name + "'");
        }
        return state;
    }

    public String type(String name) {
        return state(name).path("Type").asText();
    }

    /** A state that ends an execution: Succeed, Fail, or any state with {@code "End": true}. */
    public boolean isTerminal(String name) {
        String type = type(name);
        return type.equals("Succeed") || type.equals("Fail") || state(name).path("End").asBoolean(false);
    }

    /** Every state a state can go to: Next, a Choice's choices and Default, and its Catch targets. */
    public Set<String> transitions(String name) {
        ObjectNode state = state(name);
        Set<String> next = new LinkedHashSet<>();
        addText(next, state.get("Next"));
        addText(next, state.get("Default"));
        for (JsonNode choice : state.path("Choices")) {
            addText(next, choice.get("Next"));
        }
        for (JsonNode katch : state.path("Catch")) {
            addText(next, katch.get("Next"));
        }
        return next;
    }

    /** The states reachable from StartAt, StartAt included. */
    public Set<String> reachable() {
        return reachableFrom(startAt());
    }

    public Set<String> reachableFrom(String start) {
        Set<String> seen = new LinkedHashSet<>();
        Deque<String> todo = new ArrayDeque<>(List.of(start));
        while (!todo.isEmpty()) {
            String name = todo.pop();
            if (states.containsKey(name) && seen.add(name)) {
                todo.addAll(transitions(name));
            }
        }
        return seen;
    }

    /** The {@code ${Name}} placeholders the definition uses, sorted. */
    public Set<String> placeholders() {
        Set<String> names = new TreeSet<>();
        Matcher matcher = PLACEHOLDER.matcher(text);
        while (matcher.find()) {
            names.add(matcher.group(1));
        }
        return names;
    }

    /**
     * The definition with its placeholders replaced, as CloudFormation does with
     * {@code DefinitionSubstitutions}.
     *
     * @throws IllegalArgumentException naming the placeholders that have no value
     */
    public StateMachineDefinition substitute(Map<String, String> values) {
        List<String> missing = new ArrayList<>();
        StringBuilder out = new StringBuilder();
        Matcher matcher = PLACEHOLDER.matcher(text);
        while (matcher.find()) {
            String value = values.get(matcher.group(1));
            if (value == null) {
                missing.add(matcher.group(1));
                value = matcher.group();
            }
            // The placeholders stand inside JSON strings, so their values are escaped as JSON.
            String escaped = new String(JsonStringEncoder.getInstance().quoteAsString(value));
            matcher.appendReplacement(out, Matcher.quoteReplacement(escaped));
        }
        matcher.appendTail(out);
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("no value for " + String.join(", ", new TreeSet<>(missing)));
        }
        return parse(out.toString());
    }

    private static void addText(Set<String> into, JsonNode node) {
        if (node != null && node.isTextual()) {
            into.add(node.asText());
        }
    }
}
