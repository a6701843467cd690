package io.tarn.local.cli;

import static io.tarn.local.cli.TarnCommandTest.tarn;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tarn.aws.s3.S3ObjectStore;
import io.tarn.functions.rawobject.RawObjectWiring;
import io.tarn.ingest.IngestOutcome;
import io.tarn.ingest.RawObjectConfig;
import io.tarn.ingest.RawObjectRef;
import io.tarn.local.cli.TarnCommandTest.Run;
import io.tarn.local.lake.LakeStatus;
import io.tarn.local.lake.LocalLake;
import io.tarn.local.template.SamTemplate;
import io.tarn.parquet.ParquetSettings;
import io.tarn.pipeline.PipelineConfig;
import io.tarn.pipeline.PipelineLoader;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tarn status} on a lake in a known state: orders converted eight hours ago (its change
 * index entries are timed so) and refreshed, so its current table is stale; events converted now
 * with one document of four quarantined, a spike over the 10% the quarantine alarm allows; accounts
 * converted now without a refused row, a second accounts object not converted yet, and the
 * poller's leases: one held now, one expired and never released.
 */
class TarnStatusTest {

    private static final String PIPELINE = "../pipeline.yaml";
    private static final Duration EIGHT_HOURS = Duration.ofHours(8);

    @TempDir
    Path temp;

    @Test
    void aStaleTableAQuarantineSpikeAndALeaseLeftBehindAreFlaggedAndExitThree() throws IOException {
        Path dir = temp.resolve("lake");
        Instant before = Instant.now();
        PipelineConfig pipeline = PipelineLoader.load(Path.of(PIPELINE));
        try (LocalLake lake = LocalLake.open(dir)) {
            S3ObjectStore store = new S3ObjectStore(lake.s3());
            Clock eightHoursAgo = Clock.offset(Clock.systemUTC(), EIGHT_HOURS.negated());
            convert(lake, pipeline, eightHoursAgo, "dms/shop/orders/LOAD00000001.csv", "../samples/dms/shop/orders/LOAD00000001.csv");
            convert(lake, pipeline, Clock.systemUTC(), "dms/app/events/LOAD00000001.csv", "../samples/dms/app/events/LOAD00000001.csv");
            convert(lake, pipeline, Clock.systemUTC(), "azuresql/dbo/accounts/a.csv", "../samples/azuresql/dbo/accounts/sample-accounts.csv");
            store.put(LocalLake.RAW_BUCKET, "azuresql/dbo/accounts/b.csv",
                    Path.of("../samples/azuresql/dbo/accounts/sample-accounts.csv"), "text/csv");
            Instant now = Instant.now();
            assertThat(lake.watermarks().acquireLease("accounts", "poller-live", now, now.plus(Duration.ofMinutes(10)))).isTrue();
            assertThat(lake.watermarks().acquireLease("invoices", "poller-gone", now.minus(Duration.ofMinutes(30)),
                    now.minus(Duration.ofMinutes(15)))).isTrue();
        }
        Run etl = tarn("etl", "--dir", dir.toString(), "--pipeline", PIPELINE);
        assertThat(etl.exitCode()).as(etl.err()).isZero();

        Run status = tarn("status", "--dir", dir.toString(), "--pipeline", PIPELINE);

        assertThat(status.exitCode()).as(status.err()).isEqualTo(StatusCommand.FLAGGED);
        List<String> lines = status.outLines();
        assertThat(lines.get(0)).startsWith("status at ");
        assertThat(lines).anySatisfy(line -> assertThat(line).matches(
                "  orders +1 +0 +2 +22\\.2% +dms/shop/orders/LOAD00000001\\.csv +\\S+Z"));
        assertThat(lines).anySatisfy(line -> assertThat(line).matches(
                "  events +1 +0 +1 +25\\.0% +dms/app/events/LOAD00000001\\.csv +\\S+Z"));
        assertThat(lines).anySatisfy(line -> assertThat(line).matches(
                "  accounts +1 +1 +0 +0\\.0% +azuresql/dbo/accounts/b\\.csv +\\S+Z"));
        assertThat(lines).anySatisfy(line -> assertThat(line).matches("  invoices +0 +0 +0 +- +- +-"));
        assertThat(lines).anySatisfy(line -> assertThat(line).matches("  orders +8h [0-9]m +\\S+Z +local-\\S+ +\\S+Z"));
        assertThat(lines).anySatisfy(line -> assertThat(line).matches("  events +(\\d+m )?\\d+s +\\S+Z +local-\\S+ +\\S+Z"));
        assertThat(lines).anySatisfy(line -> assertThat(line).matches("  invoices +never refreshed +- +- +-"));
        assertThat(lines).anySatisfy(line -> assertThat(line).matches("  accounts +- +- +poller-live until \\S+Z"));
        assertThat(lines).anySatisfy(line -> assertThat(line).matches("  invoices +- +- +poller-gone until \\S+Z"));
        int flags = lines.indexOf("4 thing(s) an alarm would flag:");
        assertThat(flags).isPositive();
        assertThat(lines.subList(flags + 1, lines.size())).satisfiesExactly(
                flag -> assertThat(flag).matches("  ! orders: stale: the newest change in the current table orders reached"
                        + " staging 8h [0-9]m ago \\(the alarm is after 6h 0m\\)"),
                flag -> assertThat(flag).isEqualTo("  ! events: 25.0% of the rows read in the last hour were quarantined"
                        + " (1 of 4; the alarm is above 10.0%)"),
                flag -> assertThat(flag).isEqualTo("  ! invoices: stale: no ETL run has applied a change to the current"
                        + " table invoices yet"),
                flag -> assertThat(flag).matches("  ! invoices: the poller's lease expired at \\S+Z and is still held by"
                        + " poller-gone: a poll stopped without finishing"));

        Run json = tarn("status", "--dir", dir.toString(), "--pipeline", PIPELINE, "--json");
        assertThat(json.exitCode()).isEqualTo(StatusCommand.FLAGGED);
        JsonNode report = json.json();
        assertThat(report.path("flags")).hasSize(4);
        JsonNode orders = report.path("datasets").get(0);
        assertThat(orders.path("dataset").asText()).isEqualTo("orders");
        assertThat(orders.path("rowsRead").asLong()).isEqualTo(9);
        assertThat(orders.path("rowsQuarantined").asLong()).isEqualTo(2);
        assertThat(orders.path("quarantineRatio").asDouble()).isEqualTo(0.2222);
        // Converted eight hours ago: not in the hour the quarantine alarm compares.
        assertThat(orders.path("lastHour").path("rowsRead").asLong()).isZero();
        assertThat(orders.path("lastHour").path("quarantineRatio").isNull()).isTrue();
        assertThat(orders.path("newestRawObject").path("key").asText()).isEqualTo("dms/shop/orders/LOAD00000001.csv");
        assertThat(Instant.parse(orders.path("newestRawObject").path("landedAt").asText())).isAfter(before.minusSeconds(1));
        assertThat(orders.path("currentTable").path("lagSeconds").asLong())
                .isBetween(EIGHT_HOURS.toSeconds(), EIGHT_HOURS.toSeconds() + 600);
        assertThat(orders.path("currentTable").path("lastRefreshRunId").asText()).startsWith("local-");
        assertThat(orders.has("poller")).isFalse();
        JsonNode events = report.path("datasets").get(1);
        assertThat(events.path("lastHour").path("quarantineRatio").asDouble()).isEqualTo(0.25);
        assertThat(events.path("flags")).hasSize(1);
        JsonNode accounts = report.path("datasets").get(2);
        assertThat(accounts.path("objectsConverted").asInt()).isEqualTo(1);
        assertThat(accounts.path("objectsWaiting").asInt()).isEqualTo(1);
        assertThat(accounts.path("poller").path("lease").path("owner").asText()).isEqualTo("poller-live");
        assertThat(accounts.path("poller").path("watermark").isNull()).isTrue();
        assertThat(accounts.path("flags")).isEmpty();
    }

