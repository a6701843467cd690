package io.tarn.jobs.etl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tarn.aws.AwsSettings;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EtlSettingsTest {

    private static final String[] JOIN = {
        "--mode", "join", "--run-id", "run-42", "--pipeline", "s3://conf/pipeline.yaml", "--staging", "s3://stg"};

    @Test
    void readsAJoinRun() {
        EtlSettings settings = EtlSettings.parse(JOIN, Map.of("AWS_REGION", "eu-west-1"));

        assertThat(settings.mode()).isEqualTo(EtlSettings.Mode.JOIN);
        assertThat(settings.runId()).isEqualTo("run-42");
        assertThat(settings.stagingBucket()).contains("stg");
        assertThat(settings.stagingRoot()).isEqualTo("s3://stg/");
        assertThat(settings.sparkStagingRoot()).isEqualTo("s3://stg/");
        assertThat(settings.aws().region()).isEqualTo("eu-west-1");
        assertThat(settings.aws().endpointOverride()).isEmpty();
    }

    @Test
    void readsALocalBackfill() {
        EtlSettings settings = EtlSettings.parse(new String[] {
            "--mode", "backfill", "--run-id", "b1", "--pipeline", "pipeline.yaml", "--staging", "s3://tarn-staging",
            "--staging-dir", "file:///lake/s3/tarn-staging/", "--raw", "s3://tarn-raw", "--datasets", "orders, events",
            "--s3-endpoint", "http://127.0.0.1:9000", "--region", "us-east-1"}, Map.of());

        assertThat(settings.rawBucket()).contains("tarn-raw");
        assertThat(settings.datasets()).containsExactly("orders", "events");
        assertThat(settings.sparkStagingRoot()).isEqualTo("file:///lake/s3/tarn-staging/");
        assertThat(settings.aws().endpointOverride()).contains(URI.create("http://127.0.0.1:9000"));
    }

    @Test
    void datasetsAllMeansEveryOneAsTheStateMachineSendsIt() {
        String[] args = List.of("--mode", "join", "--run-id", "r", "--pipeline", "p.yaml", "--staging", "file:///tmp/stg/",
                "--datasets", "all").toArray(String[]::new);

        assertThat(EtlSettings.parse(args, Map.of()).datasets()).isEmpty();
    }

    @Test
    void readsTheGlueDatabaseAndTheSettleInterval() {
        String[] args = List.of("--mode", "join", "--run-id", "r", "--pipeline", "p.yaml", "--staging", "file:///tmp/stg/",
                "--glue-database", "tarn_prod", "--settle-seconds", "5").toArray(String[]::new);

        EtlSettings settings = EtlSettings.parse(args, Map.of());
        assertThat(settings.glueDatabase()).contains("tarn_prod");
        assertThat(settings.settle()).isEqualTo(Duration.ofSeconds(5));
        assertThat(parse().settle()).isEqualTo(EtlSettings.DEFAULT_SETTLE);
    }

    @Test
    void readsTheTenantsDatabaseAndTheCompactionLateness() {
        EtlSettings settings = parse("--tenant-glue-database", "tarn_prod_tenants", "--tenant-date-range", "2020-01-01,NOW",
                "--compaction-lateness-days", "3");

        assertThat(settings.tenants()).contains(new io.tarn.catalog.TenantTables("tarn_prod_tenants", "2020-01-01,NOW"));
        assertThat(settings.compactionLateness()).isEqualTo(Duration.ofDays(3));
        assertThat(parse().tenants()).isEmpty();
        assertThat(parse().compactionLateness()).isEqualTo(EtlSettings.DEFAULT_COMPACTION_LATENESS);
        assertThat(parse("--tenant-glue-database", "t").tenants().orElseThrow().dateRange())
                .isEqualTo(io.tarn.catalog.TenantTables.DEFAULT_DATE_RANGE);
        assertThatThrownBy(() -> parse("--tenant-glue-database", "t", "--tenant-date-range", "last year"))
                .hasMessageStartingWith("argument --tenant-date-range: ");
        assertThatThrownBy(() -> parse("--compaction-lateness-days", "-1"))
                .hasMessage("argument --compaction-lateness-days: must be a number of days (0 or more), got '-1'");
    }

    @Test
    void eachBadArgumentIsNamed() {
        assertThatThrownBy(() -> parse("--mode", "merge"))
                .isInstanceOf(EtlArgumentException.class)
                .hasMessage("argument --mode: must be join or backfill, got 'merge'");
        assertThatThrownBy(() -> parse("--run-id", "../x"))
                .hasMessage("argument --run-id: run id '../x' must be 1 to 128 letters, digits, '.', '_' or '-',"
                        + " starting with a letter or digit");
        assertThatThrownBy(() -> parse("--staging", "s3://stg/some/prefix"))
                .hasMessage("argument --staging: must be s3://bucket or file:///dir/, got 's3://stg/some/prefix'");
        assertThatThrownBy(() -> parse("--settle-seconds", "-1"))
                .hasMessage("argument --settle-seconds: must be a number of seconds (0 or more), got '-1'");
        assertThatThrownBy(() -> parse("--s3-endpoint", "localhost:9000"))
                .hasMessage("argument --s3-endpoint: must be an http(s) URL, got 'localhost:9000'");
        assertThatThrownBy(() -> EtlSettings.parse(new String[] {"--mode", "join", "--colour", "blue"}, Map.of()))
                .hasMessageStartingWith("argument --colour: unknown argument (expected one of [--compaction-lateness-days, --datasets,");
        assertThatThrownBy(() -> EtlSettings.parse(new String[] {"--mode", "join", "--run-id"}, Map.of()))
                .hasMessage("argument --run-id: has no value");
        assertThatThrownBy(() -> EtlSettings.parse(new String[] {"--mode", "join"}, Map.of()))
                .hasMessage("argument --run-id: is required");
    }

    @Test
    void backfillNeedsS3StagingAndARawBucket() {
        assertThatThrownBy(() -> parse("--mode", "backfill"))
                .hasMessage("argument --raw: is required for a backfill");
        assertThatThrownBy(() -> parse("--mode", "backfill", "--raw", "file:///raw/"))
                .hasMessage("argument --raw: must be s3://bucket, got 'file:///raw/'");
        assertThatThrownBy(() -> parse("--mode", "backfill", "--raw", "s3://raw", "--staging", "file:///stg/"))
                .hasMessageStartingWith("argument --staging: must be s3://bucket for a backfill");
    }

    @Test
    void unknownJoinAndUnreadablePipelineAreNamed(@TempDir Path dir) throws Exception {
        EtlSettings missing = new EtlSettings(EtlSettings.Mode.JOIN, "r", dir.resolve("nope.yaml").toString(),
                dir.toUri(), Optional.empty(), Optional.empty(), Optional.empty(), List.of(), Optional.empty(), Duration.ZERO, Duration.ZERO,
                AwsSettings.aws("us-east-1"));
        SparkSession spark = TestLake.spark();

        assertThatThrownBy(() -> EtlJob.run(spark, missing, TestLake.catalog(), Clock.systemUTC()))
                .isInstanceOf(EtlArgumentException.class)
                .hasMessageStartingWith("argument --pipeline: cannot read '" + dir.resolve("nope.yaml") + "'");
        EtlSettings unknownJoin = new EtlSettings(EtlSettings.Mode.JOIN, "r", TestLake.PIPELINE.toString(),
                dir.toUri(), Optional.empty(), Optional.empty(), Optional.empty(), List.of("daily"), Optional.empty(), Duration.ZERO, Duration.ZERO,
                AwsSettings.aws("us-east-1"));
        assertThatThrownBy(() -> EtlJob.run(spark, unknownJoin, TestLake.catalog(), Clock.systemUTC()))
                .hasMessage("argument --datasets: names join 'daily', which pipeline.yaml does not declare (joins: [account_daily])");
        assertThat(Files.exists(dir.resolve("etl-runs"))).isFalse();
    }

    /** The join arguments with some replaced or added. */
    private static EtlSettings parse(String... overrides) {
        Map<String, String> args = new java.util.LinkedHashMap<>();
        for (int i = 0; i < JOIN.length; i += 2) {
            args.put(JOIN[i], JOIN[i + 1]);
        }
        for (int i = 0; i < overrides.length; i += 2) {
            args.put(overrides[i], overrides[i + 1]);
        }
        return EtlSettings.parse(args.entrySet().stream().flatMap(e -> Stream.of(e.getKey(), e.getValue()))
                .toArray(String[]::new), Map.of());
    }
}
