package io.tarn.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tarn.etl.CrawlerRefreshConfig;
import io.tarn.etl.PartitionRepairConfig;
import io.tarn.etl.trigger.EtlTriggerConfig;
import io.tarn.functions.sqlpoller.SqlPollerEvents;
import io.tarn.ingest.RawObjectConfig;
import io.tarn.local.template.SamTemplate;
import io.tarn.poll.PollRequest;
import io.tarn.poll.SqlPollerConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Every function of template.yaml points at a module the build makes, names a handler class of
 * that module, and sets every environment variable its configuration reads.
 */
class TemplateFunctionsTest {

    private static final Path ROOT = Path.of("..");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SamTemplate TEMPLATE = SamTemplate.load(ROOT.resolve("template.yaml"));
    private static final Pattern CODE_URI = Pattern.compile("functions/([a-z-]+)/target/(tarn-[a-z-]+)-(.+)-lambda\\.jar");
    /** Set by the Lambda runtime in every function. */
    private static final Set<String> RUNTIME_VARIABLES = Set.of("AWS_REGION");

    /** How each function reads its configuration; a function added to the template needs a line here. */
    private static final Map<String, Function<Map<String, String>, ?>> CONFIGURATION = Map.of(
            "RawObjectFunction", RawObjectConfig::fromEnv,
            "SqlPollerFunction", SqlPollerConfig::fromEnv,
            "CrawlerRefreshFunction", CrawlerRefreshConfig::fromEnv,
            "PartitionRepairFunction", PartitionRepairConfig::fromEnv,
            "EtlTriggerFunction", EtlTriggerConfig::fromEnv);

    @Test
    void everyFunctionIsKnownHere() {
        assertThat(TEMPLATE.resourcesOfType("AWS::Serverless::Function"))
                .containsExactlyInAnyOrderElementsOf(CONFIGURATION.keySet());
    }

    @Test
    void everyCodeUriIsTheLambdaJarTheModuleBuilds() throws IOException {
        String version = projectVersion();
        for (String function : TEMPLATE.resourcesOfType("AWS::Serverless::Function")) {
            String codeUri = (String) TEMPLATE.properties(function).orElseThrow().get("CodeUri");
            Matcher matcher = CODE_URI.matcher(codeUri);
            assertThat(matcher.matches()).as("CodeUri of %s: %s", function, codeUri).isTrue();
            Path module = ROOT.resolve("functions").resolve(matcher.group(1));
            String pom = Files.readString(module.resolve("pom.xml"));
            assertThat(pom).as("artifactId of %s", module).contains("<artifactId>" + matcher.group(2) + "</artifactId>");
            assertThat(matcher.group(3)).as("version in the CodeUri of %s", function).isEqualTo(version);
        }
    }

    @Test
    void everyHandlerIsALambdaHandlerClassOfItsModule() throws Exception {
        for (String function : TEMPLATE.resourcesOfType("AWS::Serverless::Function")) {
            Map<String, Object> properties = TEMPLATE.properties(function).orElseThrow();
            String handler = (String) properties.get("Handler");
            assertThat(handler).as("Handler of %s", function).endsWith("::handleRequest");
            String className = handler.substring(0, handler.indexOf("::"));
            Class<?> type = Class.forName(className);
            assertThat(RequestStreamHandler.class.isAssignableFrom(type) || RequestHandler.class.isAssignableFrom(type))
                    .as("%s implements a Lambda handler interface", className).isTrue();
            // Lambda builds the handler with its no-argument constructor.
            assertThat(type.getConstructor()).isNotNull();
            Matcher module = CODE_URI.matcher((String) properties.get("CodeUri"));
            assertThat(module.matches()).isTrue();
            Path source = ROOT.resolve("functions").resolve(module.group(1))
                    .resolve("src/main/java").resolve(className.replace('.', '/') + ".java");
            assertThat(source).as("source of %s's handler", function).isRegularFile();
        }
    }

    @Test
    void everyEnvironmentVariableAFunctionReadsIsSetForIt() {
        for (String function : TEMPLATE.resourcesOfType("AWS::Serverless::Function")) {
            Map<String, String> template = environment(function);
            RecordingEnvironment env = new RecordingEnvironment(template);
            RUNTIME_VARIABLES.forEach(name -> env.put(name, "eu-west-1"));
            CONFIGURATION.get(function).apply(env);
            Set<String> unset = new TreeSet<>(env.read);
            unset.removeAll(template.keySet());
            unset.removeAll(RUNTIME_VARIABLES);
            assertThat(unset).as("variables %s reads that the template does not set", function).isEmpty();
        }
    }

