package io.tarn.etl;

import static java.util.Objects.requireNonNull;

import io.tarn.etl.CrawlerRefreshResponse.CrawlStart;
import io.tarn.etl.CrawlerRefreshResponse.CrawlStatus;
import io.tarn.etl.CrawlerRefreshResponse.SchemaCheck;
import io.tarn.log.JsonLogger;
import io.tarn.state.SchemaFingerprints;
import io.tarn.storage.ObjectStore;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Runs the crawler only when an ETL run changed the schema of a table under the crawler's targets
 * ({@link CrawlerRefreshConfig#crawlerTables()}). The state machine calls {@code check} after the
 * Glue job; on a change {@code start}, then {@code status} until the crawl finished. A successful
 * crawl that started after the run finished writing records the fingerprints of the run's
 * crawler tables as seen, so the next {@code check} of the same schemas reports no change; a
 * failed one records nothing, so the next run crawls again.
 */
public final class CrawlerRefreshService {

    private final ObjectStore store;
    private final SchemaFingerprints fingerprints;
    private final Crawler crawler;
    private final CrawlerRefreshConfig config;
    private final Clock clock;
    private final JsonLogger log;

    public CrawlerRefreshService(ObjectStore store, SchemaFingerprints fingerprints, Crawler crawler, CrawlerRefreshConfig config,
            Clock clock, JsonLogger log) {
        this.store = requireNonNull(store, "store is null");
        this.fingerprints = requireNonNull(fingerprints, "fingerprints is null");
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

    /**
     * The run's tables under the crawler's targets whose schema fingerprint differs from the last
     * one crawled, or was never crawled. The run's other tables are left to partition repair,
     * which registers each with the schema its manifest carries: starting the crawler for them
     * would crawl targets that do not cover them. A run without manifest (the job wrote nothing,
     * or failed before finishing) has nothing to compare: no change, and partition repair falls
     * back to MSCK REPAIR TABLE.
     */
    public SchemaCheck check(String runId) {
        Optional<RunManifest> found = RunManifest.load(store, config.stagingBucket(), runId);
        if (found.isEmpty()) {
            log.warn("no run manifest: no schema to check, partition repair falls back to MSCK REPAIR TABLE",
                    Map.of("runId", runId, "manifest", manifestUri(runId)));
            return new SchemaCheck(false, List.of(), false, List.of());
        }
        List<String> changed = new ArrayList<>();
        List<String> registeredBySchema = new ArrayList<>();
        for (RunManifest.TableOutput table : found.get().tables()) {
            if (!config.crawlerTables().contains(table.table())) {
                registeredBySchema.add(table.table());
            } else if (!fingerprints.schemaFingerprint(table.table()).equals(Optional.of(table.schemaFingerprint()))) {
                changed.add(table.table());
            }
        }
        log.info("schema check", Map.of("runId", runId, "tables", found.get().tables().size(), "changed", changed,
                "registeredBySchema", registeredBySchema, "crawlerTables", config.crawlerTables()));
        return new SchemaCheck(!changed.isEmpty(), changed, true, registeredBySchema);
    }

    /** Starts the crawler; one already running is waited for like our own. */
    public CrawlStart start() {
        boolean started = crawler.start();
        log.info(started ? "crawler started" : "crawler already running", Map.of("crawler", config.crawlerName()));
        return new CrawlStart(started, !started);
    }

    /**
     * The crawler's state. A crawler that is {@code READY} again has finished; when its last crawl
     * succeeded, the run's fingerprints are recorded as seen. A finished crawl that started before
     * the run finished writing (one {@code start} found running) may not have seen the run's
     * schemas, so its outcome is not the run's: the crawler is started again and reported not
     * finished, and the state machine keeps waiting, now for a crawl of everything the run wrote.
     */
    public CrawlStatus status(String runId, int attempt) {
        CrawlerState crawl = crawler.status();
        boolean finished = CrawlerState.READY.equals(crawl.state());
        String lastCrawl = crawl.lastCrawl().orElse(null);
        if (finished && lastCrawl != null) {
            RunManifest manifest = manifest(runId);
            Instant runFinished = finishedAt(manifest);
            // Glue always gives a finished crawl its start; without one the crawl cannot be shown to be new.
            if (crawl.lastCrawlStartedAt().map(started -> started.isBefore(runFinished)).orElse(true)) {
                boolean started = crawler.start();
                log.info(started ? "crawl older than the run: crawler started again"
                                : "crawl older than the run: crawler already running again",
                        Map.of("crawler", config.crawlerName(), "runId", runId, "lastCrawl", lastCrawl,
                                "lastCrawlStartedAt", crawl.lastCrawlStartedAt().map(Instant::toString).orElse("unknown"),
                                "runFinishedAt", runFinished.toString()));
                return new CrawlStatus(crawl.state(), lastCrawl, false, false, attempt + 1, null);
            }
            if (CrawlerState.SUCCEEDED.equals(lastCrawl)) {
                Instant now = clock.instant();
                // Only the crawler's tables: the crawl saw nothing of the others.
                List<RunManifest.TableOutput> crawled = manifest.tables().stream()
                        .filter(table -> config.crawlerTables().contains(table.table()))
                        .toList();
                crawled.forEach(table -> fingerprints.recordSchemaFingerprint(table.table(), table.schemaFingerprint(), now));
                log.info("crawl succeeded", Map.of("crawler", config.crawlerName(), "runId", runId,
                        "recorded", crawled.stream().map(RunManifest.TableOutput::table).toList()));
                return new CrawlStatus(crawl.state(), lastCrawl, true, true, attempt + 1, null);
            }
        }
        String error = null;
        if (finished) {
            error = lastCrawl == null
                    ? "Crawler %s is READY but has never crawled".formatted(config.crawlerName())
                    : "Crawler %s: last crawl %s: %s".formatted(config.crawlerName(), lastCrawl,
                            crawl.errorMessage().orElse("no error message"));
            log.error("crawl did not succeed", Map.of("crawler", config.crawlerName(), "runId", runId, "error", error));
        }
        return new CrawlStatus(crawl.state(), lastCrawl, finished, false, attempt + 1, error);
    }

    /** When the run finished writing: a crawl that started before may have missed some of it. */
    private Instant finishedAt(RunManifest manifest) {
        String source = manifestUri(manifest.runId());
        if (manifest.finishedAt() == null) {
            throw new IllegalStateException("Run manifest " + source + " has no finishedAt");
        }
        try {
            return Instant.parse(manifest.finishedAt());
        } catch (DateTimeParseException e) {
            throw new IllegalStateException("Run manifest %s has finishedAt '%s', not an ISO-8601 instant"
                    .formatted(source, manifest.finishedAt()), e);
        }
    }

    private RunManifest manifest(String runId) {
        return RunManifest.load(store, config.stagingBucket(), runId).orElseThrow(() -> new IllegalStateException(
                "No run manifest %s: the ETL run %s wrote none".formatted(manifestUri(runId), runId)));
    }

    private String manifestUri(String runId) {
        return "s3://%s/%s".formatted(config.stagingBucket(), RunManifest.key(runId));
    }

    private static String runId(CrawlerRefreshRequest request) {
        return request.runId().orElseThrow(() -> new IllegalArgumentException(
                "\"runId\" is required for action " + request.action().name().toLowerCase(Locale.ROOT)));
    }
}
