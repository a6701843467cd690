package io.tarn.local.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tarn.local.cli.Tarn;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code tarn} command, in-process, on a lake under a temporary folder. */
class TarnCommandTest {

    private static final String PIPELINE = "../pipeline.yaml";
    private static final Path ORDERS_FULL_LOAD = Path.of("../samples/dms/shop/orders/LOAD00000001.csv");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path temp;

    /** What one run of the command left behind. */
    record Run(int exitCode, String out, String err) {

        List<String> outLines() {
            return out.lines().toList();
        }

        JsonNode json() throws IOException {
            return JSON.readTree(out);
        }
    }

    @Test
    void ingestOfTheOrdersFullLoadWritesSevenRowsInFivePartitionsAndQuarantinesTwo() throws IOException {
        Path dir = temp.resolve("lake");

        Run run = ingest(dir, "orders", ORDERS_FULL_LOAD);

        assertThat(run.exitCode()).as(run.err()).isZero();
        JsonNode result = run.json();
        assertThat(result.get("status").asText()).isEqualTo("processed");
        assertThat(result.get("source").asText()).isEqualTo("s3://tarn-raw/dms/shop/orders/LOAD00000001.csv");
        assertThat(result.get("rowsRead").asLong()).isEqualTo(9);
        assertThat(result.get("rowsWritten").asLong()).isEqualTo(7);
        assertThat(result.get("rowsQuarantined").asLong()).isEqualTo(2);
        Path staging = dir.resolve("s3/tarn-staging");
        // The change log: one partition per account, in the day the object landed.
        String landed = landedDay(staging, result);
        assertThat(texts(result.get("partitions"))).containsExactly(
                "acme/" + landed, "globex/" + landed, "initech/" + landed);

        String quarantineKey = result.get("quarantineKey").asText();
        assertThat(quarantineKey).matches("quarantine/orders/[0-9a-f]{32}\\.csv");
        assertThat(staging.resolve(quarantineKey)).isRegularFile();
        assertThat(Files.readAllLines(staging.resolve(quarantineKey))).hasSize(3)
                .element(0).isEqualTo("source_key,line,reason,raw_record");
        assertThat(texts(result.get("outputKeys"))).hasSize(3)
                .allSatisfy(key -> assertThat(staging.resolve(key)).isRegularFile());
        assertThat(staging.resolve(result.get("manifestKey").asText())).isRegularFile();
        assertThat(dir.resolve("s3/tarn-raw/dms/shop/orders/LOAD00000001.csv")).hasSameBinaryContentAs(ORDERS_FULL_LOAD);
    }

    @Test
    void ingestOfTheSameFileAgainIsAlreadyProcessedWithTheSameCountsAndRewritesNothing() throws IOException {
        Path dir = temp.resolve("lake");
        JsonNode first = ingest(dir, "orders", ORDERS_FULL_LOAD).json();
        Map<String, Long> stagingBefore = files(dir.resolve("s3/tarn-staging"));

        Run again = ingest(dir, "orders", ORDERS_FULL_LOAD);

        assertThat(again.exitCode()).as(again.err()).isZero();
        JsonNode result = again.json();
        assertThat(result.get("status").asText()).isEqualTo("already-processed");
        assertThat(result.get("source").asText()).isEqualTo("s3://tarn-raw/dms/shop/orders/LOAD00000001.csv");
        assertThat(result.get("rowsRead").asLong()).isEqualTo(9);
        assertThat(result.get("rowsWritten").asLong()).isEqualTo(7);
        assertThat(result.get("rowsQuarantined").asLong()).isEqualTo(2);
        assertThat(result.get("manifestKey").asText()).isEqualTo(first.get("manifestKey").asText());
        assertThat(files(dir.resolve("s3/tarn-staging"))).isEqualTo(stagingBefore);
    }

