package io.tarn.functions.crawlerrefresh;

import io.tarn.aws.AwsSettings;
import io.tarn.embedded.LambdaJar;
import io.tarn.embedded.MotoServer;
import io.tarn.etl.CrawlerRefreshConfig;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Runs in a JVM of its own with only the shaded Lambda jar and this class's folder on the class
 * path (see {@link ShadedJarIT}), against the moto server the IT reaches through a recording
 * proxy, and makes every call the function makes through its production wiring: check (S3,
 * DynamoDB), start (StartCrawler), start again while the crawl runs (StartCrawler answered with
 * CrawlerRunningException), status while it runs (GetCrawler), status once moto lets the crawl
 * finish (GetCrawler, the fingerprints recorded in DynamoDB), and check again. Prints the
 * handler's answer to each, one per line, then whether every DynamoDB, Glue and S3 class in the jar loads
 * ({@link LambdaJar#loadSdkClasses}). Exits 3 when a Hadoop, Spark or Parquet class is on the class
 * path.
 *
 * <p>Arguments: the endpoint, the staging bucket, the state table, the crawler, and the check,
 * start and status event files.
 */
public final class ShadedJarMain {

    private ShadedJarMain() {}

    public static void main(String[] args) throws Exception {
        LambdaJar.exitIfLoadable(LambdaJar.HADOOP_AND_SPARK_CLASSES, LambdaJar.PARQUET_WRITING_CLASSES);
        PrintStream answers = LambdaJar.answers();
        URI endpoint = URI.create(args[0]);
        AwsSettings moto = AwsSettings.local(endpoint, "us-east-1", "test", "test");
        CrawlerRefreshHandler handler = new CrawlerRefreshHandler(CrawlerRefreshWiring.aws(
                CrawlerRefreshConfig.fromEnv(Map.of(
                        CrawlerRefreshConfig.AWS_REGION, "us-east-1", CrawlerRefreshConfig.STAGING_BUCKET, args[1],
                        CrawlerRefreshConfig.STATE_TABLE, args[2], CrawlerRefreshConfig.CRAWLER_NAME, args[3],
                        CrawlerRefreshConfig.CRAWLER_TABLES, "account_daily")), moto)::handle);
        Path check = Path.of(args[4]);
        Path start = Path.of(args[5]);
        Path status = Path.of(args[6]);

        answers.println(LambdaJar.invoke(handler, check, 60_000));
        answers.println(LambdaJar.invoke(handler, start, 60_000));
        answers.println(LambdaJar.invoke(handler, start, 60_000));
        answers.println(LambdaJar.invoke(handler, status, 60_000));
        // moto ends a crawl only when ListCrawls reads it, a call the function never makes: told to
        // end it on the next read instead, it shows the crawl finished to the next GetCrawler.
        MotoServer.setTransition(endpoint, "glue::crawl", "{\"progression\": \"immediate\"}");
        answers.println(LambdaJar.invoke(handler, status, 60_000));
        answers.println(LambdaJar.invoke(handler, check, 60_000));

        // Every class of the stripped SDK modules loads: what was stripped is never needed.
        LambdaJar.sdkClassesLoad(CrawlerRefreshHandler.class, List.of("dynamodb", "glue", "s3"))
                .forEach(answers::println);
    }

}
