package io.tarn.etl;

import static java.util.Objects.requireNonNull;

import io.tarn.etl.CrawlerRefreshResponse.CrawlStart;
import io.tarn.etl.CrawlerRefreshResponse.CrawlStatus;
import io.tarn.etl.CrawlerRefreshResponse.SchemaCheck;
import io.tarn.log.JsonLogger;
import io.tarn.state.StateStore;
import io.tarn.storage.ObjectStore;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Runs the crawler only when an ETL run changed a table's schema. The state machine calls
 * {@code check} after the Glue job; on a change {@code start}, then {@code status} until the crawl
 * finished. A successful crawl records the run's schema fingerprints as seen, so the next
 * {@code check} of the same schemas reports no change; a failed one records nothing, so the next
 * run crawls again.
 */
public final class CrawlerRefreshService {

    private final ObjectStore store;
    private final StateStore state;
    private final Crawler crawler;
    private final CrawlerRefreshConfig config;
    private final Clock clock;
    private final JsonLogger log;

    public CrawlerRefreshService(ObjectStore store, StateStore state, Crawler crawler, CrawlerRefreshConfig config,
            Clock clock, JsonLogger log) {
        this.store = requireNonNull(store, "store is null");
        this.state = requireNonNull(state, "state is null");
        this.crawler = requireNonNull(crawler, "crawler is null");
        this.config = requireNonNull(config, "config is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.log = requireNonNull(log, "log is null");
    }

    public CrawlerRefreshResponse handle(CrawlerRefreshRequest request) {
        requireNonNull(request, "request is null");
        return switch (request.action()) {
            case CHECK -> check(runId(request));
            case START -> start();
            case STATUS -> status(runId(request), request.attempt());
        };
    }

    /** The run's tables whose schema fingerprint differs from the last one crawled, or was never crawled. */
    public SchemaCheck check(String runId) {
        RunManifest manifest = manifest(runId);
        List<String> changed = new ArrayList<>();
        for (RunManifest.TableOutput table : manifest.tables()) {
            Optional<String> seen = state.schemaFingerprint(table.table());
            if (!seen.equals(Optional.of(table.schemaFingerprint()))) {
                changed.add(table.table());
            }
        }
        log.info("schema check", Map.of("runId", runId, "tables", manifest.tables().size(), "changed", changed));
        return new SchemaCheck(!changed.isEmpty(), changed);
    }

    /** Starts the crawler; one already running is waited for like our own. */
    public CrawlStart start() {
        boolean started = crawler.start();
        log.info(started ? "crawler started" : "crawler already running", Map.of("crawler", config.crawlerName()));
        return new CrawlStart(started, !started);
    }

    /**
     * The crawler's state. A crawler that is {@code READY} again has finished; when its last crawl
     * succeeded, the run's fingerprints are recorded as seen.
     */
    public CrawlStatus status(String runId, int attempt) {
        CrawlerState crawl = crawler.status();
        boolean finished = CrawlerState.READY.equals(crawl.state());
        String lastCrawl = crawl.lastCrawl().orElse(null);
        boolean succeeded = finished && CrawlerState.SUCCEEDED.equals(lastCrawl);
        String error = null;
        if (succeeded) {
            Instant now = clock.instant();
            RunManifest manifest = manifest(runId);
            manifest.tables().forEach(table -> state.recordSchemaFingerprint(table.table(), table.schemaFingerprint(), now));
            log.info("crawl succeeded", Map.of("crawler", config.crawlerName(), "runId", runId,
                    "recorded", manifest.tables().stream().map(RunManifest.TableOutput::table).toList()));
        } else if (finished) {
            error = lastCrawl == null
                    ? "Crawler %s is READY but has never crawled".formatted(config.crawlerName())
                    : "Crawler %s: last crawl %s: %s".formatted(config.crawlerName(), lastCrawl,
                            crawl.errorMessage().orElse("no error message"));
            log.error("crawl did not succeed", Map.of("crawler", config.crawlerName(), "runId", runId, "error", error));
        }
        return new CrawlStatus(crawl.state(), lastCrawl, finished, succeeded, attempt + 1, error);
    }

    private RunManifest manifest(String runId) {
        return RunManifest.load(store, config.stagingBucket(), runId).orElseThrow(() -> new IllegalStateException(
                "No run manifest s3://%s/%s: the ETL run %s wrote none".formatted(
                        config.stagingBucket(), RunManifest.key(runId), runId)));
    }

    private static String runId(CrawlerRefreshRequest request) {
        return request.runId().orElseThrow(() -> new IllegalArgumentException(
                "\"runId\" is required for action " + request.action().name().toLowerCase(Locale.ROOT)));
    }
}
