package io.tarn.local.template;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.AbstractConstruct;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * A SAM template as plain maps and lists, with CloudFormation's short-form tags ({@code !Ref},
 * {@code !GetAtt}, {@code !Sub}...) turned into their long form ({@code {"Ref": ...}},
 * {@code {"Fn::GetAtt": [resource, attribute]}}, {@code {"Fn::Sub": ...}}), as CloudFormation
 * itself reads them.
 */
public final class SamTemplate {

    private static final List<String> FUNCTION_TAGS = List.of("Base64", "Cidr", "FindInMap", "GetAtt", "GetAZs",
            "ImportValue", "Join", "Select", "Split", "Sub", "Transform", "And", "Equals", "If", "Not", "Or",
            "ToJsonString", "Length");

    private final Path file;
    private final Map<String, Object> root;

    private SamTemplate(Path file, Map<String, Object> root) {
        this.file = file;
        this.root = root;
    }

    /** @throws IllegalArgumentException naming the file when it is not a readable template */
    public static SamTemplate load(Path file) {
        requireNonNull(file, "file is null");
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            Object document = new Yaml(new CloudFormationConstructor(options)).load(reader);
            if (!(document instanceof Map)) {
                throw new IllegalArgumentException(file + ": a template is a YAML mapping");
            }
            return new SamTemplate(file, cast(document));
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read template " + file + ": " + e.getMessage(), e);
        } catch (YAMLException e) {
            throw new IllegalArgumentException(file + ": not valid YAML: " + e.getMessage(), e);
        }
    }

    public Path file() {
        return file;
    }

    public Map<String, Object> root() {
        return root;
    }

    public Map<String, Object> parameters() {
        return section("Parameters");
    }

    public Map<String, Object> conditions() {
        return section("Conditions");
    }

    /** Resources by logical id. */
    public Map<String, Object> resources() {
        return section("Resources");
    }

    /** The logical ids of the resources of one type, in template order. */
    public List<String> resourcesOfType(String type) {
        List<String> ids = new ArrayList<>();
        resources().forEach((id, resource) -> {
            if (resource instanceof Map<?, ?> map && type.equals(map.get("Type"))) {
                ids.add(id);
            }
        });
        return ids;
    }

    /** A resource's {@code Properties}, or empty when there is no such resource. */
    public Optional<Map<String, Object>> properties(String logicalId) {
        Object resource = resources().get(logicalId);
        if (!(resource instanceof Map<?, ?> map)) {
            return Optional.empty();
        }
        Object properties = map.get("Properties");
        return Optional.of(properties instanceof Map ? cast(properties) : Map.of());
    }

    private Map<String, Object> section(String name) {
        Object section = root.get(name);
        return section instanceof Map ? cast(section) : Map.of();
    }

    /** A YAML mapping of the template as the map it is (the YAML parser's maps have string keys here). */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> cast(Object map) {
        return (Map<String, Object>) map;
    }

    /** SnakeYAML's safe constructor plus CloudFormation's tags. */
    private static final class CloudFormationConstructor extends SafeConstructor {

        CloudFormationConstructor(LoaderOptions options) {
            super(options);
            yamlConstructors.put(new Tag("!Ref"), new Intrinsic("Ref"));
            yamlConstructors.put(new Tag("!Condition"), new Intrinsic("Condition"));
            for (String function : FUNCTION_TAGS) {
                yamlConstructors.put(new Tag("!" + function), new Intrinsic("Fn::" + function));
            }
        }

        private final class Intrinsic extends AbstractConstruct {
            private final String key;

            Intrinsic(String key) {
                this.key = key;
            }

            @Override
            public Object construct(Node node) {
                Object value;
                if (node instanceof ScalarNode scalar) {
                    String text = constructScalar(scalar);
                    // !GetAtt Resource.Attribute is the short form of [Resource, Attribute].
                    value = key.equals("Fn::GetAtt") ? List.of(text.substring(0, Math.max(0, text.indexOf('.'))),
                            text.substring(text.indexOf('.') + 1)) : text;
                } else if (node instanceof SequenceNode sequence) {
                    value = constructSequence(sequence);
                } else {
                    value = constructMapping((MappingNode) node);
                }
                Map<String, Object> intrinsic = new LinkedHashMap<>();
                intrinsic.put(key, value);
                return intrinsic;
            }
        }
    }
}
