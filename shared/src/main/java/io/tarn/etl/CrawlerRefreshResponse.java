package io.tarn.etl;

import static java.util.Objects.requireNonNull;

import java.util.List;

/** Crawler refresh's answer to each action, as the state machine reads it. */
public sealed interface CrawlerRefreshResponse {

    /**
     * {@code check}: the crawler's tables of the run whose schema the catalog has not caught up with.
     *
     * @param changed whether the crawler is worth starting
     * @param tables the crawler's tables whose fingerprint changed or was never recorded, in manifest order
     * @param manifestFound false when the run left no manifest: nothing to compare, so no crawl, and
     *     partition repair falls back to MSCK REPAIR TABLE
     * @param registeredBySchema the run's other tables, in manifest order: no crawler target covers
     *     them, and partition repair registers each with the schema its manifest carries
     */
    record SchemaCheck(boolean changed, List<String> tables, boolean manifestFound, List<String> registeredBySchema)
            implements CrawlerRefreshResponse {
        public SchemaCheck {
            tables = List.copyOf(tables);
            registeredBySchema = List.copyOf(registeredBySchema);
        }
    }

    /** {@code start}: whether this call started a crawl, or found one running (not a failure). */
    record CrawlStart(boolean started, boolean alreadyRunning) implements CrawlerRefreshResponse {}

    /**
     * {@code status}: the crawler's state; when {@code finished}, whether the crawl succeeded (the
     * run's fingerprints are then recorded) or why it did not.
     *
     * @param lastCrawl {@code SUCCEEDED}, {@code FAILED}, {@code CANCELLED} or null before any crawl
     * @param attempt the request's attempt plus one, for the state machine's next poll
     * @param errorMessage why a finished crawl did not succeed, else null
     */
    record CrawlStatus(String state, String lastCrawl, boolean finished, boolean succeeded, int attempt,
            String errorMessage) implements CrawlerRefreshResponse {
        public CrawlStatus {
            requireNonNull(state, "state is null");
        }
    }
}
