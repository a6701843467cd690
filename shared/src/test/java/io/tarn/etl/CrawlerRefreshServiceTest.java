package io.tarn.etl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tarn.catalog.CatalogColumn;
import io.tarn.etl.CrawlerRefreshResponse.CrawlStatus;
import io.tarn.etl.CrawlerRefreshResponse.SchemaCheck;
import io.tarn.log.JsonLogger;
import io.tarn.state.SchemaFingerprints;
import io.tarn.storage.ObjectNotFoundException;
import io.tarn.storage.ObjectStore;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * What moto cannot show: a crawl that fails, a crawler that stays RUNNING, then STOPPING, then
 * READY, and a crawl that began before the run finished writing (the run's manifest says
 * 02:09:00). Every call to the crawler, S3 and the state table is recorded, in order. The crawler
 * covers orders and customers unless a test says otherwise.
 */
class CrawlerRefreshServiceTest {

    private static final CrawlerRefreshConfig CONFIG =
            new CrawlerRefreshConfig("us-east-1", "staging", "state", "tarn-staging", List.of("orders", "customers"));
    private static final Instant NOW = Instant.parse("2024-06-01T02:30:00Z");
    private static final Instant RUN_FINISHED = Instant.parse("2024-06-01T02:09:00Z");
    private static final Instant AFTER_THE_RUN = Instant.parse("2024-06-01T02:10:30Z");
    private static final Instant BEFORE_THE_RUN_FINISHED = Instant.parse("2024-06-01T02:05:00Z");
    private static final String READ_MANIFEST = "ObjectStore.open(staging, etl-runs/etl-1.json, Optional.empty)";

    private final List<String> calls = new ArrayList<>();
    private final List<CrawlerState> states = new ArrayList<>();
    /** What each StartCrawler answers: false is Glue's CrawlerRunningException. */
    private final List<Boolean> starts = new ArrayList<>();
    private String finishedAt = RUN_FINISHED.toString();
    private boolean manifestWritten = true;
    /** What the state table holds: table -> last crawled fingerprint. */
    private final Map<String, String> fingerprints = new HashMap<>();
    private final ByteArrayOutputStream logs = new ByteArrayOutputStream();

    private CrawlerRefreshService service(CrawlerState... answers) {
        return service(CONFIG, answers);
    }

    private CrawlerRefreshService service(CrawlerRefreshConfig config, CrawlerState... answers) {
        states.addAll(List.of(answers));
        Crawler crawler = new Crawler() {
            @Override
            public boolean start() {
                calls.add("Crawler.start()");
                return starts.remove(0);
            }

            @Override
            public CrawlerState status() {
                calls.add("Crawler.status()");
                return states.remove(0);
            }
        };
        return new CrawlerRefreshService(port(ObjectStore.class), port(SchemaFingerprints.class), crawler, config,
                Clock.fixed(NOW, ZoneOffset.UTC),
                new JsonLogger(new PrintStream(logs, true, StandardCharsets.UTF_8), Clock.fixed(NOW, ZoneOffset.UTC),
                        "crawler-refresh"));
    }

    @Test
    void successfulCrawlThatStartedAfterTheRunFinishedRecordsEveryTablesFingerprint() {
        CrawlStatus status = service(finished("SUCCEEDED", AFTER_THE_RUN)).status("etl-1", 2);

        assertThat(status).isEqualTo(new CrawlStatus("READY", "SUCCEEDED", true, true, 3, null));
        assertThat(calls).containsExactly("Crawler.status()", READ_MANIFEST,
                "SchemaFingerprints.recordSchemaFingerprint(orders, fp-orders-2, 2024-06-01T02:30:00Z)",
                "SchemaFingerprints.recordSchemaFingerprint(customers, fp-customers-1, 2024-06-01T02:30:00Z)");
    }

