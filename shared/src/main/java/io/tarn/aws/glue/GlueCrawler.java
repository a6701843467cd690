package io.tarn.aws.glue;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import io.tarn.aws.json.AwsJsonException;
import io.tarn.etl.Crawler;
import io.tarn.etl.CrawlerException;
import io.tarn.etl.CrawlerState;
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
        Optional<String> outcome = text(last, "Status").map(OUTCOMES::get);
        return new CrawlerState(state, outcome, text(last, "ErrorMessage"));
    }

    private static Optional<String> text(JsonNode node, String member) {
        JsonNode value = node.get(member);
        return value == null || value.isNull() || value.asText().isEmpty() ? Optional.empty() : Optional.of(value.asText());
    }
}
