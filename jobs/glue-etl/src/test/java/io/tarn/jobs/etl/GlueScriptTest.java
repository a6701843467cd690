package io.tarn.jobs.etl;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
        List<String> options = scriptOptions();

        assertThat(options).contains("mode", "run_id", "pipeline", "staging", "raw", "datasets", "glue_database",
                "tenant_glue_database", "tenant_date_range", "settle_seconds", "version_retention_hours",
                "compaction_lateness_days");
        // Glue option names use '_', the job's arguments '-': run_id becomes --run-id.
        for (String option : options) {
            String argument = "--" + option.replace('_', '-');
            assertThat(EtlSettings.class.getField(argument.substring(2).toUpperCase().replace('-', '_')).get(null))
                    .isEqualTo(argument);
        }
    }

    @Test
    void everyArgumentTheTemplateGivesTheJobReachesIt() throws Exception {
        String template = Files.readString(Path.of("../../template.yaml"));
        String job = template.substring(template.indexOf("  EtlJob:\n"));
        String arguments = job.substring(job.indexOf("DefaultArguments:"), job.indexOf("WorkerType:"));
        Matcher names = Pattern.compile("\"--([a-z_-]+)\":").matcher(arguments);
        List<String> given = new ArrayList<>();
        while (names.find()) {
            given.add(names.group(1));
        }
        // Glue's own arguments, read by Glue rather than by the script.
        given.removeAll(List.of("job-language", "class", "extra-jars", "user-jars-first"));

        assertThat(given).contains("glue_database", "tenant_glue_database", "mode");
        assertThat(scriptOptions()).containsAll(given);
    }

    /** The Glue options the script reads: its Required and Optional lists, without Glue's JOB_NAME. */
    private static List<String> scriptOptions() throws Exception {
        String script = Files.readString(SCRIPT);
        List<String> options = new ArrayList<>();
        for (String list : List.of("Required", "Optional")) {
            String seq = script.substring(script.indexOf("private val " + list + " = Seq("));
            seq = seq.substring(0, seq.indexOf(')'));
            Matcher quoted = Pattern.compile("\"([A-Za-z_]+)\"").matcher(seq);
            while (quoted.find()) {
                options.add(quoted.group(1));
            }
        }
        options.remove("JOB_NAME");
        return options;
    }
}
