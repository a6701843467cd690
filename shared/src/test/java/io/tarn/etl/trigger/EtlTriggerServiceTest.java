package io.tarn.etl.trigger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tarn.log.JsonLogger;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class EtlTriggerServiceTest {

    private static final EtlTriggerConfig CONFIG = new EtlTriggerConfig(
            "us-east-1", "arn:aws:states:us-east-1:111122223333:stateMachine:tarn-etl", Duration.ofSeconds(60),
            Duration.ofSeconds(10));

    /** Step Functions as the trigger sees it: names are kept, a second start of a name is refused. */
    private static final class Executions implements EtlExecutions {
        final Map<String, String> started = new LinkedHashMap<>();
        final List<String> attempts = new ArrayList<>();
        Set<String> unavailable = Set.of();

        @Override
        public boolean start(String name, String input) {
            attempts.add(name);
            if (unavailable.contains(name)) {
                throw new EtlTriggerException("Cannot start execution " + name + ": throttled", null);
            }
            return started.putIfAbsent(name, input) == null;
        }
    }

    private final Executions executions = new Executions();
    private final ByteArrayOutputStream logs = new ByteArrayOutputStream();
    private final EtlTriggerService trigger = new EtlTriggerService(executions, CONFIG,
            new JsonLogger(new PrintStream(logs, true, StandardCharsets.UTF_8), Clock.systemUTC(), "etl-trigger"));

    private static StagingChange manifest(String id, String time) {
        return new StagingChange(id, "tarn-staging", "manifests/orders/" + id + ".json", Instant.parse(time));
    }

    @Test
    void changesOfOneWindowStartOneExecutionThatWaitsForTheWindowsEnd() {
        EtlTriggerReport report = trigger.trigger(List.of(
                manifest("m1", "2024-06-01T12:00:00Z"), manifest("m2", "2024-06-01T12:00:59.999Z")), List.of());

        assertThat(executions.started).containsExactly(Map.entry("auto-20240601T120000Z-60s",
                "{\"mode\":\"join\",\"datasets\":\"all\",\"startAfter\":\"2024-06-01T12:01:10Z\"}"));
        assertThat(report.runs()).containsExactly(new EtlTriggerReport.Run(
                "auto-20240601T120000Z-60s", "2024-06-01T12:01:10Z", 2, true, Optional.empty()));
        assertThat(report.failedIds()).isEmpty();
    }

    @Test
    void aBatchSpanningTwoWindowsStartsTheExecutionOfEachInWindowOrder() {
        EtlTriggerReport report = trigger.trigger(List.of(
                manifest("m3", "2024-06-01T12:01:00Z"), manifest("m1", "2024-06-01T12:00:05Z")), List.of());

        assertThat(report.runs()).extracting(EtlTriggerReport.Run::name)
                .containsExactly("auto-20240601T120000Z-60s", "auto-20240601T120100Z-60s");
        assertThat(executions.started.get("auto-20240601T120100Z-60s")).contains("\"startAfter\":\"2024-06-01T12:02:10Z\"");
    }

    @Test
    void aNoticeDeliveredAgainStartsNothingTwice() {
        trigger.trigger(List.of(manifest("m1", "2024-06-01T12:00:05Z")), List.of());

        EtlTriggerReport again = trigger.trigger(List.of(manifest("m1", "2024-06-01T12:00:05Z")), List.of());

        assertThat(executions.started).hasSize(1);
        assertThat(again.runs()).singleElement().satisfies(run -> {
            assertThat(run.started()).isFalse();
            assertThat(run.error()).isEmpty();
        });
        assertThat(again.failedIds()).isEmpty();
    }

    @Test
    void aChangeThatLandsWhileARunIsInProgressGetsARunOfItsOwnThatStartsAfterIt() {
        // The window of 12:00 started its execution; its job runs from 12:01:10. A change landing at
        // 12:01:30 is past that start, so it must belong to an execution whose job starts later.
        trigger.trigger(List.of(manifest("m1", "2024-06-01T12:00:05Z")), List.of());

        trigger.trigger(List.of(manifest("m2", "2024-06-01T12:01:30Z")), List.of());

        assertThat(executions.started).containsOnlyKeys("auto-20240601T120000Z-60s", "auto-20240601T120100Z-60s");
        assertThat(executions.started.get("auto-20240601T120100Z-60s")).contains("\"startAfter\":\"2024-06-01T12:02:10Z\"");
    }

    @Test
    void everyChangeOfAWindowIsReadByItsExecutionsJobWhicheverNoticeArrivesFirst() {
        // The execution's job starts at startAfter; every change of the window landed before it.
        List<StagingChange> window = List.of(manifest("a", "2024-06-01T12:00:00Z"), manifest("b", "2024-06-01T12:00:30Z"),
                manifest("c", "2024-06-01T12:00:59Z"));
        for (StagingChange change : window) {
            EtlTriggerReport report = trigger.trigger(List.of(change), List.of());
            Instant jobStart = Instant.parse(report.runs().get(0).startAfter());
            assertThat(jobStart).isAfter(change.landedAt());
            assertThat(report.runs().get(0).name()).isEqualTo("auto-20240601T120000Z-60s");
        }
        assertThat(executions.attempts).hasSize(3);
        assertThat(executions.started).hasSize(1);
    }

    @Test
    void theWindowsLengthIsPartOfTheNameSoAnotherLengthNeverReusesARunOfAnotherSpan() {
        EtlTriggerService fiveMinutes = new EtlTriggerService(executions, new EtlTriggerConfig(
                CONFIG.region(), CONFIG.stateMachineArn(), Duration.ofMinutes(5), Duration.ZERO), JsonLogger.silent());
        trigger.trigger(List.of(manifest("m1", "2024-06-01T12:00:05Z")), List.of());

        EtlTriggerReport report = fiveMinutes.trigger(List.of(manifest("m2", "2024-06-01T12:03:00Z")), List.of());

        assertThat(report.runs()).singleElement().satisfies(run -> {
            assertThat(run.name()).isEqualTo("auto-20240601T120000Z-300s");
            assertThat(run.startAfter()).isEqualTo("2024-06-01T12:05:00Z");
            assertThat(run.started()).isTrue();
        });
    }

    @Test
    void aWindowWhoseExecutionCannotStartHasItsNoticesDeliveredAgainAndTheOthersGoOn() {
        executions.unavailable = Set.of("auto-20240601T120000Z-60s");

        EtlTriggerReport report = trigger.trigger(List.of(manifest("m1", "2024-06-01T12:00:05Z"),
                manifest("m2", "2024-06-01T12:00:06Z"), manifest("m3", "2024-06-01T12:01:06Z")), List.of());

        assertThat(report.failedIds()).containsExactly("m1", "m2");
        assertThat(report.runs()).extracting(run -> run.error().orElse("ok"))
                .containsExactly("Cannot start execution auto-20240601T120000Z-60s: throttled", "ok");
        assertThat(executions.started).containsOnlyKeys("auto-20240601T120100Z-60s");
        assertThat(logs.toString(StandardCharsets.UTF_8))
                .contains("\"message\":\"ETL execution not started; its notices will be delivered again\"");
    }

    @Test
    void objectsOtherThanManifestsChangeNothingTheEtlReads() {
        EtlTriggerReport report = trigger.trigger(List.of(new StagingChange("q", "tarn-staging",
                "quarantine/orders/x.csv", Instant.parse("2024-06-01T12:00:05Z"))), List.of());

        assertThat(report.ignored()).isEqualTo(1);
        assertThat(report.runs()).isEmpty();
        assertThat(executions.attempts).isEmpty();
    }

    @Test
    void undecodableMessagesAreLoggedWithTheirReason() {
        trigger.trigger(List.of(), List.of("message 7: the body is not an EventBridge event"));

        assertThat(logs.toString(StandardCharsets.UTF_8)).contains("\"level\":\"ERROR\"")
                .contains("\"error\":\"message 7: the body is not an EventBridge event\"");
    }

    @Test
    void configurationComesFromTheEnvironmentWithDefaultsAndNamedErrors() {
        EtlTriggerConfig config = EtlTriggerConfig.fromEnv(Map.of(EtlTriggerConfig.AWS_REGION, "eu-west-1",
                EtlTriggerConfig.STATE_MACHINE_ARN, "arn:sm"));
        assertThat(config.window()).isEqualTo(Duration.ofSeconds(60));
        assertThat(config.settle()).isEqualTo(Duration.ofSeconds(10));

        assertThatThrownBy(() -> EtlTriggerConfig.fromEnv(Map.of(EtlTriggerConfig.AWS_REGION, "eu-west-1")))
                .hasMessage("Environment variable STATE_MACHINE_ARN is not set");
        assertThatThrownBy(() -> EtlTriggerConfig.fromEnv(Map.of(EtlTriggerConfig.AWS_REGION, "eu-west-1",
                EtlTriggerConfig.STATE_MACHINE_ARN, "arn:sm", EtlTriggerConfig.WINDOW_SECONDS, "0")))
                .hasMessage("Environment variable TRIGGER_WINDOW_SECONDS must be a whole number of seconds, 1 to 86400, got '0'");
    }
}
