package io.tarn.local.cli;

import static io.tarn.local.cli.TarnCommandTest.tarn;
import static org.assertj.core.api.Assertions.assertThat;

import io.tarn.local.cli.TarnCommandTest.Run;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every command the README shows works: each {@code ./tarn} line of its code blocks runs, in
 * order, on one lake; {@code ./mvnw verify} is what CI runs; the deploy commands ({@code aws},
 * {@code sam}) need an AWS account and are the only others allowed.
 */
class ReadmeCommandsTest {

    private static final Path ROOT = Path.of("..");
    /** Commands that take pipeline.yaml: the tests run in local/, so they are pointed at the repository's. */
    private static final Set<String> TAKE_PIPELINE = Set.of("ingest", "poll", "etl", "demo");
    /** Covered by their own tests: {@code up} blocks until Ctrl-C (LocalUpTest). */
    private static final Set<String> NOT_RUN_HERE = Set.of("up");

    @TempDir
    Path temp;

    @Test
    void everyTarnCommandInTheReadmeRunsInTheOrderShown() throws IOException {
        List<List<String>> commands = new ArrayList<>();
        for (String line : codeLines()) {
            if (line.startsWith("./tarn ")) {
                commands.add(words(line.substring("./tarn ".length())));
            }
        }
        assertThat(commands).extracting(c -> c.get(0)).contains("demo", "query", "sql", "poll", "etl", "ingest");
        Path dir = temp.resolve("lake");
        for (List<String> command : commands) {
            if (NOT_RUN_HERE.contains(command.get(0))) {
                continue;
            }
            List<String> args = new ArrayList<>();
            args.add(command.get(0));
            args.add("--dir");
            args.add(dir.toString());
            if (TAKE_PIPELINE.contains(command.get(0))) {
                args.add("--pipeline");
                args.add(ROOT.resolve("pipeline.yaml").toString());
            }
            for (String word : command.subList(1, command.size())) {
                args.add(word.startsWith("samples/") || word.startsWith("events/") ? ROOT.resolve(word).toString() : word);
            }
            Run run = tarn(args.toArray(String[]::new));
            assertThat(run.exitCode()).as("./tarn %s%n%s", String.join(" ", command), run.err()).isZero();
        }
    }

    @Test
    void everyOtherCommandIsTheTestSuiteOrADeployStep() throws IOException {
        String ci = Files.readString(ROOT.resolve(".ci/run"));
        for (String line : codeLines()) {
            if (line.startsWith("./tarn ")) {
                continue;
            }
            if (line.startsWith("./mvnw ")) {
                assertThat(line).isIn("./mvnw verify", "./mvnw package -DskipTests");
                assertThat(ci).contains("./mvnw -B -ntp verify");
            } else {
                assertThat(line).as("a README command that no test runs").matches("(aws|sam) .*|--.*");
            }
        }
    }

    /**
     * The README's table of local commands shows every command of {@code ./tarn --help}, each with
     * exactly the options its generated help lists.
     */
    @Test
    void theCommandTableShowsEveryCommandWithTheOptionsOfItsHelp() throws IOException {
        Map<String, List<String>> table = new LinkedHashMap<>();
        Matcher option = Pattern.compile("--[a-z][a-z-]*").matcher("");
        for (String line : Files.readAllLines(ROOT.resolve("README.md"))) {
            if (line.startsWith("| `./tarn ")) {
                String synopsis = line.substring("| `./tarn ".length(), line.indexOf('`', "| `./tarn ".length()));
                List<String> options = new ArrayList<>();
                option.reset(synopsis);
                while (option.find()) {
                    options.add(option.group());
                }
                table.put(synopsis.split(" ")[0], options);
            }
        }

        List<String> commands = new ArrayList<>(TarnHelpTest.commands(tarn("--help").out()));
        commands.remove("help");
        assertThat(table.keySet()).containsExactlyInAnyOrderElementsOf(commands);
        for (String command : commands) {
            List<String> help = new ArrayList<>(TarnHelpTest.options(tarn(command, "--help").out()));
            help.remove("--help");
            assertThat(table.get(command)).as("./tarn %s in the README", command).containsExactlyInAnyOrderElementsOf(help);
        }
    }

    /** The command lines of the README's unlabelled code blocks (shell), continuations joined. */
    private static List<String> codeLines() throws IOException {
        List<String> lines = new ArrayList<>();
        boolean inBlock = false;
        boolean commands = false;
        StringBuilder pending = new StringBuilder();
        for (String line : Files.readAllLines(ROOT.resolve("README.md"))) {
            String trimmed = line.strip();
            if (trimmed.startsWith("```")) {
                // A block with a language (```text) is not commands; a bare one is.
                inBlock = !inBlock;
                commands = inBlock && trimmed.equals("```");
                continue;
            }
            if (!commands || trimmed.isEmpty() || trimmed.startsWith("#")) {
                continue;
            }
            if (trimmed.endsWith("\\")) {
                pending.append(trimmed, 0, trimmed.length() - 1).append(' ');
                continue;
            }
            lines.add(pending + trimmed);
            pending.setLength(0);
        }
        return lines;
    }

    /** Splits a command line as a POSIX shell would for the quoting the README uses. */
    private static List<String> words(String line) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        char quote = 0;
        boolean inWord = false;
        for (char c : line.toCharArray()) {
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else {
                    word.append(c);
                }
            } else if (c == '"' || c == '\'') {
                quote = c;
                inWord = true;
            } else if (Character.isWhitespace(c)) {
                if (inWord) {
                    words.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                }
            } else {
                word.append(c);
                inWord = true;
            }
        }
        if (inWord) {
            words.add(word.toString());
        }
        return words;
    }
}
