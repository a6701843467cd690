package io.tarn.log;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintStream;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Structured logs: one JSON object per line, which CloudWatch Logs Insights queries field by
 * field. Lambda sends a function's standard output to its log group.
 */
public final class JsonLogger {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final PrintStream out;
    private final Clock clock;
    private final String component;

    public JsonLogger(PrintStream out, Clock clock, String component) {
        this.out = requireNonNull(out, "out is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.component = requireNonNull(component, "component is null");
    }

    /** A logger that writes nowhere (tests, benchmarks). */
    public static JsonLogger silent() {
        return new JsonLogger(new PrintStream(java.io.OutputStream.nullOutputStream()), Clock.systemUTC(), "silent");
    }

    public void info(String message, Map<String, ?> fields) {
        log("INFO", message, fields);
    }

    public void warn(String message, Map<String, ?> fields) {
        log("WARN", message, fields);
    }

    public void error(String message, Map<String, ?> fields) {
        log("ERROR", message, fields);
    }

    private void log(String level, String message, Map<String, ?> fields) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("timestamp", clock.instant().toString());
        line.put("level", level);
        line.put("component", component);
        line.put("message", message);
        line.putAll(fields);
        try {
            String text = JSON.writeValueAsString(line);
            synchronized (out) {
                out.println(text);
            }
        } catch (JsonProcessingException e) {
            // A field that cannot be serialised must not hide the message itself.
            out.println("{\"level\":\"" + level + "\",\"message\":" + JSON.valueToTree(message) + "}");
        }
    }
}
