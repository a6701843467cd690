package io.tarn.etl;

import static org.assertj.core.api.Assertions.assertThat;

import io.tarn.etl.CrawlerRefreshResponse.CrawlStatus;
import io.tarn.log.JsonLogger;
import io.tarn.state.StateStore;
import io.tarn.storage.ObjectStore;
import java.lang.reflect.Proxy;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * What moto cannot show: a crawl that fails, and a crawler that stays RUNNING, then STOPPING, then
 * READY. Nothing is read from S3 nor recorded unless the crawl succeeded.
 */
class CrawlerRefreshServiceTest {

    private static final CrawlerRefreshConfig CONFIG = new CrawlerRefreshConfig("us-east-1", "staging", "state", "tarn-staging");

    private final List<String> touched = new ArrayList<>();

    private CrawlerRefreshService service(CrawlerState... states) {
        List<CrawlerState> answers = new ArrayList<>(List.of(states));
        Crawler crawler = new Crawler() {
            @Override
            public boolean start() {
                throw new AssertionError("not started here");
            }

            @Override
            public CrawlerState status() {
                return answers.remove(0);
            }
        };
        return new CrawlerRefreshService(recording(ObjectStore.class), recording(StateStore.class), crawler, CONFIG,
                Clock.fixed(Instant.parse("2024-06-01T02:30:00Z"), ZoneOffset.UTC), JsonLogger.silent());
    }

    @Test
    void failedCrawlIsFinishedUnsuccessfulWithTheCrawlersErrorAndRecordsNothing() {
        CrawlStatus status = service(new CrawlerState("READY", Optional.of("FAILED"),
                Optional.of("Insufficient Lake Formation permission(s) on tarn_lake"))).status("etl-1", 4);

        assertThat(status).isEqualTo(new CrawlStatus("READY", "FAILED", true, false, 5,
                "Crawler tarn-staging: last crawl FAILED: Insufficient Lake Formation permission(s) on tarn_lake"));
        assertThat(touched).isEmpty();
    }

    @Test
    void runningThenStoppingIsNotFinished() {
        CrawlerRefreshService service = service(
                new CrawlerState("RUNNING", Optional.of("SUCCEEDED"), Optional.empty()),
                new CrawlerState("STOPPING", Optional.of("SUCCEEDED"), Optional.empty()),
                new CrawlerState("READY", Optional.of("CANCELLED"), Optional.empty()));

        assertThat(service.status("etl-1", 0)).isEqualTo(new CrawlStatus("RUNNING", "SUCCEEDED", false, false, 1, null));
        assertThat(service.status("etl-1", 1)).isEqualTo(new CrawlStatus("STOPPING", "SUCCEEDED", false, false, 2, null));
        assertThat(service.status("etl-1", 2)).isEqualTo(new CrawlStatus("READY", "CANCELLED", true, false, 3,
                "Crawler tarn-staging: last crawl CANCELLED: no error message"));
        assertThat(touched).isEmpty();
    }

    /** A port whose every call is recorded and fails: these paths must not touch it. */
    private <T> T recording(Class<T> port) {
        return port.cast(Proxy.newProxyInstance(port.getClassLoader(), new Class<?>[] {port}, (proxy, method, args) -> {
            touched.add(port.getSimpleName() + "." + method.getName());
            throw new AssertionError(port.getSimpleName() + "." + method.getName() + " called");
        }));
    }
}
