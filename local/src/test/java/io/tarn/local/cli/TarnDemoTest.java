package io.tarn.local.cli;

import static io.tarn.local.cli.TarnCommandTest.tarn;
import static org.assertj.core.api.Assertions.assertThat;

import io.tarn.local.cli.TarnCommandTest.Run;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tarn demo}: the whole lake from an empty folder, then again incrementally. */
class TarnDemoTest {

    private static final String PIPELINE = "../pipeline.yaml";

    @TempDir
    Path temp;

    @Test
    void aDemoFromAnEmptyFolderConvertsEverySourceAndAnswersBothQueries() {
        Path dir = temp.resolve("lake");

        Run run = demo(dir);

        assertThat(run.exitCode()).as(run.err()).isZero();
        // The seeded data: orders are the DMS full load (9 records, 2 refused: a bad decimal and one
        // without an account) and a CDC file (an update, a delete, an insert), 6 account/day
        // partitions between them; events a MongoDB full load of 4 documents, one without an
        // account, and a CDC file deleting one by _id; accounts and invoices 3 rows each in H2,
        // one per account.
        assertThat(run.outLines()).contains(
                "      4 DMS file(s) landed, 0 already there",
                "      accounts   3 row(s) in 1 new object(s)",
                "      invoices   3 row(s) in 1 new object(s)",
                "      dataset        raw objects   new  rows read  written  quarantined  partitions",
                "      orders                   2     2         12       10            2           6",
                "      events                   2     2          5        4            1           2",
                "      accounts                 1     1          3        3            0           3",
                "      invoices                 1     1          3        3            0           3",
                "      account_daily            -     -          -        6            -           3");
        // Order 1002 was updated to delivered; 1004 (globex) deleted; 1003 and 1009 are globex's.
        assertThat(run.out()).contains("""
                order_id,status,total,currency,created_at
                1001,paid,120.50,EUR,2024-05-30 10:15:00.0
                1002,delivered,75.00,EUR,2024-05-30 11:02:13.0
                1006,"gift \"\"express\"\"",10.00,EUR,2024-05-31 23:59:59.0
                """);
        assertThat(run.out()).contains("""
                account_id,day,orders,revenue,invoiced,events,plan,region
                acme,2024-05-30,2,195.50,0.00,0,enterprise,eu-west-1
                acme,2024-05-31,1,10.00,195.50,1,enterprise,eu-west-1
                globex,2024-05-31,1,1999.99,2014.99,1,growth,us-east-1
                globex,2024-06-01,1,-20.00,0.00,0,growth,us-east-1
                """);
        // Every source's deletes: the DMS update and delete, MongoDB's by _id alone, and Azure
        // SQL's hard delete found by the key snapshot.
        assertThat(run.out()).contains("""
                order_id,changes,last_op,now
                1002,2,U,delivered
                1004,2,D,
                """, """
                account_id,event_type
                acme,login
                globex,login
                """);
        assertThat(run.outLines()).contains(
                "      1 row(s) deleted; polling invoices with a key snapshot (snapshot_keys)",
                "      invoices   0 row(s) in 0 new object(s), key snapshot complete: 1 page(s)");
        assertThat(run.out()).contains("""
                invoice_id,account_id,amount
                9001,acme,195.50
                9002,globex,2014.99

                  tarn status --dir %s
                status at """.formatted(dir));
        // Then tarn status: every table fresh, but the samples' refused rows are more than the 10%
        // of the rows read that the quarantine alarms allow.
        assertThat(run.outLines()).anySatisfy(line -> assertThat(line).matches("  orders +(\\d+m )?\\d+s +\\S+Z +demo-\\S+ +\\S+Z"));
        assertThat(run.out()).endsWith("""
                2 thing(s) an alarm would flag:
                  ! orders: 16.7% of the rows read in the last hour were quarantined (2 of 12; the alarm is above 10.0%)
                  ! events: 20.0% of the rows read in the last hour were quarantined (1 of 5; the alarm is above 10.0%)
                """);
        Run log = tarn("query", "--dir", dir.toString(),
                "SELECT invoice_id, _op, _source_key LIKE 'key-snapshots/invoices/%' AS by_snapshot FROM invoices_changes"
                        + " WHERE _op = 'D'");
        assertThat(log.outLines()).containsExactly("invoice_id,_op,by_snapshot", "9003,D,true");
    }

    @Test
    void aSecondRunIsIncrementalAndASourceChangeArrivesWithTheNextPoll() throws IOException {
        Path dir = temp.resolve("lake");
        assertThat(demo(dir).exitCode()).isZero();
        Map<String, Long> converted = files(dir.resolve("s3/tarn-staging"));

        Run again = demo(dir);

        assertThat(again.exitCode()).as(again.err()).isZero();
        assertThat(again.outLines()).contains(
                "      0 DMS file(s) landed, 4 already there",
                "      accounts   0 row(s) in 0 new object(s)",
                "      nothing new: every raw object was converted before",
                "      orders                   2     0         12       10            2           6");
        // Nothing converted again: the staging objects of the datasets are the same files.
        assertThat(files(dir.resolve("s3/tarn-staging"))).containsAllEntriesOf(converted);

        Run update = tarn("sql", "--dir", dir.toString(), "UPDATE dbo.accounts SET plan = 'scale' WHERE account_id = 'globex'");
        assertThat(update.outLines()).containsExactly("1 row affected");
        Run poll = tarn("poll", "--dir", dir.toString(), "--pipeline", PIPELINE, "--tables", "accounts");
        assertThat(poll.exitCode()).as(poll.err()).isZero();
        // The change is in the change log at once; the current table has it after the next ETL run.
        Run changes = tarn("query", "--dir", dir.toString(), """
                SELECT plan FROM accounts_changes WHERE account_id = 'globex'
                ORDER BY _ingested_at DESC, _source_key DESC, _source_line DESC LIMIT 1""");
        assertThat(changes.outLines()).containsExactly("plan", "scale");
        assertThat(tarn("query", "--dir", dir.toString(), "SELECT plan FROM accounts WHERE account_id = 'globex'").outLines())
                .containsExactly("plan", "growth");
        assertThat(tarn("etl", "--dir", dir.toString(), "--pipeline", PIPELINE).exitCode()).isZero();
        assertThat(tarn("query", "--dir", dir.toString(), "SELECT plan FROM accounts WHERE account_id = 'globex'").outLines())
                .containsExactly("plan", "scale");
    }

    private static Run demo(Path dir) {
        return tarn("demo", "--dir", dir.toString(), "--pipeline", PIPELINE);
    }

    /** The staging objects of the datasets (not the joined tables, which every ETL run rewrites), with their sizes. */
    private static Map<String, Long> files(Path root) throws IOException {
        Map<String, Long> files = new TreeMap<>();
        try (Stream<Path> paths = Files.walk(root)) {
            paths.filter(Files::isRegularFile)
                    .filter(p -> !root.relativize(p).toString().startsWith("account_daily")
                            && !root.relativize(p).toString().startsWith("etl-runs")
                            // the refresh's own state: the forced key snapshot of each run is recorded there
                            && !root.relativize(p).toString().startsWith("refresh"))
                    .forEach(p -> {
                        try {
                            files.put(root.relativize(p).toString(), Files.getLastModifiedTime(p).toMillis());
                        } catch (IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    });
        }
        return files;
    }
}