    @Test
    void checkNamesTheCrawlersTablesWhoseFingerprintChangedOrWasNeverRecorded() {
        fingerprints.put("orders", "fp-orders-1");
        fingerprints.put("customers", "fp-customers-1");

        assertThat(service().check("etl-1")).isEqualTo(new SchemaCheck(true, List.of("orders"), true, List.of()));
        assertThat(calls).containsExactly(READ_MANIFEST, "SchemaFingerprints.schemaFingerprint(orders)",
                "SchemaFingerprints.schemaFingerprint(customers)");
    }

    @Test
    void checkLeavesTablesNoCrawlerTargetCoversToPartitionRepair() {
        // customers changed too, but the crawler does not crawl it: partition repair registers its schema.
        CrawlerRefreshConfig ordersOnly = new CrawlerRefreshConfig("us-east-1", "staging", "state", "tarn-staging",
                List.of("orders"));

        assertThat(service(ordersOnly).check("etl-1"))
                .isEqualTo(new SchemaCheck(true, List.of("orders"), true, List.of("customers")));
        assertThat(calls).containsExactly(READ_MANIFEST, "SchemaFingerprints.schemaFingerprint(orders)");
        assertThat(logLine("schema check").path("registeredBySchema").toString()).isEqualTo("[\"customers\"]");
    }

    @Test
    void checkOfARunWithoutManifestIsNoChangeSoPartitionRepairFallsBackToMsck() {
        manifestWritten = false;

        assertThat(service().check("etl-1")).isEqualTo(new SchemaCheck(false, List.of(), false, List.of()));
        assertThat(calls).containsExactly(READ_MANIFEST);
        JsonNode warning = logLine("no run manifest: no schema to check, partition repair falls back to MSCK REPAIR TABLE");
        assertThat(warning.path("level").asText()).isEqualTo("WARN");
        assertThat(warning.path("manifest").asText()).isEqualTo("s3://staging/etl-runs/etl-1.json");
    }

    @Test
    void successfulCrawlRecordsOnlyTheCrawlersTables() {
        CrawlerRefreshConfig ordersOnly = new CrawlerRefreshConfig("us-east-1", "staging", "state", "tarn-staging",
                List.of("orders"));

        CrawlStatus status = service(ordersOnly, finished("SUCCEEDED", AFTER_THE_RUN)).status("etl-1", 2);

        assertThat(status).isEqualTo(new CrawlStatus("READY", "SUCCEEDED", true, true, 3, null));
        assertThat(calls).containsExactly("Crawler.status()", READ_MANIFEST,
                "SchemaFingerprints.recordSchemaFingerprint(orders, fp-orders-2, 2024-06-01T02:30:00Z)");
    }

