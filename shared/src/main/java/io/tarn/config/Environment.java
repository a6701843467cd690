package io.tarn.config;

import java.util.Map;
import java.util.Optional;

/** Reading a function's configuration from its environment variables, failing fast with the name. */
public final class Environment {

    private Environment() {}

    /** The variable's value; a missing or blank one fails naming the variable. */
    public static String required(Map<String, String> env, String name) {
        String value = env.get(name);
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("Environment variable " + name + " is not set");
        }
        return value;
    }

    /** The variable's value, if set and not blank. */
    public static Optional<String> optional(Map<String, String> env, String name) {
        return Optional.ofNullable(env.get(name)).filter(value -> !value.isBlank());
    }
}
