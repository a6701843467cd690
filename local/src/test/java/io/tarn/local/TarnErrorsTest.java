package io.tarn.local;

import static io.tarn.local.TarnCommandTest.tarn;
import static org.assertj.core.api.Assertions.assertThat;

import io.tarn.local.TarnCommandTest.Run;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