    @Test
    void crawlerTablesComeFromTheEnvironmentAsACommaSeparatedList() {
        Map<String, String> env = new HashMap<>(Map.of(CrawlerRefreshConfig.AWS_REGION, "us-east-1",
                CrawlerRefreshConfig.STAGING_BUCKET, "staging", CrawlerRefreshConfig.STATE_TABLE, "state",
                CrawlerRefreshConfig.CRAWLER_NAME, "tarn-staging", CrawlerRefreshConfig.CRAWLER_TABLES,
                "account_daily, orders"));

        assertThat(CrawlerRefreshConfig.fromEnv(env).crawlerTables()).containsExactly("account_daily", "orders");

        env.put(CrawlerRefreshConfig.CRAWLER_TABLES, "account_daily,,orders");
        assertThatThrownBy(() -> CrawlerRefreshConfig.fromEnv(env))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Environment variable CRAWLER_TABLES must be comma-separated table names,"
                        + " got 'account_daily,,orders'");
        env.remove(CrawlerRefreshConfig.CRAWLER_TABLES);
        assertThatThrownBy(() -> CrawlerRefreshConfig.fromEnv(env))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Environment variable CRAWLER_TABLES is not set");
    }

    @Test
    void crawlThatStartedTheInstantTheRunFinishedCounts() {
        CrawlStatus status = service(finished("SUCCEEDED", RUN_FINISHED)).status("etl-1", 2);

        assertThat(status).isEqualTo(new CrawlStatus("READY", "SUCCEEDED", true, true, 3, null));
        assertThat(calls).contains("SchemaFingerprints.recordSchemaFingerprint(orders, fp-orders-2, 2024-06-01T02:30:00Z)")
                .doesNotContain("Crawler.start()");
    }

    @Test
    void successfulCrawlThatStartedBeforeTheRunFinishedStartsTheCrawlerAgainAndRecordsOnlyAfterTheNewCrawl() {
        starts.add(true);
        CrawlerRefreshService service = service(
                finished("SUCCEEDED", BEFORE_THE_RUN_FINISHED),
                new CrawlerState("RUNNING", Optional.of("SUCCEEDED"), Optional.of(BEFORE_THE_RUN_FINISHED), Optional.empty()),
                finished("SUCCEEDED", AFTER_THE_RUN));

        assertThat(service.status("etl-1", 3))
                .as("not finished: the state machine waits again")
                .isEqualTo(new CrawlStatus("READY", "SUCCEEDED", false, false, 4, null));
        assertThat(calls).containsExactly("Crawler.status()", READ_MANIFEST, "Crawler.start()");

        assertThat(service.status("etl-1", 4)).isEqualTo(new CrawlStatus("RUNNING", "SUCCEEDED", false, false, 5, null));
        assertThat(service.status("etl-1", 5)).isEqualTo(new CrawlStatus("READY", "SUCCEEDED", true, true, 6, null));
        assertThat(calls).containsExactly("Crawler.status()", READ_MANIFEST, "Crawler.start()",
                "Crawler.status()",
                "Crawler.status()", READ_MANIFEST,
                "SchemaFingerprints.recordSchemaFingerprint(orders, fp-orders-2, 2024-06-01T02:30:00Z)",
                "SchemaFingerprints.recordSchemaFingerprint(customers, fp-customers-1, 2024-06-01T02:30:00Z)");
    }

    @Test
    void staleCrawlWhileSomeoneElseHasJustStartedTheCrawlerWaitsForThatCrawl() {
        starts.add(false);

        CrawlStatus status = service(finished("SUCCEEDED", BEFORE_THE_RUN_FINISHED)).status("etl-1", 3);

        assertThat(status).isEqualTo(new CrawlStatus("READY", "SUCCEEDED", false, false, 4, null));
        assertThat(calls).containsExactly("Crawler.status()", READ_MANIFEST, "Crawler.start()");
    }

    @Test
    void failedCrawlThatStartedBeforeTheRunFinishedIsNotTheRunsFailure() {
        starts.add(true);

        CrawlStatus status = service(new CrawlerState("READY", Optional.of("FAILED"),
                Optional.of(BEFORE_THE_RUN_FINISHED), Optional.of("Internal Service Exception"))).status("etl-1", 1);

        assertThat(status).isEqualTo(new CrawlStatus("READY", "FAILED", false, false, 2, null));
        assertThat(calls).containsExactly("Crawler.status()", READ_MANIFEST, "Crawler.start()");
    }

    @Test
    void failedCrawlIsFinishedUnsuccessfulWithTheCrawlersErrorAndRecordsNothing() {
        CrawlStatus status = service(new CrawlerState("READY", Optional.of("FAILED"), Optional.of(AFTER_THE_RUN),
                Optional.of("Insufficient Lake Formation permission(s) on tarn_lake"))).status("etl-1", 4);

        assertThat(status).isEqualTo(new CrawlStatus("READY", "FAILED", true, false, 5,
                "Crawler tarn-staging: last crawl FAILED: Insufficient Lake Formation permission(s) on tarn_lake"));
        assertThat(calls).containsExactly("Crawler.status()", READ_MANIFEST);
    }

    @Test
    void runningThenStoppingIsNotFinished() {
        CrawlerRefreshService service = service(
                new CrawlerState("RUNNING", Optional.of("SUCCEEDED"), Optional.of(BEFORE_THE_RUN_FINISHED), Optional.empty()),
                new CrawlerState("STOPPING", Optional.of("SUCCEEDED"), Optional.of(BEFORE_THE_RUN_FINISHED), Optional.empty()),
                finished("CANCELLED", AFTER_THE_RUN));

        assertThat(service.status("etl-1", 0)).isEqualTo(new CrawlStatus("RUNNING", "SUCCEEDED", false, false, 1, null));
        assertThat(service.status("etl-1", 1)).isEqualTo(new CrawlStatus("STOPPING", "SUCCEEDED", false, false, 2, null));
        assertThat(service.status("etl-1", 2)).isEqualTo(new CrawlStatus("READY", "CANCELLED", true, false, 3,
                "Crawler tarn-staging: last crawl CANCELLED: no error message"));
        assertThat(calls).containsExactly("Crawler.status()", "Crawler.status()", "Crawler.status()", READ_MANIFEST);
    }

    @Test
    void manifestWithoutAnInstantInFinishedAtFailsNamingIt() {
        finishedAt = "yesterday";
        CrawlerRefreshService service = service(finished("SUCCEEDED", AFTER_THE_RUN));

        assertThatThrownBy(() -> service.status("etl-1", 0))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("Run manifest s3://staging/etl-runs/etl-1.json has finishedAt 'yesterday', not an ISO-8601 instant");
        assertThat(calls).containsExactly("Crawler.status()", READ_MANIFEST);
    }

    private static CrawlerState finished(String lastCrawl, Instant startedAt) {
        return new CrawlerState("READY", Optional.of(lastCrawl), Optional.of(startedAt), Optional.empty());
    }

    private RunManifest manifest() {
        List<CatalogColumn> accountKey = List.of(new CatalogColumn("account_id", "string"));
        return new RunManifest("etl-1", "join", "2024-06-01T02:00:00Z", finishedAt, List.of(
                new RunManifest.TableOutput("orders", "s3://staging/orders/", "fp-orders-2",
                        List.of(new CatalogColumn("order_id", "bigint")), accountKey, List.of()),
                new RunManifest.TableOutput("customers", "s3://staging/customers/", "fp-customers-1",
                        List.of(new CatalogColumn("name", "string")), accountKey, List.of())));
    }

    /** The log line with this message. */
    private JsonNode logLine(String message) {
        return logs.toString(StandardCharsets.UTF_8).lines().map(line -> {
            try {
                return new ObjectMapper().readTree(line);
            } catch (IOException e) {
                throw new AssertionError("not a JSON log line: " + line, e);
            }
        }).filter(line -> line.path("message").asText().equals(message)).findFirst()
                .orElseThrow(() -> new AssertionError("no log line '" + message + "' in " + logs));
    }

    /**
     * A port whose every call is recorded with its arguments. Only three answer: opening the run's
     * manifest, reading and recording a fingerprint; any other call fails the test.
     */
    private <T> T port(Class<T> type) {
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (proxy, method, args) -> {
            String call = type.getSimpleName() + "." + method.getName() + "("
                    + Arrays.stream(args == null ? new Object[0] : args).map(String::valueOf).collect(Collectors.joining(", "))
                    + ")";
            calls.add(call);
            if (call.equals(READ_MANIFEST)) {
                if (!manifestWritten) {
                    throw new ObjectNotFoundException("staging", "etl-runs/etl-1.json");
                }
                return new ByteArrayInputStream(manifest().toJson());
            }
            if (method.getName().equals("schemaFingerprint")) {
                return Optional.ofNullable(fingerprints.get((String) args[0]));
            }
            if (method.getName().equals("recordSchemaFingerprint")) {
                return null;
            }
            throw new AssertionError(call + " called");
        }));
    }
}
