package io.tarn.local.cli;

import static io.tarn.local.cli.TarnCommandTest.tarn;
import static org.assertj.core.api.Assertions.assertThat;

import io.tarn.local.cli.TarnCommandTest.Run;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tarn etl}: the ETL state machine on the local lake, after the samples were ingested. */
class TarnEtlTest {

    private static final String PIPELINE = "../pipeline.yaml";
    private static final List<String[]> SAMPLES = List.of(
            new String[] {"orders", "../samples/dms/shop/orders/LOAD00000001.csv"},
            new String[] {"orders", "../samples/dms/shop/orders/20240601-1200000000.csv"},
            new String[] {"events", "../samples/dms/app/events/LOAD00000001.csv"},
            new String[] {"invoices", "../samples/azuresql/dbo/invoices/sample-invoices.csv"},
            new String[] {"accounts", "../samples/azuresql/dbo/accounts/sample-accounts.csv"});

    @TempDir
    Path temp;
    private Path dir;

    @BeforeEach
    void ingestSamples() {
        dir = temp.resolve("lake");
        for (String[] sample : SAMPLES) {
            Run run = tarn("ingest", "--dir", dir.toString(), "--pipeline", PIPELINE, "--dataset", sample[0], "--file", sample[1]);
            assertThat(run.exitCode()).as(run.err()).isZero();
        }
    }

    @Test
    void aJoinRunFollowsTheStateMachineAndItsTableCanBeQueriedAtOnce() {
        Run run = etl("--run-id", "run-1");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.outLines()).containsSubsequence("  ApplyDefaults", "  RunGlueJob", "  CheckSchema", "  SchemaChanged",
                "  StartCrawler", "  WaitForCrawler", "  CrawlerStatus", "  CrawlerFinished", "  RepairPartitions", "  Done",
                "  account_daily: 3 partitions written, 3 newly registered");
        assertThat(query("SELECT account_id, day, orders, revenue, invoiced, events, plan, region FROM account_daily"
                + " ORDER BY account_id, day")).containsExactly(
                "account_id,day,orders,revenue,invoiced,events,plan,region",
                "acme,2024-05-30,2,195.50,0.00,0,enterprise,eu-west-1",
                "acme,2024-05-31,1,10.00,195.50,2,enterprise,eu-west-1",
                "globex,2024-05-31,1,1999.99,2014.99,1,growth,us-east-1",
                "globex,2024-06-01,1,-20.00,0.00,0,growth,us-east-1",
                "initech,2024-05-31,1,42.00,42.00,0,starter,eu-west-2",
                "initech,2024-06-01,1,310.40,0.00,0,starter,eu-west-2");
        Run globex = tarn("query", "--dir", dir.toString(), "--account", "globex", "SELECT DISTINCT account_id FROM account_daily");
        assertThat(globex.outLines()).containsExactly("account_id", "globex");
    }

    @Test
    void aSecondRunWithTheSameSchemaSkipsTheCrawlerAndRegistersNothingNew() {
        assertThat(etl("--run-id", "run-1").exitCode()).isZero();

        Run again = etl("--run-id", "run-2");

        assertThat(again.exitCode()).as(again.err()).isZero();
        // Nothing changed since run-1: the refresh rewrites no account, so the join rewrites none.
        assertThat(again.outLines()).doesNotContain("  StartCrawler")
                .containsSubsequence("  SchemaChanged", "  RepairPartitions", "  Done")
                .contains("  account_daily: 0 partitions written, 0 newly registered");
        assertThat(dir.resolve("s3/tarn-staging/etl-runs/run-2.json")).isRegularFile();
    }

    @Test
    void aBackfillRunConvertsTheRawObjectsOfTheNamedDatasetAndRegistersTheirPartitions() {
        Run run = etl("--mode", "backfill", "--datasets", "orders", "--run-id", "backfill-1");

        assertThat(run.exitCode()).as(run.err()).isZero();
        // The full load and the CDC file landed the same day: one change log partition per account.
        assertThat(run.outLines()).contains("  orders_changes: 3 partitions written, 0 newly registered");
    }

    @Test
    void aModeOtherThanJoinOrBackfillIsRefused() {
        Run run = etl("--mode", "merge");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).startsWith("tarn: --mode takes join or backfill, got 'merge'");
    }

    @Test
    void aRunIdThatCannotNameAnObjectIsRefused() {
        Run run = etl("--run-id", "../x");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).isEqualTo("tarn: run id '../x' must be 1 to 128 letters, digits, '.', '_' or '-',"
                + " starting with a letter or digit\n");
    }

    private Run etl(String... args) {
        String[] all = new String[args.length + 5];
        all[0] = "etl";
        all[1] = "--dir";
        all[2] = dir.toString();
        all[3] = "--pipeline";
        all[4] = PIPELINE;
        System.arraycopy(args, 0, all, 5, args.length);
        return tarn(all);
    }

    private List<String> query(String sql) {
        Run run = tarn("query", "--dir", dir.toString(), sql);
        assertThat(run.exitCode()).as(run.err()).isZero();
        return run.outLines();
    }
}
