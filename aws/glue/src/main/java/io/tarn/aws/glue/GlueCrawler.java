package io.tarn.aws.glue;

import static java.util.Objects.requireNonNull;

import io.tarn.etl.Crawler;
import io.tarn.etl.CrawlerException;
import io.tarn.etl.CrawlerState;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.glue.GlueClient;
import software.amazon.awssdk.services.glue.model.CrawlerRunningException;
import software.amazon.awssdk.services.glue.model.LastCrawlInfo;

/** {@link Crawler} over one Glue crawler: StartCrawler and GetCrawler. */
public final class GlueCrawler implements Crawler {

    /**
     * GetCrawler's {@code LastCrawl.Status} is SUCCEEDED, FAILED or CANCELLED; moto (5.2.1) answers
     * with the crawl-run states of GetCrawls instead (COMPLETED, STOPPED), and Glue's crawl runs also
     * know ERROR. All map to the three outcomes; anything else (moto shows the running crawl as
     * RUNNING) is no outcome yet. Read as text: the SDK's enum has no constant for moto's words.
     */
    private static final Map<String, String> OUTCOMES = Map.of(
            "SUCCEEDED", CrawlerState.SUCCEEDED, "COMPLETED", CrawlerState.SUCCEEDED,
            "FAILED", CrawlerState.FAILED, "ERROR", CrawlerState.FAILED,
            "CANCELLED", CrawlerState.CANCELLED, "STOPPED", CrawlerState.CANCELLED);

    private final GlueClient glue;
    private final String name;

    public GlueCrawler(GlueClient glue, String name) {
        this.glue = requireNonNull(glue, "glue is null");
        this.name = requireNonNull(name, "name is null");
    }

    @Override
    public boolean start() {
        try {
            glue.startCrawler(r -> r.name(name));
            return true;
        } catch (CrawlerRunningException e) {
            // Started by the schedule, a console user or an earlier attempt of ours whose answer
            // was lost: its crawl covers what is in S3 now, so it is waited for like ours.
            return false;
        } catch (SdkException e) {
            throw new CrawlerException("Cannot start Glue crawler " + name, e);
        }
    }

    @Override
    public CrawlerState status() {
        software.amazon.awssdk.services.glue.model.Crawler crawler;
        try {
            crawler = glue.getCrawler(r -> r.name(name)).crawler();
        } catch (SdkException e) {
            throw new CrawlerException("Cannot read Glue crawler " + name, e);
        }
        if (crawler == null || text(crawler.stateAsString()).isEmpty()) {
            throw new CrawlerException("Glue answered GetCrawler of " + name + " without a State", null);
        }
        LastCrawlInfo last = crawler.lastCrawl();
        Optional<String> status = last == null ? Optional.empty() : text(last.statusAsString());
        return new CrawlerState(crawler.stateAsString(), status.map(OUTCOMES::get), startTime(last, status.isPresent()),
                last == null ? Optional.empty() : text(last.errorMessage()));
    }

    /**
     * {@code LastCrawl.StartTime}. Crawler refresh trusts a crawl only if it started after the ETL
     * run finished, so a crawl without its start is an error, not a guess.
     */
    private Optional<Instant> startTime(LastCrawlInfo last, boolean crawled) {
        Instant start = last == null ? null : last.startTime();
        if (start == null && crawled) {
            throw new CrawlerException("Glue answered GetCrawler of " + name + " with a LastCrawl without StartTime", null);
        }
        return Optional.ofNullable(start);
    }

    private static Optional<String> text(String value) {
        return value == null || value.isEmpty() ? Optional.empty() : Optional.of(value);
    }
}
