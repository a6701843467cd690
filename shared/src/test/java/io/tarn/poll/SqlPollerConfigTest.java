package io.tarn.poll;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SqlPollerConfigTest {

    private static final String SECRET = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:tarn/azuresql-AbCdEf";

    private static Map<String, String> env() {
        Map<String, String> env = new HashMap<>();
        env.put("AWS_REGION", "eu-west-1");
        env.put("RAW_BUCKET", "tarn-raw-123");
        env.put("STATE_TABLE", "tarn-state");
        env.put("DB_SECRET_ARN", SECRET);
        return env;
    }

    @Test
    void requiredVariablesAloneGiveTheDefaults() {
        SqlPollerConfig config = SqlPollerConfig.fromEnv(env());

        assertThat(config).isEqualTo(new SqlPollerConfig("eu-west-1", "tarn-raw-123", "tarn-state", SECRET,
                Optional.empty(), Duration.ofSeconds(60), Path.of("/tmp/tarn")));
    }

    @Test
    void optionalVariablesAreRead() {
        Map<String, String> env = env();
        env.put("PIPELINE_CONFIG", "/opt/pipeline.yaml");
        env.put("POLL_SAFETY_MARGIN_SECONDS", " 90 ");
        env.put("TMPDIR", "/scratch");

        SqlPollerConfig config = SqlPollerConfig.fromEnv(env);

        assertThat(config.pipelineConfig()).contains("/opt/pipeline.yaml");
        assertThat(config.safetyMargin()).isEqualTo(Duration.ofSeconds(90));
        assertThat(config.tempDir()).isEqualTo(Path.of("/scratch/tarn"));
    }

    @Test
    void pollerSettingsCarryBucketScratchMarginAndLease() {
        PollerSettings settings = SqlPollerConfig.fromEnv(env()).pollerSettings();

        assertThat(settings).isEqualTo(new PollerSettings("tarn-raw-123", Path.of("/tmp/tarn"), Duration.ofSeconds(60),
                PollerSettings.DEFAULT_LEASE));
    }

    @ParameterizedTest
    @ValueSource(strings = {"AWS_REGION", "RAW_BUCKET", "STATE_TABLE", "DB_SECRET_ARN"})
    void missingRequiredVariableFailsNamingIt(String name) {
        Map<String, String> env = env();
        env.remove(name);

        assertThatThrownBy(() -> SqlPollerConfig.fromEnv(env))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Environment variable " + name + " is not set");
    }

    @ParameterizedTest
    @ValueSource(strings = {"AWS_REGION", "RAW_BUCKET", "STATE_TABLE", "DB_SECRET_ARN"})
    void blankRequiredVariableFailsNamingIt(String name) {
        Map<String, String> env = env();
        env.put(name, "  ");

        assertThatThrownBy(() -> SqlPollerConfig.fromEnv(env))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Environment variable " + name + " is not set");
    }

    @ParameterizedTest
    @ValueSource(strings = {"sixty", "-1", "1.5", "60s"})
    void badSafetyMarginFailsNamingTheVariableAndTheValue(String value) {
        Map<String, String> env = env();
        env.put("POLL_SAFETY_MARGIN_SECONDS", value);

        assertThatThrownBy(() -> SqlPollerConfig.fromEnv(env))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Environment variable POLL_SAFETY_MARGIN_SECONDS must be a whole number of seconds, 0 or more, got '"
                        + value + "'");
    }
}
