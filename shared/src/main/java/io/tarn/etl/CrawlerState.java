package io.tarn.etl;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Optional;

/**
 * A crawler's state and its last crawl, in Glue's terms.
 *
 * @param state {@code READY}, {@code RUNNING} or {@code STOPPING}
 * @param lastCrawl {@code SUCCEEDED}, {@code FAILED} or {@code CANCELLED}; empty before the first crawl
 *     and while the first crawl runs
 * @param lastCrawlStartedAt when the last (or the running) crawl started; empty before the first crawl
 * @param errorMessage the last crawl's error, when it failed
 */
public record CrawlerState(String state, Optional<String> lastCrawl, Optional<Instant> lastCrawlStartedAt,
        Optional<String> errorMessage) {

    public static final String READY = "READY";
    public static final String SUCCEEDED = "SUCCEEDED";
    public static final String FAILED = "FAILED";
    public static final String CANCELLED = "CANCELLED";

    public CrawlerState {
        requireNonNull(state, "state is null");
        requireNonNull(lastCrawl, "lastCrawl is null");
        requireNonNull(lastCrawlStartedAt, "lastCrawlStartedAt is null");
        requireNonNull(errorMessage, "errorMessage is null");
    }
}
