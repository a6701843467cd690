package io.tarn.etl.trigger;

import static io.tarn.config.Environment.optional;
import static io.tarn.config.Environment.required;
import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Map;

/**
 * The EtlTrigger function's configuration, from its environment (names match template.yaml).
 *
 * @param stateMachineArn the ETL state machine
 * @param window changes that land in one window share one execution, which starts its job once
 *     the window has ended
 * @param settle how long after the window's end the job starts: S3's event times and Step
 *     Functions' clock are not the same clock
 */
public record EtlTriggerConfig(String region, String stateMachineArn, Duration window, Duration settle) {

    /** Set by Lambda itself in every function's environment. */
    public static final String AWS_REGION = "AWS_REGION";
    public static final String STATE_MACHINE_ARN = "STATE_MACHINE_ARN";
    public static final String WINDOW_SECONDS = "TRIGGER_WINDOW_SECONDS";
    public static final String SETTLE_SECONDS = "TRIGGER_SETTLE_SECONDS";

    public static final Duration DEFAULT_WINDOW = Duration.ofSeconds(60);
    public static final Duration DEFAULT_SETTLE = Duration.ofSeconds(10);

    /** Step Functions' Wait truncates timestamps to seconds, so windows are whole seconds. */
    public EtlTriggerConfig {
        requireNonNull(region, "region is null");
        requireNonNull(stateMachineArn, "stateMachineArn is null");
        requireNonNull(window, "window is null");
        requireNonNull(settle, "settle is null");
        if (window.toMillis() < 1000 || window.toMillis() % 1000 != 0 || window.toSeconds() > 86_400) {
            throw new IllegalArgumentException("window must be whole seconds, 1 to 86400, got " + window);
        }
        if (settle.isNegative() || settle.toMillis() % 1000 != 0) {
            throw new IllegalArgumentException("settle must be whole seconds, 0 or more, got " + settle);
        }
    }

    /** Reads the configuration; a missing variable or a bad value fails at once, naming the variable. */
    public static EtlTriggerConfig fromEnv(Map<String, String> env) {
        requireNonNull(env, "env is null");
        return new EtlTriggerConfig(required(env, AWS_REGION), required(env, STATE_MACHINE_ARN),
                seconds(env, WINDOW_SECONDS, DEFAULT_WINDOW, 1), seconds(env, SETTLE_SECONDS, DEFAULT_SETTLE, 0));
    }

    private static Duration seconds(Map<String, String> env, String name, Duration fallback, int min) {
        String text = optional(env, name).orElse(null);
        if (text == null) {
            return fallback;
        }
        try {
            long seconds = Long.parseLong(text.trim());
            if (seconds < min || seconds > 86_400) {
                throw new NumberFormatException();
            }
            return Duration.ofSeconds(seconds);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Environment variable %s must be a whole number of seconds, %d to 86400, got '%s'"
                    .formatted(name, min, text));
        }
    }
}
