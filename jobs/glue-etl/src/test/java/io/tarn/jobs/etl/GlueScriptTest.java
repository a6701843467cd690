package io.tarn.jobs.etl;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/** The Scala entry script is not compiled here, so what it names must be checked here. */
class GlueScriptTest {

    private static final Path SCRIPT = Path.of("src/main/glue/tarn_etl.scala");

    @Test
    void scriptCallsTheJobsJavaEntryPoint() throws Exception {
        String script = Files.readString(SCRIPT);

        assertThat(script).contains("object GlueApp", "def main(sysArgs: Array[String])", "GlueArgParser.getResolvedOptions",
                "import io.tarn.jobs.etl.{EtlJob, EtlSettings}",
                "EtlJob.run(glueContext.getSparkSession, EtlSettings.parse(tarnArgs, System.getenv()))");
        assertThat(EtlJob.class.getName()).isEqualTo("io.tarn.jobs.etl.EtlJob");
        assertThat(EtlJob.class.getMethod("run", SparkSession.class, EtlSettings.class)).isNotNull();
        assertThat(EtlSettings.class.getMethod("parse", String[].class, Map.class)).isNotNull();
    }

    @Test
    void scriptPassesEveryOptionAsAnArgumentTheJobKnows() throws Exception {
        String script = Files.readString(SCRIPT);

        // Glue option names use '_', the job's arguments '-': run_id becomes --run-id.
        for (String option : new String[] {"mode", "run_id", "pipeline", "staging", "raw", "datasets", "glue_database", "settle_seconds"}) {
            assertThat(script).contains("\"" + option + "\"");
            String argument = "--" + option.replace('_', '-');
            assertThat(EtlSettings.class.getField(argument.substring(2).toUpperCase().replace('-', '_')).get(null))
                    .isEqualTo(argument);
        }
    }
}
