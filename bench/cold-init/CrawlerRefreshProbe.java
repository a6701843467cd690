import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import io.tarn.aws.AwsSettings;
import io.tarn.functions.crawlerrefresh.CrawlerRefreshWiring;
import io.tarn.etl.CrawlerRefreshConfig;
import io.tarn.functions.crawlerrefresh.CrawlerRefreshHandler;
import java.net.URI;
import java.util.Map;

public final class CrawlerRefreshProbe extends Probe {

    @Override
    RequestStreamHandler handler(String endpoint, Map<String, String> env) {
        AwsSettings moto = AwsSettings.local(URI.create(endpoint), "us-east-1", "test", "test");
        return new CrawlerRefreshHandler(CrawlerRefreshWiring.aws(CrawlerRefreshConfig.fromEnv(env), moto)::handle);
    }

    public static void main(String[] args) throws Exception {
        new CrawlerRefreshProbe().run("crawler-refresh", args);
    }
}
