package io.tarn.local.cli;

import static io.tarn.local.cli.TarnCommandTest.tarn;
import static org.assertj.core.api.Assertions.assertThat;

import io.tarn.local.cli.TarnCommandTest.Run;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The usage picocli generates: every command, and each command's options, exactly. */
class TarnHelpTest {

    private static final Pattern COMMAND_LINE = Pattern.compile("^  ([a-z]+) {2,}\\S.*");
    private static final Pattern OPTION_LINE = Pattern.compile("^ {2}(?:-[a-z], | {4})(--[a-z][a-z-]*)\\b.*");

    @Test
    void helpListsEveryCommandAndExitsZero() {
        Run help = tarn("--help");

        assertThat(help.exitCode()).isZero();
        assertThat(help.err()).isEmpty();
        assertThat(help.out()).startsWith("usage: tarn [-h] <command> [options]\n");
        assertThat(commands(help.out()))
                .containsExactly("ingest", "query", "poll", "sql", "demo", "etl", "invoke", "up", "status", "help");
        assertThat(help.out()).contains("  up      keep the local S3 endpoint open on 127.0.0.1:P and run the RawObject function");
        assertThat(tarn("-h")).isEqualTo(help);
        assertThat(tarn("help")).isEqualTo(help);
    }

    @Test
    void withoutACommandTheUsageIsShownWithExitCodeTwo() {
        Run run = tarn();

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.out()).isEqualTo(tarn("--help").out());
        assertThat(run.err()).isEmpty();
    }

    static Stream<Arguments> commandsAndTheirOptions() {
        return Stream.of(
                Arguments.of("ingest", List.of("--dataset", "--file", "--dir", "--pipeline")),
                Arguments.of("query", List.of("--account", "--dir")),
                Arguments.of("poll", List.of("--jdbc-url", "--user", "--password", "--tables", "--snapshot-keys", "--dir",
                        "--pipeline")),
                Arguments.of("sql", List.of("--dir")),
                Arguments.of("demo", List.of("--dir", "--pipeline")),
                Arguments.of("etl", List.of("--mode", "--datasets", "--run-id", "--dir", "--pipeline")),
                Arguments.of("invoke", List.of("--event", "--template", "--dir", "--pipeline")),
                Arguments.of("up", List.of("--port", "--etl-window", "--dir", "--pipeline")),
                Arguments.of("status", List.of("--json", "--dir", "--pipeline")));
    }

    @ParameterizedTest
    @MethodSource("commandsAndTheirOptions")
    void aCommandsHelpListsExactlyTheOptionsItReadsAndExitsZero(String command, List<String> options) {
        Run help = tarn(command, "--help");

        assertThat(help.exitCode()).isZero();
        assertThat(help.err()).isEmpty();
        assertThat(help.out()).startsWith("usage: tarn " + command + " [-h] ");
        List<String> expected = new ArrayList<>(options);
        expected.add("--help");
        assertThat(options(help.out())).containsExactlyElementsOf(expected);
        assertThat(tarn(command, "-h")).isEqualTo(help);
        assertThat(tarn("help", command)).isEqualTo(help);
    }

    /** The commands a help text lists. */
    static List<String> commands(String help) {
        return matches(help, "commands:", COMMAND_LINE);
    }

    /** The long names of the options a help text lists, in order. */
    static List<String> options(String help) {
        return matches(help, "options:", OPTION_LINE);
    }

    /** The first group of each line matching {@code pattern} in the section under {@code heading}. */
    private static List<String> matches(String help, String heading, Pattern pattern) {
        List<String> found = new ArrayList<>();
        boolean inSection = false;
        for (String line : help.lines().toList()) {
            if (line.isEmpty() || !line.startsWith(" ")) {
                inSection = line.equals(heading);
                continue;
            }
            Matcher matcher = pattern.matcher(line);
            if (inSection && matcher.matches()) {
                found.add(matcher.group(1));
            }
        }
        return found;
    }
}