    @Test
    void queryPrintsTheResultAsCsvWithAHeader() {
        Path dir = temp.resolve("lake");
        ingest(dir, "orders", ORDERS_FULL_LOAD);

        Run run = tarn("query", "--dir", dir.toString(),
                "SELECT order_id, account_id, strftime(created_at, '%Y-%m-%d') AS day, status, total FROM orders_changes ORDER BY order_id");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.outLines()).containsExactly(
                "order_id,account_id,day,status,total",
                "1001,acme,2024-05-30,paid,120.50",
                "1002,acme,2024-05-30,shipped,75.00",
                "1003,globex,2024-05-31,paid,1999.99",
                "1004,globex,2024-05-31,\"pending, awaiting stock\",15.25",
                "1005,initech,2024-05-31,paid,42.00",
                "1006,acme,2024-05-31,\"gift \"\"express\"\"\",10.00",
                "1009,globex,2024-06-01,refunded,-20.00");
        assertThat(run.err()).isEmpty();
    }

    @Test
    void queryForOneAccountSeesOnlyThatAccountsRows() {
        Path dir = temp.resolve("lake");
        ingest(dir, "orders", ORDERS_FULL_LOAD);

        Run run = tarn("query", "--dir", dir.toString(), "--account", "acme",
                "SELECT order_id, account_id FROM orders_changes ORDER BY order_id");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.outLines()).containsExactly("order_id,account_id", "1001,acme", "1002,acme", "1006,acme");
    }

    @Test
    void queryForOneAccountCannotReadAnotherAccountsFilesByPath() throws IOException {
        Path dir = temp.resolve("lake");
        ingest(dir, "orders", ORDERS_FULL_LOAD);
        Path globexFile = files(dir.resolve("s3/tarn-staging")).keySet().stream()
                .filter(key -> key.startsWith("orders_changes/account_id=globex/"))
                .map(key -> dir.resolve("s3/tarn-staging").resolve(key).toAbsolutePath())
                .findFirst().orElseThrow();

        Run run = tarn("query", "--dir", dir.toString(), "--account", "acme",
                "SELECT count(*) FROM read_parquet('" + globexFile + "')");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.out()).isEmpty();
        assertThat(run.err().lines()).singleElement().asString().isEqualTo(
                "tarn: query failed: Permission Error: Cannot access file \"" + globexFile
                        + "\" - file system operations are disabled by configuration");

        Path everyOrdersFile = dir.resolve("s3/tarn-staging/orders_changes").toAbsolutePath().resolve("*/*/*.parquet");
        Run glob = tarn("query", "--dir", dir.toString(), "--account", "acme",
                "SELECT count(*) FROM read_parquet('" + everyOrdersFile + "')");

        assertThat(glob.exitCode()).isEqualTo(1);
        assertThat(glob.out()).isEmpty();
        assertThat(glob.err().lines()).singleElement().asString().startsWith("tarn: query failed: Permission Error: ");
    }

    @Test
    void ingestOfAnUnknownDatasetFailsNamingTheKnownOnes() {
        Run run = ingest(temp.resolve("lake"), "nope", ORDERS_FULL_LOAD);

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).isEqualTo(
                "tarn: unknown dataset 'nope' (pipeline.yaml has: orders, events, accounts, invoices)\n");
    }

    @Test
    void ingestOfAMissingFileFailsNamingIt() {
        Path missing = temp.resolve("no-such.csv");

        Run run = ingest(temp.resolve("lake"), "orders", missing);

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).isEqualTo("tarn: cannot read file " + missing + "\n");
        assertThat(temp.resolve("lake")).doesNotExist();
    }

    @Test
    void unknownCommandIsAUsageErrorWithExitCodeTwo() {
        Run run = tarn("frobnicate", "--dir", temp.toString());

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).isEqualTo("tarn: unknown command 'frobnicate'\n" + tarn("--help").out());
    }

    @Test
    void missingOptionIsAUsageErrorWithExitCodeTwo() {
        Run run = tarn("ingest", "--dir", temp.toString(), "--file", ORDERS_FULL_LOAD.toString());

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).isEqualTo("tarn: missing --dataset\n" + tarn("ingest", "--help").out());
    }

    @Test
    void hostileAccountIdsStayInsideTheirOwnEscapedPartitionAndAreQueryableByAccount() throws IOException {
        Path dir = temp.resolve("lake");
        Path csv = temp.resolve("input/LOAD00000002.csv");
        Files.createDirectories(csv.getParent());
        Files.writeString(csv, String.join("\n",
                "I,2024-06-01 09:00:00.000000,2001,../x,1,paid,1.00,EUR,2024-06-01 10:00:00,\\N",
                "I,2024-06-01 09:00:00.000000,2002,a/b,2,paid,2.00,EUR,2024-06-01 10:00:00,\\N",
                "I,2024-06-01 09:00:00.000000,2003,%2F,3,paid,3.00,EUR,2024-06-01 10:00:00,\\N",
                "I,2024-06-01 09:00:00.000000,2004,..,4,paid,4.00,EUR,2024-06-01 10:00:00,\\N",
                "I,2024-06-01 09:00:00.000000,2005,acme,5,paid,5.00,EUR,2024-06-01 10:00:00,\\N",
                ""), StandardCharsets.UTF_8);

        Run run = ingest(dir, "orders", csv);

        assertThat(run.exitCode()).as(run.err()).isZero();
        JsonNode result = run.json();
        assertThat(result.get("rowsWritten").asLong()).isEqualTo(5);
        assertThat(result.get("rowsQuarantined").asLong()).isZero();
        // Every object the run wrote is a plain file inside its bucket's folder, and every staging
        // row file sits in the escaped partition folder of its own account.
        List<String> written = new ArrayList<>(files(dir.resolve("s3")).keySet());
        String landed = landedDay(dir.resolve("s3/tarn-staging"), result);
        assertThat(written).filteredOn(key -> key.endsWith(".parquet"))
                .allMatch(key -> key.matches(".*/part-[0-9a-f]{32}-00000\\.zstd\\.parquet"), "a part file name")
                .map(key -> key.substring(0, key.lastIndexOf('/')))
                .containsExactlyInAnyOrder(
                partFolder("account_id=..%2Fx", landed),
                partFolder("account_id=a%2Fb", landed),
                partFolder("account_id=%252F", landed),
                partFolder("account_id=..", landed),
                partFolder("account_id=acme", landed));
        assertThat(written).filteredOn(key -> !key.endsWith(".parquet"))
                .allMatch(key -> key.equals("tarn-raw/dms/shop/orders/LOAD00000002.csv")
                        || key.matches("tarn-staging/manifests/orders/[0-9a-f]{32}\\.json")
                        || key.matches("tarn-staging/changes/orders/[0-9-]{10}/[0-9]{2}/[0-9TZ.]+-[0-9a-f]{32}\\.json"),
                        "raw object, manifest or change index entry");
        try (Stream<Path> everything = Files.walk(temp)) {
            assertThat(everything.filter(Files::isRegularFile))
                    .allMatch(file -> file.startsWith(dir) || file.equals(csv), "inside the lake folder");
        }

        assertThat(queryAs(dir, "../x")).containsExactly("order_id,account_id", "2001,../x");
        assertThat(queryAs(dir, "a/b")).containsExactly("order_id,account_id", "2002,a/b");
        assertThat(queryAs(dir, "%2F")).containsExactly("order_id,account_id", "2003,%2F");
        assertThat(queryAs(dir, "..")).containsExactly("order_id,account_id", "2004,..");
    }

    @Test
    void sqlSelectShowsTheSeededSourceRowsAsCsv() {
        Path dir = temp.resolve("lake");

        Run accounts = tarn("sql", "--dir", dir.toString(),
                "SELECT account_id, name, plan, region, created_at, updated_at FROM dbo.accounts ORDER BY account_id");
        Run invoices = tarn("sql", "--dir", dir.toString(),
                "SELECT invoice_id, account_id, amount, currency, issued_on, paid FROM [dbo].[invoices] ORDER BY invoice_id");

        assertThat(accounts.exitCode()).as(accounts.err()).isZero();
        assertThat(accounts.outLines()).containsExactly(
                "account_id,name,plan,region,created_at,updated_at",
                "acme,Acme Corp,enterprise,eu-west-1,2023-01-10 09:00:00.0,2024-05-01 10:00:00.0",
                "globex,Globex,growth,us-east-1,2023-03-15 12:30:00.0,2024-05-02 11:00:00.0",
                "initech,Initech,starter,eu-west-2,2023-07-01 08:00:00.0,2024-05-03 12:00:00.0");
        assertThat(invoices.exitCode()).as(invoices.err()).isZero();
        assertThat(invoices.outLines()).containsExactly(
                "invoice_id,account_id,amount,currency,issued_on,paid",
                "9001,acme,195.50,EUR,2024-05-31,true",
                "9002,globex,2014.99,USD,2024-05-31,false",
                "9003,initech,42.00,GBP,2024-05-31,true");
        assertThat(dir.resolve("azuresql")).isDirectory();
    }

    @Test
    void sqlUpdateIsKeptAndMovesTheRowPastEveryOtherRowversion() {
        Path dir = temp.resolve("lake");
        Run before = tarn("sql", "--dir", dir.toString(), "SELECT account_id, rv FROM dbo.accounts ORDER BY rv");

        Run update = tarn("sql", "--dir", dir.toString(),
                "UPDATE dbo.accounts SET plan = 'enterprise' WHERE account_id = 'globex'");
        Run after = tarn("sql", "--dir", dir.toString(),
                "SELECT account_id, plan, rv, MIN_ACTIVE_ROWVERSION() AS min_active FROM dbo.accounts ORDER BY rv");

        assertThat(before.outLines()).containsExactly("account_id,rv",
                "acme,0x0000000000000001", "globex,0x0000000000000002", "initech,0x0000000000000003");
        assertThat(update.exitCode()).as(update.err()).isZero();
        assertThat(update.outLines()).containsExactly("1 row affected");
        assertThat(after.exitCode()).as(after.err()).isZero();
        assertThat(after.outLines()).containsExactly(
                "account_id,plan,rv,min_active",
                "acme,enterprise,0x0000000000000001,0x0000000000000005",
                "initech,starter,0x0000000000000003,0x0000000000000005",
                "globex,enterprise,0x0000000000000004,0x0000000000000005");
    }

    @Test
    void sqlErrorIsOneLineWithExitCodeOne() {
        Run run = tarn("sql", "--dir", temp.resolve("lake").toString(), "SELECT * FROM dbo.nope");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.out()).isEmpty();
        assertThat(run.err().lines()).singleElement().asString()
                .startsWith("tarn: statement failed: Table \"nope\" not found");
    }

    @Test
    void sqlWithoutOneStatementIsAUsageError() {
        Run run = tarn("sql", "--dir", temp.resolve("lake").toString(), "SELECT 1", "SELECT 2");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).isEqualTo(
                "tarn: sql takes one statement (quote it), got 2 arguments\n" + tarn("sql", "--help").out());
    }

    @Test
    void pollWithUserButNoJdbcUrlIsAUsageError() {
        Run run = tarn("poll", "--dir", temp.resolve("lake").toString(), "--user", "sa", "--password", "x");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).isEqualTo("tarn: --user and --password go with --jdbc-url\n" + tarn("poll", "--help").out());
        assertThat(temp.resolve("lake")).doesNotExist();
    }

    @Test
    void pollOfADatasetThatIsNotPolledFailsNamingThePolledOnes() {
        Run run = tarn("poll", "--dir", temp.resolve("lake").toString(), "--pipeline", PIPELINE, "--tables", "invoices,orders");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).isEqualTo("tarn: unknown azuresql dataset 'orders' (pipeline.yaml has: accounts, invoices)\n");
        assertThat(temp.resolve("lake")).doesNotExist();
    }

    @Test
    void pollWithAnEmptyTableNameOrAStrayArgumentIsAUsageError() {
        Run empty = tarn("poll", "--dir", temp.resolve("lake").toString(), "--pipeline", PIPELINE, "--tables", "invoices,");
        Run stray = tarn("poll", "--dir", temp.resolve("lake").toString(), "invoices");
        Run unknown = tarn("poll", "--dir", temp.resolve("lake").toString(), "--table", "invoices");

        assertThat(empty.exitCode()).isEqualTo(2);
        assertThat(empty.err()).startsWith("tarn: --tables takes dataset names separated by commas, got 'invoices,'\n");
        assertThat(stray.exitCode()).isEqualTo(2);
        assertThat(stray.err()).startsWith("tarn: unexpected argument 'invoices'\n");
        assertThat(unknown.exitCode()).isEqualTo(2);
        assertThat(unknown.err()).startsWith("tarn: unknown option --table\n");
        assertThat(temp.resolve("lake")).doesNotExist();
    }

    /**
     * The whole local path: seeded H2 rows polled into raw, each page ingested into staging, an
     * update polled again.
     */
    @Test
    void pollLandsTheSeededRowsInStagingAndThenOnlyTheUpdatedRow() throws IOException {
        Path dir = temp.resolve("lake");

        Run first = tarn("poll", "--dir", dir.toString(), "--pipeline", PIPELINE);

        assertThat(first.exitCode()).as(first.err()).isZero();
        JsonNode tables = first.json().get("tables");
        assertThat(tables).hasSize(2);
        for (JsonNode table : tables) {
            assertThat(table.get("rows").asLong()).as(table.toString()).isEqualTo(3);
            assertThat(table.get("pages").asInt()).isEqualTo(1);
            assertThat(table.get("objectKeys")).hasSize(1);
            JsonNode object = table.get("objects").get(0);
            assertThat(object.get("key").asText()).isEqualTo(table.get("objectKeys").get(0).asText())
                    .startsWith("azuresql/dbo/" + table.get("dataset").asText() + "/");
            assertThat(object.get("status").asText()).isEqualTo("processed");
            assertThat(object.get("rowsRead").asLong()).isEqualTo(3);
            assertThat(object.get("rowsWritten").asLong()).isEqualTo(3);
            assertThat(object.get("rowsQuarantined").asLong()).isZero();
        }
        Run staged = tarn("query", "--dir", dir.toString(),
                "SELECT account_id, plan FROM accounts_changes ORDER BY account_id");
        assertThat(staged.outLines()).containsExactly(
                "account_id,plan", "acme,enterprise", "globex,growth", "initech,starter");

        tarn("sql", "--dir", dir.toString(), "UPDATE dbo.accounts SET plan = 'enterprise' WHERE account_id = 'globex'");
        Run second = tarn("poll", "--dir", dir.toString(), "--pipeline", PIPELINE, "--tables", "accounts");

        assertThat(second.exitCode()).as(second.err()).isZero();
        JsonNode accounts = second.json().get("tables").get(0);
        assertThat(accounts.get("dataset").asText()).isEqualTo("accounts");
        assertThat(accounts.get("rows").asLong()).isEqualTo(1);
        assertThat(accounts.get("objects").get(0).get("rowsWritten").asLong()).isEqualTo(1);
        // Not ORDER BY _ingested_at: that is the raw object's Last-Modified, whole seconds, and
        // both polls may land in the same second. Page keys start with the page's start position.
        Run changed = tarn("query", "--dir", dir.toString(),
                "SELECT account_id, plan FROM accounts_changes WHERE account_id = 'globex' ORDER BY _source_key");
        assertThat(changed.outLines()).containsExactly("account_id,plan", "globex,growth", "globex,enterprise");

        Run third = tarn("poll", "--dir", dir.toString(), "--pipeline", PIPELINE);
        assertThat(third.exitCode()).as(third.err()).isZero();
        assertThat(third.json().get("tables")).allSatisfy(table -> assertThat(table.get("rows").asLong()).isZero());
    }

    @Test
    void pollOfAFreshLakeIngestsTheSeededAccountsAndInvoices() throws IOException {
        Path dir = temp.resolve("lake");

        Run run = tarn("poll", "--dir", dir.toString(), "--pipeline", PIPELINE);

        assertThat(run.exitCode()).as(run.err()).isZero();
        Map<String, JsonNode> tables = byDataset(run.json());
        assertThat(tables).containsOnlyKeys("accounts", "invoices");
        assertThat(tables.get("accounts").get("rows").asLong()).isEqualTo(3);
        assertThat(tables.get("invoices").get("rows").asLong()).isEqualTo(3);
        assertThat(tables.values()).allSatisfy(table -> {
            assertThat(table.get("caughtUp").asBoolean()).isTrue();
            assertThat(table.get("objects")).singleElement().satisfies(object -> {
                assertThat(object.get("status").asText()).isEqualTo("processed");
                assertThat(object.get("rowsWritten").asLong()).isEqualTo(3);
            });
        });
        assertThat(tarn("query", "--dir", dir.toString(),
                "SELECT invoice_id, account_id, amount, paid FROM invoices_changes ORDER BY invoice_id").outLines())
                .containsExactly("invoice_id,account_id,amount,paid",
                        "9001,acme,195.50,true", "9002,globex,2014.99,false", "9003,initech,42.00,true");
        assertThat(tarn("query", "--dir", dir.toString(), "SELECT count(*) AS n FROM accounts_changes").outLines())
                .containsExactly("n", "3");
    }

    @Test
    void pollAgainWithoutSourceChangesWritesNothing() throws IOException {
        Path dir = temp.resolve("lake");
        assertThat(tarn("poll", "--dir", dir.toString(), "--pipeline", PIPELINE).exitCode()).isZero();
        Map<String, Long> lakeBefore = files(dir.resolve("s3"));

        Run again = tarn("poll", "--dir", dir.toString(), "--pipeline", PIPELINE);

        assertThat(again.exitCode()).as(again.err()).isZero();
        assertThat(byDataset(again.json()).values()).hasSize(2).allSatisfy(table -> {
            assertThat(table.get("rows").asLong()).isZero();
            assertThat(table.get("pages").asInt()).isZero();
            assertThat(table.get("objectKeys")).isEmpty();
            assertThat(table.get("objects")).isEmpty();
            assertThat(table.get("caughtUp").asBoolean()).isTrue();
        });
        assertThat(files(dir.resolve("s3"))).isEqualTo(lakeBefore);
    }

    /**
     * invoices use the timestamp strategy with a 60 s lag: a poll reads only rows whose updated_at
     * is below now - 60 s. The seeded rows are from 2024 and the update sets an updated_at an hour
     * back, so both are below the bound at once and the test needs no waiting.
     */
    @Test
    void pollAfterAnInvoiceUpdateBringsExactlyThatRowAndStagingHoldsItsNewestVersion() throws IOException {
        Path dir = temp.resolve("lake");
        assertThat(tarn("poll", "--dir", dir.toString(), "--pipeline", PIPELINE).exitCode()).isZero();
        LocalDateTime anHourAgo = LocalDateTime.now(ZoneOffset.UTC).minusHours(1).truncatedTo(ChronoUnit.SECONDS);

        Run update = tarn("sql", "--dir", dir.toString(),
                "UPDATE dbo.invoices SET paid = 1, updated_at = '" + anHourAgo.toString().replace('T', ' ')
                        + "' WHERE invoice_id = 9002");
        Run poll = tarn("poll", "--dir", dir.toString(), "--pipeline", PIPELINE);

        assertThat(update.outLines()).containsExactly("1 row affected");
        assertThat(poll.exitCode()).as(poll.err()).isZero();
        Map<String, JsonNode> tables = byDataset(poll.json());
        assertThat(tables.get("accounts").get("rows").asLong()).isZero();
        JsonNode invoices = tables.get("invoices");
        assertThat(invoices.get("rows").asLong()).isEqualTo(1);
        assertThat(invoices.get("objects")).singleElement().satisfies(object -> {
            assertThat(object.get("status").asText()).isEqualTo("processed");
            assertThat(object.get("rowsRead").asLong()).isEqualTo(1);
            assertThat(object.get("rowsWritten").asLong()).isEqualTo(1);
        });
        // The newest version by raw key, not by _ingested_at (whole seconds, see above): keys of
        // timestamp pages start with the page's start position, which sorts as the positions do.
        String page = Files.readString(dir.resolve("s3/tarn-raw").resolve(invoices.get("objectKeys").get(0).asText()));
        assertThat(page.lines().skip(1)).singleElement().asString().contains("9002");
        assertThat(tarn("query", "--dir", dir.toString(),
                "SELECT invoice_id, paid, strftime(updated_at, '%Y-%m-%d %H:%M:%S') AS updated_at FROM invoices_changes"
                        + " WHERE invoice_id = 9002 ORDER BY _source_key DESC LIMIT 1").outLines())
                .containsExactly("invoice_id,paid,updated_at", "9002,true," + anHourAgo.toString().replace('T', ' '));
        assertThat(tarn("query", "--dir", dir.toString(),
                "SELECT invoice_id, count(*) AS versions FROM invoices_changes GROUP BY invoice_id ORDER BY invoice_id")
                .outLines())
                .containsExactly("invoice_id,versions", "9001,1", "9002,2", "9003,1");
    }

    private static Map<String, JsonNode> byDataset(JsonNode pollOutput) {
        Map<String, JsonNode> tables = new TreeMap<>();
        pollOutput.get("tables").forEach(table -> tables.put(table.get("dataset").asText(), table));
        return tables;
    }

    private static String partFolder(String accountSegment, String landed) {
        return "tarn-staging/orders_changes/" + accountSegment + "/dt=" + landed;
    }

    /** The day the ingested object landed: its manifest's ingestedAt. */
    private static String landedDay(Path staging, JsonNode result) {
        try {
            return io.tarn.ingest.Manifest.fromJson(Files.readAllBytes(staging.resolve(result.get("manifestKey").asText())))
                    .ingestedAt().substring(0, 10);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private List<String> queryAs(Path dir, String account) {
        Run run = tarn("query", "--dir", dir.toString(), "--account", account,
                "SELECT order_id, account_id FROM orders_changes ORDER BY order_id");
        assertThat(run.exitCode()).as(run.err()).isZero();
        return run.outLines();
    }

    private Run ingest(Path dir, String dataset, Path file) {
        return tarn("ingest", "--dir", dir.toString(), "--pipeline", PIPELINE, "--dataset", dataset,
                "--file", file.toString());
    }

    static Run tarn(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exitCode;
        try (PrintStream outStream = new PrintStream(out, true, StandardCharsets.UTF_8);
                PrintStream errStream = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            exitCode = new Tarn(outStream, errStream).run(args);
        }
        return new Run(exitCode, out.toString(StandardCharsets.UTF_8), logFree(err.toString(StandardCharsets.UTF_8)));
    }

    /** stderr without the function's JSON log lines (ingest logs there, as Lambda does). */
    private static String logFree(String err) {
        StringBuilder kept = new StringBuilder();
        err.lines().filter(line -> !line.startsWith("{\"timestamp\"")).forEach(line -> kept.append(line).append('\n'));
        return kept.toString();
    }

    /** Regular files under a folder as relative path -> last-modified millis. */
    private static Map<String, Long> files(Path root) throws IOException {
        Map<String, Long> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path file : walk.filter(Files::isRegularFile).toList()) {
                files.put(root.relativize(file).toString(), Files.getLastModifiedTime(file).toMillis());
            }
        }
        return files;
    }

    private static List<String> texts(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(node -> values.add(node.asText()));
        return values;
    }
}
