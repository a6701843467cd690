package io.tarn.aws.glue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tarn.etl.CrawlerException;
import io.tarn.etl.CrawlerState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** {@link GlueCrawler}'s reading of GetCrawler and StartCrawler answers, on a fake Glue at the HTTP level. */
class GlueCrawlerTest {

    private final FakeGlueHttp glue = new FakeGlueHttp(100);
    private final List<Duration> sleeps = new ArrayList<>();
    private final GlueCrawler crawler = new GlueCrawler(glue.client(sleeps), "tarn-staging");

    @Test
    void lastCrawlsStartIsReadFromEpochSecondsWithAFraction() {
        // The shape moto 5.2.1 answers too: its crawl-run status COMPLETED and StartTime in seconds.
        glue.answer("GetCrawler", """
                {"Crawler": {"Name": "tarn-staging", "State": "READY",
                  "LastCrawl": {"Status": "COMPLETED", "StartTime": 1717209000.794, "LogGroup": "/aws-glue/crawlers"}}}
                """);

        assertThat(crawler.status()).isEqualTo(new CrawlerState("READY", Optional.of("SUCCEEDED"),
                Optional.of(Instant.parse("2024-06-01T02:30:00.794Z")), Optional.empty()));
        assertThat(glue.bodies("GetCrawler")).singleElement().hasToString("{\"Name\":\"tarn-staging\"}");
    }

    @Test
    void crawlerThatNeverCrawledHasNoLastCrawl() {
        glue.answer("GetCrawler", "{\"Crawler\": {\"Name\": \"tarn-staging\", \"State\": \"READY\"}}");

        assertThat(crawler.status())
                .isEqualTo(new CrawlerState("READY", Optional.empty(), Optional.empty(), Optional.empty()));
    }

    @Test
    void lastCrawlWithoutStartTimeFailsNamingTheCrawler() {
        glue.answer("GetCrawler", """
                {"Crawler": {"Name": "tarn-staging", "State": "READY",
                  "LastCrawl": {"Status": "FAILED", "ErrorMessage": "Internal Service Exception"}}}
                """);

        assertThatThrownBy(crawler::status)
                .isInstanceOf(CrawlerException.class)
                .hasMessage("Glue answered GetCrawler of tarn-staging with a LastCrawl without StartTime");
    }

    @Test
    void crawlerAlreadyRunningIsNotAFailure() {
        glue.error(400, "StartCrawler", "CrawlerRunningException", "Crawler with name tarn-staging has already started");

        assertThat(crawler.start()).isFalse();
        assertThat(glue.bodies("StartCrawler")).singleElement().hasToString("{\"Name\":\"tarn-staging\"}");
    }
}
