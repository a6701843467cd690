import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import io.tarn.etl.CrawlerRefreshConfig;
import io.tarn.etl.CrawlerRefreshService;
import io.tarn.functions.crawlerrefresh.CrawlerRefreshHandler;
import java.util.Map;

public final class CrawlerRefreshProbe extends Probe {

    @Override
    RequestStreamHandler handler(String endpoint, Map<String, String> env) throws Exception {
        CrawlerRefreshService service = wired(CrawlerRefreshService.class,
                "io.tarn.functions.crawlerrefresh.CrawlerRefreshWiring", "crawlerRefreshService",
                CrawlerRefreshConfig.fromEnv(env), endpoint);
        return new CrawlerRefreshHandler(service::handle);
    }

    public static void main(String[] args) throws Exception {
        new CrawlerRefreshProbe().run("crawler-refresh", args);
    }
}
