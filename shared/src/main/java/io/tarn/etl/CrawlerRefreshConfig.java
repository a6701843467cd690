package io.tarn.etl;

import static io.tarn.config.Environment.required;
import static java.util.Objects.requireNonNull;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The CrawlerRefresh function's configuration, from its environment (names match template.yaml).
 *
 * @param stagingBucket where the ETL job stores run manifests
 * @param stateTable the DynamoDB state table holding the last crawled schema fingerprints
 * @param crawlerName the Glue crawler over the staging tables
 * @param crawlerTables the tables the crawler's targets cover: only their schema changes start a
 *     crawl. Every other table of a run is registered with its schema by partition repair.
 */
public record CrawlerRefreshConfig(String region, String stagingBucket, String stateTable, String crawlerName,
        List<String> crawlerTables) {

    /** Set by Lambda itself in every function's environment. */
    public static final String AWS_REGION = "AWS_REGION";
    public static final String STAGING_BUCKET = "STAGING_BUCKET";
    public static final String STATE_TABLE = "STATE_TABLE";
    public static final String CRAWLER_NAME = "CRAWLER_NAME";
    /** Comma-separated table names, e.g. {@code account_daily}: the tables under the crawler's S3 targets. */
    public static final String CRAWLER_TABLES = "CRAWLER_TABLES";

    public CrawlerRefreshConfig {
        requireNonNull(region, "region is null");
        requireNonNull(stagingBucket, "stagingBucket is null");
        requireNonNull(stateTable, "stateTable is null");
        requireNonNull(crawlerName, "crawlerName is null");
        crawlerTables = List.copyOf(crawlerTables);
        if (crawlerTables.isEmpty()) {
            throw new IllegalArgumentException("crawlerTables is empty: the crawler covers no table");
        }
    }

    /** Reads the configuration; a missing variable or an empty table name fails at once, naming the variable. */
    public static CrawlerRefreshConfig fromEnv(Map<String, String> env) {
        requireNonNull(env, "env is null");
        String region = required(env, AWS_REGION);
        String stagingBucket = required(env, STAGING_BUCKET);
        String stateTable = required(env, STATE_TABLE);
        String crawlerName = required(env, CRAWLER_NAME);
        String tables = required(env, CRAWLER_TABLES);
        List<String> names = Arrays.stream(tables.split(",", -1)).map(String::trim).toList();
        if (names.stream().anyMatch(String::isEmpty)) {
            throw new IllegalArgumentException("Environment variable " + CRAWLER_TABLES
                    + " must be comma-separated table names, got '" + tables + "'");
        }
        return new CrawlerRefreshConfig(region, stagingBucket, stateTable, crawlerName, names);
    }
}
