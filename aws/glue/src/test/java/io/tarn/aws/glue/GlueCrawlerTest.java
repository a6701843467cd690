package io.tarn.aws.glue;


import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tarn.embedded.MotoServer;
import io.tarn.etl.CrawlerException;
import io.tarn.etl.CrawlerState;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.glue.GlueClient;
import software.amazon.awssdk.services.glue.model.Crawler;
import software.amazon.awssdk.services.glue.model.EntityNotFoundException;
import software.amazon.awssdk.services.glue.model.GetCrawlerRequest;
import software.amazon.awssdk.services.glue.model.GetCrawlerResponse;
import software.amazon.awssdk.services.glue.model.LastCrawlInfo;
import software.amazon.awssdk.services.glue.model.S3Target;
import software.amazon.awssdk.services.glue.model.StartCrawlerRequest;

/**
 * {@link GlueCrawler} on a crawler in moto's Glue over HTTP, whose crawl moves on from RUNNING to
 * COMPLETED only after one ListCrawls (moto's state manager, {@code manual} with {@code times: 1});
 * what moto cannot do (a crawl that FAILED, an answer without a start) on {@link FakeGlue}.
 */
class GlueCrawlerTest {

    private static MotoServer moto;
    private static GlueClient glue;

    private String name;
    private GlueCrawler crawler;

    @BeforeAll
    static void startMoto() {
        moto = MotoServer.shared();
        glue = moto.client(GlueClient.builder());
    }

    @AfterAll
    static void closeClient() {
        glue.close();
    }

    @BeforeEach
    void freshCrawler() {
        name = "tarn-staging-" + UUID.randomUUID().toString().substring(0, 8);
        glue.createCrawler(r -> r.name(name).role("arn:aws:iam::123456789012:role/tarn-crawler")
                .databaseName("tarn_lake").targets(t -> t.s3Targets(S3Target.builder().path("s3://staging/account_daily/").build())));
        moto.setTransition("glue::crawl", "{\"progression\": \"manual\", \"times\": 1}");
        crawler = new GlueCrawler(glue, name);
    }

    @AfterEach
    void defaultTransition() {
        moto.unsetTransition("glue::crawl");
    }

    @Test
    void crawlerThatNeverCrawledIsReadyWithoutALastCrawl() {
        assertThat(crawler.status())
                .isEqualTo(new CrawlerState("READY", Optional.empty(), Optional.empty(), Optional.empty()));
    }

    @Test
    void startedCrawlRunsThenSucceedsWithTheInstantItStarted() {
        Instant before = Instant.now().minusSeconds(1);

        assertThat(crawler.start()).isTrue();

        CrawlerState running = crawler.status();
        assertThat(running.state()).isEqualTo("RUNNING");
        assertThat(running.lastCrawl()).as("moto's RUNNING crawl is no outcome yet").isEmpty();
        glue.listCrawls(r -> r.crawlerName(name));
        CrawlerState finished = crawler.status();
        assertThat(finished.state()).isEqualTo("READY");
        // moto answers the crawl-run status COMPLETED, which GlueCrawler reads as Glue's SUCCEEDED.
        assertThat(finished.lastCrawl()).contains("SUCCEEDED");
        assertThat(finished.lastCrawlStartedAt()).hasValueSatisfying(at -> assertThat(at).isAfter(before))
                .isEqualTo(running.lastCrawlStartedAt());
        assertThat(finished.errorMessage()).isEmpty();
    }

    @Test
    void crawlerAlreadyRunningIsNotAFailure() {
        assertThat(crawler.start()).isTrue();

        assertThat(crawler.start()).as("Glue answers CrawlerRunningException").isFalse();
    }

    @Test
    void unknownCrawlerFailsNamingIt() {
        GlueCrawler missing = new GlueCrawler(glue, "no-such-crawler");

        assertThatThrownBy(missing::status)
                .isInstanceOf(CrawlerException.class)
                .hasMessage("Cannot read Glue crawler no-such-crawler")
                .hasCauseInstanceOf(EntityNotFoundException.class);
        assertThatThrownBy(missing::start)
                .isInstanceOf(CrawlerException.class)
                .hasMessage("Cannot start Glue crawler no-such-crawler")
                .hasCauseInstanceOf(EntityNotFoundException.class);
    }

    @Test
    void failedCrawlCarriesGluesErrorMessage() {
        FakeGlue fake = new FakeGlue(100);
        fake.answer(GetCrawlerResponse.builder().crawler(Crawler.builder().name("tarn-staging").state("READY")
                .lastCrawl(LastCrawlInfo.builder().status("FAILED").startTime(Instant.parse("2024-06-01T02:30:00.794Z"))
                        .errorMessage("Insufficient Lake Formation permission(s) on tarn_lake").build())
                .build()).build());

        assertThat(new GlueCrawler(fake, "tarn-staging").status()).isEqualTo(new CrawlerState("READY",
                Optional.of("FAILED"), Optional.of(Instant.parse("2024-06-01T02:30:00.794Z")),
                Optional.of("Insufficient Lake Formation permission(s) on tarn_lake")));
        assertThat(fake.requests).containsExactly(GetCrawlerRequest.builder().name("tarn-staging").build());
    }

    @Test
    void lastCrawlWithoutStartTimeFailsNamingTheCrawler() {
        FakeGlue fake = new FakeGlue(100);
        fake.answer(GetCrawlerResponse.builder().crawler(Crawler.builder().name("tarn-staging").state("READY")
                .lastCrawl(LastCrawlInfo.builder().status("FAILED").errorMessage("Internal Service Exception").build())
                .build()).build());

        assertThatThrownBy(new GlueCrawler(fake, "tarn-staging")::status)
                .isInstanceOf(CrawlerException.class)
                .hasMessage("Glue answered GetCrawler of tarn-staging with a LastCrawl without StartTime");
    }

    @Test
    void startSendsTheCrawlersName() {
        FakeGlue fake = new FakeGlue(100);

        assertThat(new GlueCrawler(fake, "tarn-staging").start()).isTrue();

        assertThat(fake.requests).containsExactly(StartCrawlerRequest.builder().name("tarn-staging").build());
    }
}
