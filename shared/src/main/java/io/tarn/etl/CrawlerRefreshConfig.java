package io.tarn.etl;

import static io.tarn.config.Environment.required;
import static java.util.Objects.requireNonNull;

import java.util.Map;

/**
 * The CrawlerRefresh function's configuration, from its environment (names match template.yaml).
 *
 * @param stagingBucket where the ETL job stores run manifests
 * @param stateTable the DynamoDB state table holding the last crawled schema fingerprints
 * @param crawlerName the Glue crawler over the staging tables
 */
public record CrawlerRefreshConfig(String region, String stagingBucket, String stateTable, String crawlerName) {

    /** Set by Lambda itself in every function's environment. */
    public static final String AWS_REGION = "AWS_REGION";
    public static final String STAGING_BUCKET = "STAGING_BUCKET";
    public static final String STATE_TABLE = "STATE_TABLE";
    public static final String CRAWLER_NAME = "CRAWLER_NAME";

    public CrawlerRefreshConfig {
        requireNonNull(region, "region is null");
        requireNonNull(stagingBucket, "stagingBucket is null");
        requireNonNull(stateTable, "stateTable is null");
        requireNonNull(crawlerName, "crawlerName is null");
    }

    /** Reads the configuration; a missing variable fails at once, naming it. */
    public static CrawlerRefreshConfig fromEnv(Map<String, String> env) {
        requireNonNull(env, "env is null");
        return new CrawlerRefreshConfig(
                required(env, AWS_REGION), required(env, STAGING_BUCKET), required(env, STATE_TABLE),
                required(env, CRAWLER_NAME));
    }
}
