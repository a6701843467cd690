package io.tarn.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tarn.local.template.SamTemplate;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every name template.yaml refers to is defined, as CloudFormation will check only at deploy time. */
class TemplateReferencesTest {

    private static final SamTemplate TEMPLATE = SamTemplate.load(Path.of("../template.yaml"));
    private static final Set<String> PSEUDO_PARAMETERS = Set.of("AWS::AccountId", "AWS::NotificationARNs",
            "AWS::NoValue", "AWS::Partition", "AWS::Region", "AWS::StackId", "AWS::StackName", "AWS::URLSuffix");
    private static final Pattern SUB_VARIABLE = Pattern.compile("\\$\\{([^!}][^}]*)}");

    /** A reference found in the template: what it names and where. */
    record Reference(String name, String where) {}

    @Test
    void everyRefGetAttAndSubVariableNamesSomethingDefined() {
        List<Reference> references = new ArrayList<>();
        collect(TEMPLATE.root(), "", Set.of(), references);
        assertThat(references).hasSizeGreaterThan(50);
        Set<String> known = knownNames(TEMPLATE);
        List<String> undefined = references.stream()
                .filter(r -> !known.contains(r.name()))
                .map(r -> r.name() + " at " + r.where())
                .toList();
        assertThat(undefined).isEmpty();
    }

    @Test
    void everyConditionUsedIsDeclared() {
        TEMPLATE.resources().forEach((id, resource) -> {
            Object condition = ((Map<?, ?>) resource).get("Condition");
            if (condition != null) {
                assertThat(TEMPLATE.conditions()).as("condition of %s", id).containsKey((String) condition);
            }
        });
    }

    @Test
    void noPolicyAllowsEveryAction() {
        List<String> wildcards = new ArrayList<>();
        findActions(TEMPLATE.root(), "", wildcards);
        assertThat(wildcards).isEmpty();
    }

    @Test
    void anUndefinedReferenceIsFound(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("template.yaml");
        Files.writeString(file, """
                Resources:
                  Bucket:
                    Type: AWS::S3::Bucket
                  Policy:
                    Type: AWS::S3::BucketPolicy
                    Properties:
                      Bucket: !Ref Buckett
                      Arn: !Sub "${Bucket.Arn}/${Missing}/${!Literal}/${AWS::Region}"
                      Other: !GetAtt Nothing.Arn
                """);
        SamTemplate template = SamTemplate.load(file);
        List<Reference> references = new ArrayList<>();
        collect(template.root(), "", Set.of(), references);
        Set<String> known = knownNames(template);
        assertThat(references.stream().filter(r -> !known.contains(r.name())).map(Reference::name))
                .containsExactly("Buckett", "Missing", "Nothing");
    }

    @Test
    void aTemplateThatIsNotYamlIsNamedInTheError(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("template.yaml");
        Files.writeString(file, "Resources: [\n");
        assertThatThrownBy(() -> SamTemplate.load(file))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(file + ": not valid YAML");
    }

    /** Parameters, resources, pseudo parameters, and what SAM generates for its resources. */
    static Set<String> knownNames(SamTemplate template) {
        Set<String> known = new TreeSet<>(PSEUDO_PARAMETERS);
        known.addAll(template.parameters().keySet());
        template.resources().forEach((id, resource) -> {
            known.add(id);
            Object type = ((Map<?, ?>) resource).get("Type");
            if ("AWS::Serverless::Function".equals(type)) {
                known.add(id + "Role");
                known.add(id + ".Alias");
                known.add(id + ".Version");
            } else if ("AWS::Serverless::StateMachine".equals(type)) {
                known.add(id + "Role");
            }
        });
        return known;
    }

    /** Walks the template; {@code local} holds the variables a two-argument Fn::Sub defines. */
    static void collect(Object node, String where, Set<String> local, List<Reference> into) {
        if (node instanceof Map<?, ?> map) {
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                String key = String.valueOf(entry.getKey());
                Object value = entry.getValue();
                String at = where + "/" + key;
                switch (key) {
                    case "Ref" -> into.add(new Reference((String) value, at));
                    case "Fn::GetAtt" -> into.add(new Reference((String) ((List<?>) value).get(0), at));
                    case "Fn::Sub" -> {
                        if (value instanceof String text) {
                            subVariables(text, at, local, into);
                        } else {
                            List<?> args = (List<?>) value;
                            Map<?, ?> variables = (Map<?, ?>) args.get(1);
                            Set<String> defined = new TreeSet<>(local);
                            variables.keySet().forEach(k -> defined.add(String.valueOf(k)));
                            subVariables((String) args.get(0), at, defined, into);
                            collect(variables, at, local, into);
                        }
                    }
                    default -> collect(value, at, local, into);
                }
            }
        } else if (node instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) {
                collect(list.get(i), where + "[" + i + "]", local, into);
            }
        }
    }

    private static void subVariables(String text, String where, Set<String> local, List<Reference> into) {
        Matcher matcher = SUB_VARIABLE.matcher(text);
        while (matcher.find()) {
            String variable = matcher.group(1);
            if (local.contains(variable)) {
                continue;
            }
            // ${Resource.Attribute} is a GetAtt; pseudo parameters contain "::" and no attribute.
            String name = variable.contains("::") ? variable : variable.split("\\.", 2)[0];
            into.add(new Reference(name, where));
        }
    }

    private static void findActions(Object node, String where, List<String> wildcards) {
        if (node instanceof Map<?, ?> map) {
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                String at = where + "/" + entry.getKey();
                if ("Action".equals(entry.getKey())) {
                    Object actions = entry.getValue();
                    List<?> list = actions instanceof List<?> l ? l : List.of(actions);
                    for (Object action : list) {
                        if ("*".equals(action)) {
                            wildcards.add(at);
                        }
                    }
                }
                findActions(entry.getValue(), at, wildcards);
            }
        } else if (node instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) {
                findActions(list.get(i), where + "[" + i + "]", wildcards);
            }
        }
    }
}
