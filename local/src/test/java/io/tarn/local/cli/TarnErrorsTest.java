package io.tarn.local.cli;

import static io.tarn.local.cli.TarnCommandTest.tarn;
import static org.assertj.core.api.Assertions.assertThat;

import io.tarn.local.cli.TarnCommandTest.Run;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Mistakes a person makes get one clear line and a non-zero exit, never a stack trace. */
class TarnErrorsTest {

    @TempDir
    Path temp;

    @Test
    void anUnknownCommandIsNamedAndTheUsageShown() {
        Run run = tarn("frobnicate");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).isEqualTo("tarn: unknown command 'frobnicate'\n" + tarn("--help").out());
    }

    static Stream<Arguments> optionsOfOtherCommands() {
        String file = "../samples/dms/shop/orders/LOAD00000001.csv";
        String event = "../events/s3-put.json";
        return Stream.of(
                Arguments.of("--mode", List.of("demo", "--mode", "backfill")),
                Arguments.of("--tables", List.of("query", "--tables", "x", "SELECT 1")),
                Arguments.of("--event", List.of("sql", "--event", "f", "SELECT 1")),
                Arguments.of("--pipeline", List.of("sql", "--pipeline", "../pipeline.yaml", "SELECT 1")),
                Arguments.of("--port", List.of("ingest", "--dataset", "orders", "--file", file, "--port", "1")),
                Arguments.of("--run-id", List.of("poll", "--run-id", "r1")),
                Arguments.of("--tables", List.of("etl", "--tables", "accounts")),
                Arguments.of("--account", List.of("invoke", "RawObjectFunction", "--event", event, "--account", "acme")),
                Arguments.of("--jdbc-url", List.of("up", "--jdbc-url", "jdbc:h2:mem:x")));
    }

    @ParameterizedTest
    @MethodSource("optionsOfOtherCommands")
    void aCommandRefusesAnOptionItDoesNotReadInOneLineAndShowsItsUsage(String option, List<String> args) {
        Path lake = temp.resolve("lake");
        List<String> all = new ArrayList<>(args);
        all.addAll(List.of("--dir", lake.toString()));

        Run run = tarn(all.toArray(String[]::new));

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).isEqualTo("tarn: unknown option " + option + "\n" + tarn(args.get(0), "--help").out());
        assertThat(lake).doesNotExist();
    }

    @Test
    void anOptionWithoutItsValueIsAUsageError() {
        Run last = tarn("query", "SELECT 1", "--dir");
        Run beforeAnother = tarn("etl", "--run-id", "--dir", temp.resolve("lake").toString());

        assertThat(last.exitCode()).isEqualTo(2);
        assertThat(last.err()).isEqualTo("tarn: option --dir needs a value\n" + tarn("query", "--help").out());
        assertThat(beforeAnother.exitCode()).isEqualTo(2);
        assertThat(beforeAnother.err()).isEqualTo("tarn: option --run-id needs a value\n" + tarn("etl", "--help").out());
        assertThat(temp.resolve("lake")).doesNotExist();
    }

    @Test
    void aPipelineWithAnUnknownTypeIsNamedByFileDatasetAndColumn() throws IOException {
        Path pipeline = pipelineWith("type: \"decimal(12,2)\"", "type: money");

        Run run = tarn("demo", "--dir", temp.resolve("lake").toString(), "--pipeline", pipeline.toString());

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).isEqualTo("tarn: pipeline.yaml: dataset 'orders': columns[4] 'total': type: unknown type 'money'"
                + " (expected string, int, long, double, decimal(p,s), boolean, date or timestamp)\n");
    }

    @Test
    void aPipelineNamingAColumnItDoesNotDeclareIsNamed() throws IOException {
        Path pipeline = pipelineWith("primary_key: [order_id]", "primary_key: [order_no]");

        Run run = tarn("etl", "--dir", temp.resolve("lake").toString(), "--pipeline", pipeline.toString());

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).isEqualTo(
                "tarn: pipeline.yaml: dataset 'orders': primary_key: names column 'order_no', which is not declared in columns\n");
    }

    private Path pipelineWith(String text, String replacement) throws IOException {
        String pipeline = Files.readString(Path.of("../pipeline.yaml"));
        assertThat(pipeline).contains(text);
        return Files.writeString(temp.resolve("pipeline.yaml"), pipeline.replaceFirst(java.util.regex.Pattern.quote(text), replacement));
    }
}
