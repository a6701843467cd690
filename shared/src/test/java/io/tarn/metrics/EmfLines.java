package io.tarn.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** The metrics documents among a component's JSON log lines: what the tests of a service's metrics read. */
public final class EmfLines {

    private static final ObjectMapper JSON = new ObjectMapper();

    private EmfLines() {}

    /** Each line written to {@code logs} that is an EMF document (it has an {@code _aws} member), parsed. */
    public static List<JsonNode> in(ByteArrayOutputStream logs) throws IOException {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : logs.toString(StandardCharsets.UTF_8).lines().toList()) {
            JsonNode json = JSON.readTree(line);
            if (json.has("_aws")) {
                lines.add(json);
            }
        }
        return lines;
    }
}
