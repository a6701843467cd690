package io.tarn.local.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/** What several commands do alike. */
final class Commands {

    static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter RUN_ID_TIME =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    private Commands() {}

    /**
     * The one positional argument of {@code command}, described as {@code what}. Taken as a list
     * and counted here, so that a statement split by missing quotes is named as such.
     */
    static String one(CommandSpec command, List<String> arguments, String what) {
        if (arguments.size() != 1) {
            throw new ParameterException(command.commandLine(),
                    command.name() + " takes one " + what + ", got " + arguments.size() + " arguments");
        }
        return arguments.get(0);
    }

    /** A run id from {@code prefix} and the time now, e.g. {@code local-20261201T091612Z}. */
    static String runId(String prefix) {
        return prefix + RUN_ID_TIME.format(Instant.now());
    }

    static void printJson(PrintStream out, JsonNode json) throws IOException {
        out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(json));
    }
}
