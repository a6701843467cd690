package io.tarn.stack;

import static org.assertj.core.api.Assertions.assertThat;

import io.tarn.etl.CrawlerRefreshConfig;
import io.tarn.local.lake.LocalLake;
import io.tarn.local.template.SamTemplate;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The crawler covers exactly the tables crawler refresh is told it covers: StagingCrawler's S3
 * targets are one folder of the staging bucket per table of CrawlerRefreshFunction's
 * CRAWLER_TABLES, so a schema change of one of those tables starts a crawl that looks at it, and
 * no table is crawled whose fingerprints crawler refresh never records.
 */
class CrawlerTargetsContractTest {

    private static final SamTemplate TEMPLATE = SamTemplate.load(Path.of("../template.yaml"));

    @Test
    void theCrawlersS3TargetsAreTheStagingFoldersOfTheCrawlerTables() {
        List<Object> targets = TEMPLATE.properties("StagingCrawler").map(p -> SamTemplate.cast(p.get("Targets")))
                .map(t -> t.get("S3Targets")).map(t -> (List<?>) t).orElseThrow().stream()
                .map(target -> SamTemplate.cast(target).get("Path"))
                .toList();

        assertThat(targets).containsExactlyElementsOf(crawlerTables().stream()
                .map(table -> (Object) Map.of("Fn::Sub", "s3://${StagingBucket}/" + table + "/"))
                .toList());
    }

    @Test
    void theCrawlerTablesAreReadFromTheEnvironmentAndTheLocalLakeUsesTheSame() {
        Map<String, Object> variables = SamTemplate.cast(SamTemplate.cast(
                TEMPLATE.properties("CrawlerRefreshFunction").orElseThrow().get("Environment")).get("Variables"));

        assertThat(variables).containsKey(CrawlerRefreshConfig.CRAWLER_TABLES);
        assertThat(crawlerTables()).isNotEmpty().isEqualTo(LocalLake.CRAWLER_TABLES);
    }

    /** CRAWLER_TABLES as CrawlerRefreshConfig reads it from the template's value. */
    private static List<String> crawlerTables() {
        Map<String, Object> variables = SamTemplate.cast(SamTemplate.cast(
                TEMPLATE.properties("CrawlerRefreshFunction").orElseThrow().get("Environment")).get("Variables"));
        return CrawlerRefreshConfig.fromEnv(Map.of(CrawlerRefreshConfig.AWS_REGION, "us-east-1",
                CrawlerRefreshConfig.STAGING_BUCKET, "b", CrawlerRefreshConfig.STATE_TABLE, "t",
                CrawlerRefreshConfig.CRAWLER_NAME, "c",
                CrawlerRefreshConfig.CRAWLER_TABLES, String.valueOf(variables.get(CrawlerRefreshConfig.CRAWLER_TABLES))))
                .crawlerTables();
    }
}
