package io.tarn.aws.glue;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import io.tarn.aws.json.AwsJsonException;
import io.tarn.etl.Crawler;
import io.tarn.etl.CrawlerException;
import io.tarn.etl.CrawlerState;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/** {@link Crawler} over one Glue crawler: StartCrawler and GetCrawler. */
public final class GlueCrawler implements Crawler {

    static final String RUNNING = "CrawlerRunningException";

    /**
     * GetCrawler's {@code LastCrawl.Status} is SUCCEEDED, FAILED or CANCELLED; moto (5.2.1) answers
     * with the crawl-run states of GetCrawls instead (COMPLETED, STOPPED), and Glue's crawl runs also
     * know ERROR. All map to the three outcomes; anything else (moto shows the running crawl as
     * RUNNING) is no outcome yet.
     */
    private static final Map<String, String> OUTCOMES = Map.of(
            "SUCCEEDED", CrawlerState.SUCCEEDED, "COMPLETED", CrawlerState.SUCCEEDED,
            "FAILED", CrawlerState.FAILED, "ERROR", CrawlerState.FAILED,
            "CANCELLED", CrawlerState.CANCELLED, "STOPPED", CrawlerState.CANCELLED);

    private final GlueApi api;
    private final String name;

    public GlueCrawler(GlueApi api, String name) {
        this.api = requireNonNull(api, "api is null");
        this.name = requireNonNull(name, "name is null");
    }

    @Override
    public boolean start() {
        try {
            api.call("StartCrawler", GlueApi.object().put("Name", name));
            return true;
        } catch (AwsJsonException e) {
            if (e.is(RUNNING)) {
                // Started by the schedule, a console user or an earlier attempt of ours whose answer
                // was lost: its crawl covers what is in S3 now, so it is waited for like ours.
                return false;
            }
            throw new CrawlerException("Cannot start Glue crawler " + name, e);
        }
    }

    @Override
    public CrawlerState status() {
        JsonNode crawler;
        try {
            crawler = api.call("GetCrawler", GlueApi.object().put("Name", name)).path("Crawler");
        } catch (AwsJsonException e) {
            throw new CrawlerException("Cannot read Glue crawler " + name, e);
        }
        String state = text(crawler, "State")
                .orElseThrow(() -> new CrawlerException("Glue answered GetCrawler of " + name + " without a State", null));
        JsonNode last = crawler.path("LastCrawl");
        Optional<String> status = text(last, "Status");
        Optional<String> outcome = status.map(OUTCOMES::get);
        return new CrawlerState(state, outcome, startTime(last, status.isPresent()), text(last, "ErrorMessage"));
    }

    /**
     * {@code LastCrawl.StartTime}: a JSON 1.1 timestamp, epoch seconds as a number with a fraction
     * (moto 5.2.1 answers the same shape). Crawler refresh trusts a crawl only if it started after
     * the ETL run finished, so a crawl without its start is an error, not a guess.
     */
    private Optional<Instant> startTime(JsonNode lastCrawl, boolean crawled) {
        JsonNode start = lastCrawl.get("StartTime");
        if (start == null || start.isNull()) {
            if (crawled) {
                throw new CrawlerException(
                        "Glue answered GetCrawler of " + name + " with a LastCrawl without StartTime", null);
            }
            return Optional.empty();
        }
        if (!start.isNumber()) {
            throw new CrawlerException("Glue answered GetCrawler of %s with LastCrawl.StartTime %s, not epoch seconds"
                    .formatted(name, start), null);
        }
        BigDecimal seconds = start.decimalValue();
        return Optional.of(Instant.ofEpochSecond(
                seconds.longValue(), seconds.remainder(BigDecimal.ONE).movePointRight(9).longValue()));
    }

    private static Optional<String> text(JsonNode node, String member) {
        JsonNode value = node.get(member);
        return value == null || value.isNull() || value.asText().isEmpty() ? Optional.empty() : Optional.of(value.asText());
    }
}
