package io.tarn.functions.crawlerrefresh;

import io.tarn.aws.AwsSettings;
import io.tarn.aws.AwsWiring;
import io.tarn.embedded.LambdaJar;
import io.tarn.etl.CrawlerRefreshConfig;
import io.tarn.etl.CrawlerRefreshResponse;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Runs in a JVM of its own with only the shaded Lambda jar and this class's folder on the class
 * path (see {@link ShadedJarIT}) and prints one line per check: {@code wiring ok} when AwsWiring
 * builds the service from the function's configuration (no call is made at construction, so an
 * endpoint where nothing listens does), then the handler's response to the event file over a stub
 * service. Exits 3 when a Hadoop, Spark or Parquet class is on the class path.
 */
public final class ShadedJarMain {

    private ShadedJarMain() {}

    public static void main(String[] args) throws Exception {
        LambdaJar.exitIfLoadable(List.of("org.apache.hadoop.conf.Configuration", "org.apache.spark.SparkContext",
                "org.apache.parquet.io.OutputFile", "org.apache.avro.Schema"));
        AwsSettings nowhere = AwsSettings.local(URI.create("http://127.0.0.1:9"), "us-east-1", "test", "test");
        AwsWiring.crawlerRefreshService(CrawlerRefreshConfig.fromEnv(Map.of(
                CrawlerRefreshConfig.AWS_REGION, "us-east-1", CrawlerRefreshConfig.STAGING_BUCKET, "tarn-staging",
                CrawlerRefreshConfig.STATE_TABLE, "tarn-state", CrawlerRefreshConfig.CRAWLER_NAME, "tarn-staging")), nowhere);
        System.out.println("wiring ok");

        CrawlerRefreshHandler handler = new CrawlerRefreshHandler(request -> new CrawlerRefreshResponse.SchemaCheck(
                true, List.of(request.action() + " " + request.runId().orElseThrow())));
        System.out.println(LambdaJar.invoke(handler, Path.of(args[0]), 60_000));
    }
}