    @Test
    void aFolderWithoutALakeIsOneLineAndExitOne() {
        Run run = tarn("status", "--dir", temp.resolve("nothing").toString(), "--pipeline", PIPELINE);

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).isEqualTo("tarn: no lake under " + temp.resolve("nothing")
                + " (tarn demo, ingest or up makes one)\n");
        assertThat(temp.resolve("nothing")).doesNotExist();
    }

    @Test
    void theThresholdsAreTheDefaultsOfTheAlarmsParameters() {
        Map<String, Object> parameters = SamTemplate.load(Path.of("../template.yaml")).parameters();
        assertThat(((Number) SamTemplate.cast(parameters.get("QuarantineRatioAlarmThreshold")).get("Default")).doubleValue())
                .isEqualTo(LakeStatus.QUARANTINE_RATIO_THRESHOLD);
        assertThat(((Number) SamTemplate.cast(parameters.get("StalenessAlarmSeconds")).get("Default")).longValue())
                .isEqualTo(LakeStatus.STALE_AFTER.toSeconds());
    }

    /** Puts a file into the raw bucket and converts it with RawObject's service on {@code clock}. */
    private static void convert(LocalLake lake, PipelineConfig pipeline, Clock clock, String key, String file) {
        S3ObjectStore store = new S3ObjectStore(lake.s3());
        store.put(LocalLake.RAW_BUCKET, key, Path.of(file), "text/csv");
        RawObjectConfig config = new RawObjectConfig(lake.s3Server().region(), LocalLake.STAGING_BUCKET,
                LocalLake.STATE_TABLE, LocalLake.GLUE_DATABASE, Optional.empty(), Optional.empty(),
                lake.dir().resolve("tmp"), ParquetSettings.defaults());
        IngestOutcome outcome = RawObjectWiring.service(config, pipeline,
                        new RawObjectWiring.Ports(store, lake.catalog(), lake.ledger()), clock,
                        new PrintStream(PrintStream.nullOutputStream()))
                .process(new RawObjectRef(LocalLake.RAW_BUCKET, key, Optional.empty(), Optional.empty()));
        assertThat(outcome).isInstanceOf(IngestOutcome.Processed.class);
    }
}