    @Test
    void whatTheSchedulesSendIsWhatTheirTargetsRead() throws Exception {
        Map<?, ?> poll = (Map<?, ?>) ((Map<?, ?>) ((Map<?, ?>) TEMPLATE.properties("SqlPollerFunction").orElseThrow()
                .get("Events")).get("Poll")).get("Properties");
        assertThat(SqlPollerEvents.decode(((String) poll.get("Input")).getBytes(StandardCharsets.UTF_8)))
                .isEqualTo(PollRequest.all());

        Map<?, ?> etl = (Map<?, ?>) ((Map<?, ?>) ((Map<?, ?>) TEMPLATE.properties("EtlStateMachine").orElseThrow()
                .get("Events")).get("Schedule")).get("Properties");
        assertThat(JSON.readTree((String) etl.get("Input")))
                .isEqualTo(JSON.readTree(Files.readString(ROOT.resolve("events/etl-schedule.json"))));
    }

    @Test
    void theGlueJobReadsTheFilesTheBuildPutsInItsArtifactFolder() throws IOException {
        Map<String, Object> job = TEMPLATE.properties("EtlJob").orElseThrow();
        Map<?, ?> arguments = (Map<?, ?>) job.get("DefaultArguments");
        String script = (String) ((Map<?, ?>) ((Map<?, ?>) job.get("Command")).get("ScriptLocation")).get("Fn::Sub");
        String jar = (String) ((Map<?, ?>) arguments.get("--extra-jars")).get("Fn::Sub");
        String pipeline = (String) ((Map<?, ?>) arguments.get("--pipeline")).get("Fn::Sub");
        String prefix = "s3://${ArtifactBucket}/${ArtifactPrefix}";
        assertThat(List.of(script, jar, pipeline)).allSatisfy(location -> assertThat(location).startsWith(prefix));

        Path module = ROOT.resolve("jobs/glue-etl");
        assertThat(module.resolve("src/main/glue").resolve(script.substring(prefix.length()))).isRegularFile();
        assertThat(Files.readString(module.resolve("pom.xml")))
                .contains("<outputFile>${project.build.directory}/glue/" + jar.substring(prefix.length()) + "</outputFile>")
                .contains("<include>" + pipeline.substring(prefix.length()) + "</include>");
        // GlueArgParser's names: the script reads --run_id, which the state machine sends.
        assertThat(Files.readString(module.resolve("src/main/glue").resolve(script.substring(prefix.length()))))
                .contains("\"run_id\"");
        assertThat(arguments.get("--user-jars-first")).isEqualTo("true");
    }

    @Test
    void aConfigurationReadingAnUnsetVariableIsCaught() {
        RecordingEnvironment env = new RecordingEnvironment(Map.of("AWS_REGION", "eu-west-1"));
        assertThatThrownBy(() -> CrawlerRefreshConfig.fromEnv(env)).isInstanceOf(IllegalArgumentException.class);
        assertThat(env.read).contains("STAGING_BUCKET");
    }

    /** A function's variables, Globals first; intrinsic values become a placeholder string. */
    private static Map<String, String> environment(String function) {
        Map<String, String> variables = new LinkedHashMap<>();
        if (TEMPLATE.root().get("Globals") instanceof Map<?, ?> globals && globals.get("Function") instanceof Map<?, ?> functions) {
            addVariables(functions.get("Environment"), variables);
        }
        addVariables(TEMPLATE.properties(function).orElseThrow().get("Environment"), variables);
        return variables;
    }

    private static void addVariables(Object environment, Map<String, String> into) {
        if (environment instanceof Map<?, ?> map && map.get("Variables") instanceof Map<?, ?> variables) {
            // A value made by an intrinsic function is known only at deploy time: a parameter's default
            // stands for a !Ref to it, any text for the rest.
            variables.forEach((name, value) -> into.put((String) name, value instanceof String s ? s : deployed(value)));
        }
    }

    private static String deployed(Object value) {
        if (value instanceof Map<?, ?> ref && ref.get("Ref") instanceof String name
                && TEMPLATE.root().get("Parameters") instanceof Map<?, ?> parameters
                && parameters.get(name) instanceof Map<?, ?> parameter && parameter.get("Default") != null
                && !String.valueOf(parameter.get("Default")).isBlank()) {
            return String.valueOf(parameter.get("Default"));
        }
        return "deployed-value";
    }

    private static String projectVersion() throws IOException {
        String pom = Files.readString(ROOT.resolve("pom.xml"));
        Matcher matcher = Pattern.compile("<artifactId>tarn-parent</artifactId>\\s*<version>([^<]+)</version>").matcher(pom);
        assertThat(matcher.find()).isTrue();
        return matcher.group(1);
    }

    /** The environment, remembering every name the code asks for. */
    private static final class RecordingEnvironment extends HashMap<String, String> {
        final Set<String> read = new TreeSet<>();

        RecordingEnvironment(Map<String, String> values) {
            super(values);
        }

        @Override
        public String get(Object key) {
            read.add((String) key);
            return super.get(key);
        }

        @Override
        public String getOrDefault(Object key, String defaultValue) {
            read.add((String) key);
            return super.getOrDefault(key, defaultValue);
        }

        @Override
        public boolean containsKey(Object key) {
            read.add((String) key);
            return super.containsKey(key);
        }
    }
}
