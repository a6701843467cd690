package io.tarn.stack;

import static java.util.Objects.requireNonNull;

import io.tarn.local.template.SamTemplate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The values CloudFormation would give a template's intrinsic functions in one deployment: its
 * parameters (defaults unless overridden), the pseudo parameters, and the physical names and
 * attributes the test makes up for its resources. Enough of CloudFormation to read a deployed
 * policy out of the template: {@code Ref}, {@code Fn::GetAtt}, {@code Fn::Sub} (both forms,
 * {@code ${!Literal}}), {@code Fn::Join}, {@code Fn::Split}, {@code Fn::Select}, {@code Fn::If}
 * with the condition functions, and {@code AWS::NoValue}. Anything else fails, naming it.
 */
final class StackValues {

    private static final Pattern SUB_REFERENCE = Pattern.compile("\\$\\{(!?)([^}]+)}");
    private static final Object NO_VALUE = new Object();

    private final SamTemplate template;
    private final Map<String, Object> parameters = new LinkedHashMap<>();
    private final Map<String, String> pseudo;
    private final Map<String, String> physicalIds;
    private final Map<String, String> attributes;

    /**
     * @param overrides parameter values (a String, or a List for a CommaDelimitedList)
     * @param physicalIds what {@code Ref} of a resource returns, by logical id
     * @param attributes what {@code Fn::GetAtt} returns, by {@code LogicalId.Attribute}
     */
    StackValues(SamTemplate template, Map<String, Object> overrides, Map<String, String> pseudo,
            Map<String, String> physicalIds, Map<String, String> attributes) {
        this.template = requireNonNull(template, "template is null");
        this.pseudo = Map.copyOf(pseudo);
        this.physicalIds = Map.copyOf(physicalIds);
        this.attributes = Map.copyOf(attributes);
        template.parameters().forEach((name, declaration) -> {
            Map<String, Object> spec = SamTemplate.cast(declaration);
            Object value = overrides.containsKey(name) ? overrides.get(name) : String.valueOf(spec.getOrDefault("Default", ""));
            if ("CommaDelimitedList".equals(spec.get("Type")) && value instanceof String text) {
                value = List.of(text.split(",", -1));
            }
            parameters.put(name, value);
        });
        overrides.keySet().forEach(name -> {
            if (!parameters.containsKey(name)) {
                throw new IllegalArgumentException("The template has no parameter " + name);
            }
        });
    }

    /** A resource's property as deployed: every intrinsic evaluated, {@code AWS::NoValue} removed. */
    Object property(String logicalId, String... path) {
        Object value = template.properties(logicalId)
                .orElseThrow(() -> new IllegalArgumentException("The template has no resource " + logicalId));
        for (String key : path) {
            value = SamTemplate.cast(value).get(key);
            if (value == null) {
                throw new IllegalArgumentException(logicalId + " has no property " + String.join(".", path));
            }
        }
        return evaluate(value);
    }

    /** Whether the template's condition holds in this deployment. */
    boolean condition(String name) {
        Object definition = template.conditions().get(name);
        if (definition == null) {
            throw new IllegalArgumentException("The template has no condition " + name);
        }
        return (Boolean) evaluate(definition);
    }

    Object evaluate(Object value) {
        if (value instanceof List<?> list) {
            List<Object> out = new ArrayList<>();
            for (Object item : list) {
                Object evaluated = evaluate(item);
                if (evaluated != NO_VALUE) {
                    out.add(evaluated);
                }
            }
            return out;
        }
        if (!(value instanceof Map<?, ?> raw)) {
            return value;
        }
        Map<String, Object> map = SamTemplate.cast(raw);
        if (map.size() == 1) {
            String key = map.keySet().iterator().next();
            if (key.equals("Ref") || key.equals("Condition") || key.startsWith("Fn::")) {
                return intrinsic(key, map.get(key));
            }
        }
        Map<String, Object> out = new LinkedHashMap<>();
        map.forEach((key, item) -> {
            Object evaluated = evaluate(item);
            if (evaluated != NO_VALUE) {
                out.put(key, evaluated);
            }
        });
        return out;
    }

    private Object intrinsic(String function, Object argument) {
        return switch (function) {
            case "Ref" -> ref((String) argument);
            case "Condition" -> condition((String) argument);
            case "Fn::GetAtt" -> {
                List<?> names = (List<?>) argument;
                yield getAtt(names.get(0) + "." + names.get(1));
            }
            case "Fn::Sub" -> sub(argument);
            case "Fn::Join" -> {
                List<?> arguments = (List<?>) argument;
                List<String> parts = ((List<?>) evaluate(arguments.get(1))).stream().map(String::valueOf).toList();
                yield String.join((String) arguments.get(0), parts);
            }
            case "Fn::Split" -> {
                List<?> arguments = (List<?>) argument;
                yield List.of(((String) evaluate(arguments.get(1))).split(Pattern.quote((String) arguments.get(0)), -1));
            }
            case "Fn::Select" -> {
                List<?> arguments = (List<?>) argument;
                yield ((List<?>) evaluate(arguments.get(1))).get(Integer.parseInt(String.valueOf(evaluate(arguments.get(0)))));
            }
            case "Fn::If" -> {
                List<?> arguments = (List<?>) argument;
                yield evaluate(condition((String) arguments.get(0)) ? arguments.get(1) : arguments.get(2));
            }
            case "Fn::Equals" -> {
                List<?> arguments = (List<?>) argument;
                yield String.valueOf(evaluate(arguments.get(0))).equals(String.valueOf(evaluate(arguments.get(1))));
            }
            case "Fn::Not" -> !(Boolean) evaluate(((List<?>) argument).get(0));
            case "Fn::And" -> ((List<?>) argument).stream().allMatch(term -> (Boolean) evaluate(term));
            case "Fn::Or" -> ((List<?>) argument).stream().anyMatch(term -> (Boolean) evaluate(term));
            default -> throw new IllegalArgumentException("StackValues does not evaluate " + function);
        };
    }

    private Object ref(String name) {
        if (name.equals("AWS::NoValue")) {
            return NO_VALUE;
        }
        if (parameters.containsKey(name)) {
            return parameters.get(name);
        }
        if (pseudo.containsKey(name)) {
            return pseudo.get(name);
        }
        if (physicalIds.containsKey(name)) {
            return physicalIds.get(name);
        }
        throw new IllegalArgumentException("No value for Ref " + name + ": give the resource a physical id");
    }

    private String getAtt(String name) {
        String value = attributes.get(name);
        if (value == null) {
            throw new IllegalArgumentException("No value for Fn::GetAtt " + name + ": give the test an attribute for it");
        }
        return value;
    }

    private String sub(Object argument) {
        String text;
        Map<String, Object> variables = Map.of();
        if (argument instanceof List<?> form) {
            text = (String) form.get(0);
            variables = SamTemplate.cast(form.get(1));
        } else {
            text = (String) argument;
        }
        Matcher matcher = SUB_REFERENCE.matcher(text);
        StringBuilder out = new StringBuilder();
        while (matcher.find()) {
            String name = matcher.group(2);
            String replacement;
            if (!matcher.group(1).isEmpty()) {
                replacement = "${" + name + "}"; // ${!Literal} is the literal ${Literal}
            } else if (variables.containsKey(name)) {
                replacement = String.valueOf(evaluate(variables.get(name)));
            } else if (name.contains(".") && !name.startsWith("AWS::")) {
                replacement = getAtt(name);
            } else {
                replacement = String.valueOf(ref(name));
            }
            matcher.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        matcher.appendTail(out);
        return out.toString();
    }
}
