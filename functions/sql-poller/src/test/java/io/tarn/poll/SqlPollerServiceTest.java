package io.tarn.poll;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tarn.aws.AwsClients;
import io.tarn.aws.AwsSettings;
import io.tarn.aws.dynamodb.DynamoDbWatermarks;
import io.tarn.aws.dynamodb.StateTable;
import io.tarn.aws.s3.S3Clients;
import io.tarn.aws.s3.S3ObjectStore;
import io.tarn.csv.CsvReader;
import io.tarn.current.KeySnapshot;
import io.tarn.embedded.EmbeddedS3;
import io.tarn.embedded.MotoServer;
import io.tarn.embedded.MutableClock;
import io.tarn.embedded.sqlserver.H2SqlServerConnection;
import io.tarn.embedded.sqlserver.H2SqlServerEmulation;
import io.tarn.log.JsonLogger;
import io.tarn.metrics.EmfLines;
import io.tarn.metrics.TarnMetrics;
import io.tarn.pipeline.PipelineConfig;
import io.tarn.pipeline.PipelineConfigException;
import io.tarn.pipeline.PipelineLoader;
import io.tarn.poll.PollReport.TableReport;
import io.tarn.state.Watermark;
import io.tarn.state.Watermarks;
import io.tarn.storage.ForwardingObjectStore;
import io.tarn.storage.ObjectStore;
import io.tarn.storage.StorageException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The poller against real parts: H2 in MS SQL Server mode as the source (with the rowversion and
 * change tracking emulation, taking the poller's SQL Server statements through
 * {@link H2SqlServerConnection}), the embedded S3 server as the raw bucket, DynamoDB from moto as
 * the state table. Raw objects are read back and counted per row version.
 */
class SqlPollerServiceTest {

    private static final String PIPELINE_YAML = read(Path.of("../../pipeline.yaml"));
    private static final Instant T0 = Instant.parse("2024-06-01T12:00:00Z");
    private static final String INVOICES = "azuresql/dbo/invoices/";
    private static final String ACCOUNTS = "azuresql/dbo/accounts/";
    private static final AtomicInteger NAMES = new AtomicInteger();

    @TempDir
    static Path s3Root;
    private static EmbeddedS3 s3Server;
    private static S3Client s3;
    private static DynamoDbClient dynamoDb;

    @TempDir
    Path temp;
    private String bucket;
    private String url;
    private Connection admin;
    private ObjectStore store;
    private Watermarks state;
    private final MutableClock clock = new MutableClock(T0);

    @BeforeAll
    static void startServers() {
        s3Server = EmbeddedS3.start(s3Root);
        s3 = S3Clients.create(AwsSettings.local(s3Server.endpoint(), s3Server.region(), s3Server.accessKey(),
                s3Server.secretKey()));
        dynamoDb = new AwsClients(AwsSettings.local(MotoServer.shared().endpoint(), "us-east-1", "test", "test")).build(DynamoDbClient.builder());
    }

    @AfterAll
    static void stopServers() {
        s3.close();
        s3Server.close();
    }

    @BeforeEach
    void freshSourceBucketAndState() throws SQLException {
        int n = NAMES.incrementAndGet();
        bucket = "raw-poll-" + n;
        s3Server.createBucket(bucket);
        store = new S3ObjectStore(s3);
        String table = "tarn-poll-state-" + n;
        StateTable.create(dynamoDb, table);
        state = new DynamoDbWatermarks(new StateTable(dynamoDb, table));
        url = "jdbc:h2:mem:poll" + n + ";MODE=MSSQLServer;DATABASE_TO_LOWER=TRUE";
        admin = DriverManager.getConnection(url);
        H2SqlServerEmulation.install(admin);
        try (Statement statement = admin.createStatement()) {
            statement.execute("CREATE TABLE dbo.accounts (account_id VARCHAR(64) PRIMARY KEY, name VARCHAR(100),"
                    + " plan VARCHAR(20), region VARCHAR(20), created_at DATETIME2, updated_at DATETIME2 NOT NULL,"
                    + " rv " + H2SqlServerEmulation.ROWVERSION_TYPE + ")");
            statement.execute("CREATE TABLE dbo.invoices (invoice_id BIGINT PRIMARY KEY, account_id VARCHAR(64) NOT NULL,"
                    + " amount DECIMAL(14,2) NOT NULL, currency VARCHAR(3), issued_on DATE NOT NULL, paid BIT,"
                    + " updated_at DATETIME2(7) NOT NULL)"); // SQL Server's datetime2 is datetime2(7)
        }
    }

    @AfterEach
    void dropSource() throws SQLException {
        admin.close(); // the last connection to a named in-memory database drops it
    }

    // ---- exactly once ---------------------------------------------------------------------------

    @Test
    void timestampRowsInsertedAndUpdatedBetweenPollsArriveExactlyOnce() throws Exception {
        for (long id = 1; id <= 5; id++) {
            insertInvoice(admin, id, "acme", T0.minusSeconds(600 - id));
        }

        TableReport first = poll(service(pipeline(10_000)), "invoices");

        assertThat(first.rows()).isEqualTo(5);
        assertThat(first.caughtUp()).isTrue();
        assertThat(first.objectKeys()).containsExactly(INVOICES + "timestamp/0__20240601T115005-000000000.5.csv");
        assertThat(first.watermarkBefore()).isEmpty();
        assertThat(first.watermarkAfter()).isEqualTo("20240601T115005-000000000.5");

        updateInvoice(admin, 2, T0.plusSeconds(30));
        updateInvoice(admin, 4, T0.plusSeconds(30));
        insertInvoice(admin, 6, "globex", T0.plusSeconds(40));
        insertInvoice(admin, 7, "globex", T0.plusSeconds(40));
        clock.set(T0.plusSeconds(300));

        TableReport second = poll(service(pipeline(10_000)), "invoices");
        TableReport third = poll(service(pipeline(10_000)), "invoices");

        assertThat(second.rows()).isEqualTo(4);
        assertThat(second.watermarkBefore()).isEqualTo(first.watermarkAfter());
        assertThat(third.rows()).isZero();
        assertThat(third.pages()).isZero();
        assertThat(third.caughtUp()).isTrue();
        assertThat(versions(INVOICES, invoiceVersion())).containsOnly(
                Map.entry("1|2024-06-01T11:50:01", 1), Map.entry("2|2024-06-01T11:50:02", 1),
                Map.entry("3|2024-06-01T11:50:03", 1), Map.entry("4|2024-06-01T11:50:04", 1),
                Map.entry("5|2024-06-01T11:50:05", 1), Map.entry("2|2024-06-01T12:00:30", 1),
                Map.entry("4|2024-06-01T12:00:30", 1), Map.entry("6|2024-06-01T12:00:40", 1),
                Map.entry("7|2024-06-01T12:00:40", 1));
        assertThat(state.watermark("invoices").orElseThrow().sequence()).isEqualTo(2);
    }

    @Test
    void rowversionRowsInsertedAndUpdatedBetweenPollsArriveExactlyOnce() throws Exception {
        insertAccount(admin, "acme", "Acme");
        insertAccount(admin, "globex", "Globex");
        insertAccount(admin, "initech", "Initech");

        TableReport first = poll(service(pipeline(10_000)), "accounts");
        renameAccount(admin, "globex", "Globex Corp");
        insertAccount(admin, "hooli", "Hooli");
        TableReport second = poll(service(pipeline(10_000)), "accounts");

        assertThat(first.rows()).isEqualTo(3);
        assertThat(first.objectKeys()).containsExactly(ACCOUNTS + "rowversion/0000000000000000__0000000000000003.csv");
        assertThat(second.rows()).isEqualTo(2);
        assertThat(second.objectKeys()).containsExactly(ACCOUNTS + "rowversion/0000000000000003__0000000000000005.csv");
        assertThat(versions(ACCOUNTS, row -> row.get("account_id") + "|" + row.get("name"))).containsOnly(
                Map.entry("acme|Acme", 1), Map.entry("globex|Globex", 1), Map.entry("initech|Initech", 1),
                Map.entry("globex|Globex Corp", 1), Map.entry("hooli|Hooli", 1));
    }

    @Test
    void pageIsHeaderCsvWithUpsertOpNullTokenAndQuoting() throws Exception {
        insertInvoice(admin, 1, "acme, \"inc\"", T0.minusSeconds(600));
        try (Statement statement = admin.createStatement()) {
            statement.execute("UPDATE dbo.invoices SET currency = NULL, updated_at = '2024-06-01 11:50:00.1234567'");
            statement.execute("INSERT INTO dbo.invoices VALUES (2, '\\N', -3.10, '', '2024-05-30', TRUE,"
                    + " '2024-06-01 11:51:00')");
        }

        String key = poll(service(pipeline(10_000)), "invoices").objectKeys().get(0);

        assertThat(text(key)).isEqualTo("_op,invoice_id,account_id,amount,currency,issued_on,paid,updated_at\r\n"
                + "U,1,\"acme, \"\"inc\"\"\",11.50,\\N,2024-05-31,false,2024-06-01T11:50:00.1234567\r\n"
                + "U,2,\"\\N\",-3.10,\"\",2024-05-30,true,2024-06-01T11:51:00\r\n");
        assertThat(key).isEqualTo(INVOICES + "timestamp/0__20240601T115100-000000000.2.csv");
    }

    // ---- cursor semantics -----------------------------------------------------------------------

    @Test
    void tiesOnTheCursorAcrossPageBoundariesAreNeitherSkippedNorRepeated() throws Exception {
        for (long id = 1; id <= 5; id++) {
            insertInvoice(admin, id, "acme", T0.minusSeconds(600));
        }

        TableReport report = poll(service(pipeline(2)), "invoices");

        assertThat(report.pages()).isEqualTo(3);
        assertThat(report.rows()).isEqualTo(5);
        assertThat(report.caughtUp()).isTrue();
        assertThat(report.objectKeys()).containsExactly(
                INVOICES + "timestamp/0__20240601T115000-000000000.2.csv",
                INVOICES + "timestamp/20240601T115000-000000000.2__20240601T115000-000000000.4.csv",
                INVOICES + "timestamp/20240601T115000-000000000.4__20240601T115000-000000000.5.csv");
        assertThat(versions(INVOICES, invoiceVersion())).containsOnly(
                Map.entry("1|2024-06-01T11:50:00", 1), Map.entry("2|2024-06-01T11:50:00", 1),
                Map.entry("3|2024-06-01T11:50:00", 1), Map.entry("4|2024-06-01T11:50:00", 1),
                Map.entry("5|2024-06-01T11:50:00", 1));
    }

    @Test
    void lateCommitWithAnOlderTimestampInsideTheLagIsNotLost() throws Exception {
        assertThat(lateCommitDelivered(60)).containsOnly(Map.entry("1", 1), Map.entry("2", 1), Map.entry("3", 1));
    }

    @Test
    void withoutLagTheSameLateCommitWouldBeLost() throws Exception {
        // The control for the test above: it proves the scenario really loses a row unguarded.
        assertThat(lateCommitDelivered(0)).containsOnly(Map.entry("1", 1), Map.entry("3", 1));
    }

    private Map<String, Integer> lateCommitDelivered(int lagSeconds) throws Exception {
        PipelineConfig pipeline = PipelineLoader.parse(
                PIPELINE_YAML.replace("lag_seconds: 60", "lag_seconds: " + lagSeconds), "pipeline.yaml");
        insertInvoice(admin, 1, "acme", T0.minusSeconds(120));
        try (Connection late = DriverManager.getConnection(url)) {
            late.setAutoCommit(false);
            insertInvoice(late, 2, "acme", T0.minusSeconds(30)); // written now, committed after the poll
            insertInvoice(admin, 3, "acme", T0.minusSeconds(10));

            poll(service(pipeline), "invoices");
            late.commit();
        }
        clock.set(T0.plusSeconds(120));
        poll(service(pipeline), "invoices");
        return versions(INVOICES, row -> row.get("invoice_id"));
    }

    @Test
    void rowversionHeldByAnOpenTransactionBelowMinActiveIsNotSkipped() throws Exception {
        insertAccount(admin, "acme", "Acme");
        insertAccount(admin, "globex", "Globex");
        byte[] inFlight;
        try (Connection writer = DriverManager.getConnection(url)) {
            writer.setAutoCommit(false);
            renameAccount(writer, "acme", "Acme Renamed");
            inFlight = rowversionOf(writer, "acme");
            H2SqlServerEmulation.holdInFlight(admin, inFlight);
            insertAccount(admin, "initech", "Initech"); // committed, above the open transaction's value

            TableReport during = poll(service(pipeline(10_000)), "accounts");

            assertThat(during.rows()).isEqualTo(2);
            assertThat(during.watermarkAfter()).isEqualTo("0000000000000002");
            writer.commit();
            H2SqlServerEmulation.releaseInFlight(admin, inFlight);
        }

        TableReport after = poll(service(pipeline(10_000)), "accounts");

        assertThat(inFlight).isEqualTo(H2SqlServerEmulation.rowversion(3));
        assertThat(after.rows()).isEqualTo(2);
        assertThat(versions(ACCOUNTS, row -> row.get("account_id") + "|" + row.get("name"))).containsOnly(
                Map.entry("acme|Acme", 1), Map.entry("globex|Globex", 1),
                Map.entry("acme|Acme Renamed", 1), Map.entry("initech|Initech", 1));
    }

    // ---- failures and concurrency ---------------------------------------------------------------

    @Test
    void crashAfterUploadBeforeCommitIsRecoveredWithoutASecondObject() throws Exception {
        for (long id = 1; id <= 3; id++) {
            insertInvoice(admin, id, "acme", T0.minusSeconds(600 - id));
        }
        CountingStore crashing = new CountingStore(store, 1);

        assertThatThrownBy(() -> poll(service(pipeline(2), crashing, state, "crashed"), "invoices"))
                .isInstanceOf(StorageException.class)
                .hasMessageContaining("connection reset after the upload");
        assertThat(state.watermark("invoices")).isEmpty();
        assertThat(crashing.puts).containsExactly(INVOICES + "timestamp/0__20240601T115002-000000000.2.csv");

        // Rows change before the rerun: a fresh read from the start would now be another page.
        updateInvoice(admin, 1, T0.minusSeconds(400));
        CountingStore rerunStore = new CountingStore(store, 0);
        TableReport rerun = poll(service(pipeline(2), rerunStore, state, "rerun"), "invoices");

        String adopted = INVOICES + "timestamp/0__20240601T115002-000000000.2.csv";
        assertThat(rerun.objectKeys()).startsWith(adopted);
        assertThat(rerunStore.puts).doesNotContain(adopted);
        assertThat(store.list(bucket, INVOICES + "timestamp/0__")).containsExactly(adopted);
        assertThat(state.watermark("invoices").orElseThrow().sequence()).isEqualTo(rerun.pages());
        assertThat(rerun.watermarkAfter()).isEqualTo("20240601T115320-000000000.1");
        assertThat(versions(INVOICES, invoiceVersion())).containsOnly(
                Map.entry("1|2024-06-01T11:50:01", 1), Map.entry("2|2024-06-01T11:50:02", 1),
                Map.entry("3|2024-06-01T11:50:03", 1), Map.entry("1|2024-06-01T11:53:20", 1));
    }

    @Test
    void concurrentPollersNeverDuplicateRowsNorMoveTheWatermarkBack() throws Exception {
        RecordingState recording = new RecordingState(state);
        for (int i = 0; i < 40; i++) {
            insertAccount(admin, "a%03d".formatted(i), "v1");
        }
        pollConcurrently(recording);
        for (int i = 0; i < 40; i += 4) {
            renameAccount(admin, "a%03d".formatted(i), "v2");
        }
        for (int i = 40; i < 55; i++) {
            insertAccount(admin, "a%03d".formatted(i), "v1");
        }
        pollConcurrently(recording);

        Map<String, Integer> versions = versions(ACCOUNTS, row -> row.get("account_id") + "|" + row.get("name"));
        assertThat(versions.values()).containsOnly(1);
        assertThat(versions).hasSize(55 + 10);
        List<Watermark> commits = new ArrayList<>(recording.commits);
        commits.removeIf(commit -> !commit.dataset().equals("accounts")); // the key snapshots keep their own
        commits.sort(Comparator.comparingLong(Watermark::sequence));
        for (int i = 0; i < commits.size(); i++) {
            assertThat(commits.get(i).sequence()).isEqualTo(i + 1);
            if (i > 0) {
                assertThat(commits.get(i).position()).isGreaterThan(commits.get(i - 1).position());
            }
        }
        assertThat(state.watermark("accounts").orElseThrow().position()).isEqualTo("0000000000000041"); // 65 writes
    }

    @Test
    void pollsOfOneServiceRestoredFromASnapshotDoNotShareTheTableLease() throws Exception {
        // SnapStart restores every environment from one snapshot of the service as it was built:
        // two polls of one instance, the second during the first's upload, stand for two of them.
        for (long id = 1; id <= 3; id++) {
            insertInvoice(admin, id, "acme", T0.minusSeconds(600 - id));
        }
        RecordingState recording = new RecordingState(state);
        AtomicReference<SqlPollerService> snapshot = new AtomicReference<>();
        List<TableReport> during = new ArrayList<>();
        ObjectStore uploads = new HookedStore(store, () -> during.add(poll(snapshot.get(), "invoices")));
        snapshot.set(service(pipeline(2), uploads, recording, "snapshot"));

        TableReport first = poll(snapshot.get(), "invoices");

        assertThat(during).hasSize(1);
        assertThat(during.get(0).pages()).isZero();
        assertThat(during.get(0).stoppedBecause()).contains("lease held by another poller");
        assertThat(first.pages()).isEqualTo(2);
        assertThat(first.caughtUp()).isTrue();
        assertThat(first.stoppedBecause()).isEmpty();
        assertThat(versions(INVOICES, invoiceVersion())).containsOnly(
                Map.entry("1|2024-06-01T11:50:01", 1), Map.entry("2|2024-06-01T11:50:02", 1),
                Map.entry("3|2024-06-01T11:50:03", 1));
        // One owner for all of a poll's leases (taken, extended per page, given back; then again
        // for its key snapshot, per page), another for the next poll.
        assertThat(recording.leases).containsExactly(
                "acquire snapshot-1", "acquire snapshot-1", "acquire snapshot-2", "acquire snapshot-1",
                "release snapshot-1", "acquire snapshot-1", "acquire snapshot-1", "acquire snapshot-1",
                "release snapshot-1");
    }

    /** Two pollers, one page per poll each, until the table is caught up; then one final poll. */
    private void pollConcurrently(Watermarks shared) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<Integer>> pollers = new ArrayList<>();
            for (String owner : List.of("poller-a", "poller-b")) {
                SqlPollerService service = service(pipeline(3), store, shared, owner);
                pollers.add(pool.submit(() -> {
                    start.await();
                    int pages = 0;
                    for (int i = 0; i < 40; i++) {
                        TableReport report = service.poll(new PollRequest(List.of("accounts")), onePage()).tables().get(0);
                        pages += report.pages();
                        if (report.caughtUp()) {
                            break;
                        }
                    }
                    return pages;
                }));
            }
            start.countDown();
            for (Future<Integer> poller : pollers) {
                poller.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(poll(service(pipeline(3), store, shared, "final"), "accounts").caughtUp()).isTrue();
    }

    @Test
    void deadlineMarginStopsAfterThePageAndTheNextPollContinues() throws Exception {
        for (long id = 1; id <= 5; id++) {
            insertInvoice(admin, id, "acme", T0.minusSeconds(600 - id));
        }
        SqlPollerService service = service(pipeline(2));

        TableReport cut = service.poll(new PollRequest(List.of("invoices")), onePage()).tables().get(0);
        TableReport rest = service.poll(new PollRequest(List.of("invoices")), Deadline.none()).tables().get(0);

        assertThat(cut.pages()).isEqualTo(1);
        assertThat(cut.rows()).isEqualTo(2);
        assertThat(cut.caughtUp()).isFalse();
        assertThat(cut.stoppedBecause()).contains("less than the safety margin of PT1S left");
        assertThat(rest.watermarkBefore()).isEqualTo(cut.watermarkAfter());
        assertThat(rest.pages()).isEqualTo(2);
        assertThat(rest.rows()).isEqualTo(3);
        assertThat(rest.caughtUp()).isTrue();
        assertThat(versions(INVOICES, row -> row.get("invoice_id"))).containsOnly(
                Map.entry("1", 1), Map.entry("2", 1), Map.entry("3", 1), Map.entry("4", 1), Map.entry("5", 1));
    }

    @Test
    void tableLeasedByAnotherPollerIsLeftAlone() throws Exception {
        insertInvoice(admin, 1, "acme", T0.minusSeconds(600));
        assertThat(state.acquireLease("invoices", "someone-else", T0, T0.plusSeconds(900))).isTrue();

        TableReport report = poll(service(pipeline(10_000)), "invoices");

        assertThat(report.pages()).isZero();
        assertThat(report.caughtUp()).isFalse();
        assertThat(report.stoppedBecause()).contains("lease held by another poller");
        assertThat(store.list(bucket, "")).isEmpty();
        assertThat(state.acquireLease("invoices", "someone-else", T0, T0.plusSeconds(900))).isTrue();
    }

    @Test
    void allAzureSqlTablesArePolledWhenTheRequestNamesNone() throws Exception {
        insertInvoice(admin, 1, "acme", T0.minusSeconds(600));
        insertAccount(admin, "acme", "Acme");

        PollReport report = service(pipeline(10_000)).poll(PollRequest.all(), Deadline.none());

        assertThat(report.tables()).extracting(TableReport::dataset, TableReport::strategy, TableReport::rows)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("accounts", "rowversion", 1L),
                        org.assertj.core.groups.Tuple.tuple("invoices", "timestamp", 1L));
        assertThat(report.objectKeys()).hasSize(2);
    }

    @Test
    void aPollPublishesEachTablesRowsAndPagesThenItsSuccessAndAFailedPollPublishesNoSuccess() throws Exception {
        insertInvoice(admin, 1, "acme", T0.minusSeconds(600));
        insertInvoice(admin, 2, "acme", T0.minusSeconds(599));
        insertAccount(admin, "acme", "Acme");
        ByteArrayOutputStream logs = new ByteArrayOutputStream();
        JsonLogger log = new JsonLogger(new PrintStream(logs, true, StandardCharsets.UTF_8), clock, "sql-poller");

        service(pipeline(1), store, state, "metrics", log).poll(PollRequest.all(), Deadline.none());

        assertThat(EmfLines.in(logs)).satisfiesExactly(
                accounts -> assertThat(accounts.path("Dataset").asText() + " " + accounts.path("PolledRows").asLong() + " "
                        + accounts.path("PolledPages").asLong()).isEqualTo("accounts 1 1"),
                invoices -> assertThat(invoices.path("Dataset").asText() + " " + invoices.path("PolledRows").asLong() + " "
                        + invoices.path("PolledPages").asLong()).isEqualTo("invoices 2 2"),
                success -> {
                    assertThat(success.path("Function").asText()).isEqualTo(TarnMetrics.SQL_POLLER);
                    assertThat(success.path("PollsSucceeded").asLong()).isEqualTo(1);
                    assertThat(success.path("_aws").path("CloudWatchMetrics").get(0).path("Dimensions").toString())
                            .isEqualTo("[[\"Function\"]]");
                });

        logs.reset();
        insertInvoice(admin, 3, "acme", T0.minusSeconds(598));
        assertThatThrownBy(() -> service(pipeline(1), new CountingStore(store, 1), state, "failing", log)
                .poll(new PollRequest(List.of("invoices")), Deadline.none()))
                .isInstanceOf(StorageException.class);
        // The alarm on successes sees this poll as one missing.
        assertThat(EmfLines.in(logs)).isEmpty();
    }

    // ---- requests and config --------------------------------------------------------------------

    @Test
    void unknownOrNonAzureSqlDatasetIsRefusedListingTheValidOnes() {
        SqlPollerService service = service(pipeline(10_000));

        assertThatThrownBy(() -> service.poll(new PollRequest(List.of("nope")), Deadline.none()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("'nope' is not a dataset of the pipeline; azuresql datasets: accounts, invoices");
        assertThatThrownBy(() -> service.poll(new PollRequest(List.of("invoices", "orders")), Deadline.none()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("'orders' is not an azuresql dataset of the pipeline; azuresql datasets: accounts, invoices");
    }

    @Test
    void identifierWithAQuoteOrASemicolonInConfigIsRefusedAtConstruction() {
        PipelineConfig quoted = PipelineLoader.parse(
                PIPELINE_YAML.replace("source_table: dbo.invoices", "source_table: \"dbo.invoices'--\""), "pipeline.yaml");
        PipelineConfig semicolon = PipelineLoader.parse(
                PIPELINE_YAML.replace("cursor_column: updated_at", "cursor_column: \"updated_at;DELETE\""), "pipeline.yaml");

        assertThatThrownBy(() -> service(quoted, store, state, "p"))
                .isInstanceOf(PipelineConfigException.class)
                .hasMessage("dataset 'invoices': source_table 'dbo.invoices'--' is not a safe SQL Server table name"
                        + " (schema.table, each of letters, digits and _, not starting with a digit)");
        assertThatThrownBy(() -> service(semicolon, store, state, "p"))
                .isInstanceOf(PipelineConfigException.class)
                .hasMessage("dataset 'invoices': cursor_column 'updated_at;DELETE' is not a safe SQL Server identifier"
                        + " (letters, digits and _, not starting with a digit)");
    }

    // ---- change tracking --------------------------------------------------------------------------

    /** A version as positions and keys write it: 19 zero-padded digits. */
    private static String v(long version) {
        return "%019d".formatted(version);
    }

    private static PipelineConfig tracked(int pageSize) {
        return PipelineLoader.parse(PIPELINE_YAML.replace("page_size: 10000", "page_size: " + pageSize)
                .replace("      delete_detection: { every: 6h }\n", "")
                .replace("strategy: rowversion\n      cursor_column: rv", "strategy: change_tracking"), "pipeline.yaml");
    }

    private void trackAccounts() throws SQLException {
        H2SqlServerEmulation.enableChangeTracking(admin, "dbo.accounts", "account_id");
    }

    private void insertTracked(String id, String name) throws SQLException {
        insertAccount(admin, id, name);
        H2SqlServerEmulation.recordChange(admin, "dbo.accounts", 'I', id);
    }

    private void renameTracked(String id, String name) throws SQLException {
        renameAccount(admin, id, name);
        H2SqlServerEmulation.recordChange(admin, "dbo.accounts", 'U', id);
    }

    private void deleteTracked(String id) throws SQLException {
        try (PreparedStatement delete = admin.prepareStatement("DELETE FROM dbo.accounts WHERE account_id = ?")) {
            delete.setString(1, id);
            assertThat(delete.executeUpdate()).isEqualTo(1);
        }
        H2SqlServerEmulation.recordChange(admin, "dbo.accounts", 'D', id);
    }

    private Map<String, Integer> trackedVersions() throws IOException {
        return changes(ACCOUNTS, row -> row.get("_op") + "|" + row.get("account_id") + "|" + row.get("name"));
    }

    @Test
    void changeTrackingInsertsUpdatesAndDeletesArriveOnceWithTheirOperation() throws Exception {
        trackAccounts();
        insertTracked("acme", "Acme");
        insertTracked("globex", "Globex");
        insertTracked("initech", "Initech");

        TableReport first = poll(service(tracked(10_000)), "accounts");
        insertTracked("hooli", "Hooli");
        renameTracked("globex", "Globex Corp");
        deleteTracked("initech");
        insertTracked("umbrella", "Umbrella");
        renameTracked("umbrella", "Umbrella Corp"); // inserted since the last sync: still an I
        TableReport second = poll(service(tracked(10_000)), "accounts");
        TableReport third = poll(service(tracked(10_000)), "accounts");

        assertThat(first.strategy()).isEqualTo("change_tracking");
        assertThat(first.objectKeys()).containsExactly(ACCOUNTS + "change_tracking/0__snapshot-" + v(3) + ".initech.csv");
        assertThat(first.rows()).isEqualTo(3);
        assertThat(first.caughtUp()).isTrue();
        assertThat(first.watermarkAfter()).isEqualTo(v(3));
        String changes = ACCOUNTS + "change_tracking/" + v(3) + "__" + v(3) + "-" + v(8) + ".umbrella.csv";
        assertThat(second.objectKeys()).containsExactly(changes);
        assertThat(second.watermarkAfter()).isEqualTo(v(8));
        assertThat(text(changes)).isEqualTo("_op,account_id,name,plan,region,created_at,updated_at\r\n"
                + "U,globex,Globex Corp,pro,eu,2024-06-01T12:00:00,2024-06-01T12:00:00\r\n"
                + "I,hooli,Hooli,pro,eu,2024-06-01T12:00:00,2024-06-01T12:00:00\r\n"
                + "D,initech,\\N,\\N,\\N,\\N,\\N\r\n"
                + "I,umbrella,Umbrella Corp,pro,eu,2024-06-01T12:00:00,2024-06-01T12:00:00\r\n");
        assertThat(third.pages()).isZero();
        assertThat(third.caughtUp()).isTrue();
        assertThat(third.watermarkAfter()).isEqualTo(v(8));
        assertThat(trackedVersions()).containsOnly(
                Map.entry("I|acme|Acme", 1), Map.entry("I|globex|Globex", 1), Map.entry("I|initech|Initech", 1),
                Map.entry("U|globex|Globex Corp", 1), Map.entry("I|hooli|Hooli", 1), Map.entry("D|initech|\\N", 1),
                Map.entry("I|umbrella|Umbrella Corp", 1));
        assertThat(state.watermark("accounts").orElseThrow().sequence()).isEqualTo(4); // page, version, page, version
    }

    @Test
    void changeTrackingQuietTableStillMovesItsVersionForward() throws Exception {
        trackAccounts();
        insertTracked("acme", "Acme");
        poll(service(tracked(10_000)), "accounts");
        insertInvoice(admin, 1, "acme", T0); // another table's change moves the database's version
        H2SqlServerEmulation.enableChangeTracking(admin, "dbo.invoices", "invoice_id");
        H2SqlServerEmulation.recordChange(admin, "dbo.invoices", 'I', 1L);

        TableReport quiet = poll(service(tracked(10_000)), "accounts");

        assertThat(quiet.pages()).isZero();
        assertThat(quiet.watermarkBefore()).isEqualTo(v(1));
        assertThat(quiet.watermarkAfter()).isEqualTo(v(2));
        assertThat(quiet.caughtUp()).isTrue();
    }

    @Test
    void changeTrackingVersionOlderThanMinValidTakesAFullSnapshot() throws Exception {
        trackAccounts();
        insertTracked("acme", "Acme");
        insertTracked("globex", "Globex");
        poll(service(tracked(10_000)), "accounts");
        insertTracked("hooli", "Hooli");
        renameTracked("acme", "Acme 2");
        H2SqlServerEmulation.cleanUpChangeTracking(admin, "dbo.accounts", 4);

        TableReport resnapshot = poll(service(tracked(10_000)), "accounts");

        assertThat(resnapshot.objectKeys()).containsExactly(
                ACCOUNTS + "change_tracking/" + v(2) + "__snapshot-" + v(4) + ".hooli.csv");
        assertThat(resnapshot.rows()).isEqualTo(3);
        assertThat(resnapshot.watermarkAfter()).isEqualTo(v(4));
        assertThat(trackedVersions()).containsOnly(
                Map.entry("I|acme|Acme", 1),
                Map.entry("I|acme|Acme 2", 1), Map.entry("I|hooli|Hooli", 1),
                Map.entry("I|globex|Globex", 2)); // unchanged, but a snapshot sends every row again
    }

    @Test
    void changeTrackingCrashAfterAnUploadMidSyncResumesWithoutDuplicates() throws Exception {
        trackAccounts();
        for (String id : List.of("a", "b", "c", "d", "e")) {
            insertTracked(id, "v1");
        }
        poll(service(tracked(2)), "accounts");
        renameTracked("a", "v2");
        renameTracked("b", "v2");
        renameTracked("c", "v2");
        CountingStore crashing = new CountingStore(store, 1);

        assertThatThrownBy(() -> poll(service(tracked(2), crashing, state, "crashed"), "accounts"))
                .isInstanceOf(StorageException.class)
                .hasMessageContaining("connection reset after the upload");
        String uploaded = ACCOUNTS + "change_tracking/" + v(5) + "__" + v(5) + "-" + v(8) + ".b.csv";
        assertThat(crashing.puts).containsExactly(uploaded);
        assertThat(state.watermark("accounts").orElseThrow().position()).isEqualTo(v(5));

        // Rows change before the rerun: b (already in the uploaded page) and d (not yet read).
        renameTracked("b", "v3");
        renameTracked("d", "v2");
        CountingStore rerunStore = new CountingStore(store, 0);
        TableReport rerun = poll(service(tracked(2), rerunStore, state, "rerun"), "accounts");
        TableReport next = poll(service(tracked(2)), "accounts");

        assertThat(rerun.objectKeys()).containsExactly(uploaded,
                ACCOUNTS + "change_tracking/" + v(5) + "-" + v(8) + ".b__" + v(5) + "-" + v(8) + ".c.csv");
        assertThat(rerunStore.puts).doesNotContain(uploaded);
        assertThat(rerun.watermarkAfter()).isEqualTo(v(8)); // the sync's version, not the rerun's 10
        assertThat(next.watermarkAfter()).isEqualTo(v(10));
        assertThat(trackedVersions()).containsOnly(
                Map.entry("I|a|v1", 1), Map.entry("I|b|v1", 1), Map.entry("I|c|v1", 1), Map.entry("I|d|v1", 1),
                Map.entry("I|e|v1", 1), Map.entry("U|a|v2", 1), Map.entry("U|b|v2", 1), Map.entry("U|c|v2", 1),
                Map.entry("U|b|v3", 1), Map.entry("U|d|v2", 1));
    }

    @Test
    void changeTrackingDeadlineStopsMidSyncAndTheNextPollContinues() throws Exception {
        trackAccounts();
        for (String id : List.of("a", "b", "c", "d", "e")) {
            insertTracked(id, "v1");
        }
        poll(service(tracked(10_000)), "accounts");
        for (String id : List.of("a", "b", "c", "d", "e")) {
            renameTracked(id, "v2");
        }
        SqlPollerService service = service(tracked(2));

        TableReport cut = service.poll(new PollRequest(List.of("accounts")), onePage()).tables().get(0);
        renameTracked("e", "v3");
        TableReport rest = poll(service, "accounts");
        TableReport after = poll(service, "accounts");

        assertThat(cut.pages()).isEqualTo(1);
        assertThat(cut.caughtUp()).isFalse();
        assertThat(cut.stoppedBecause()).contains("less than the safety margin of PT1S left");
        assertThat(cut.watermarkAfter()).isEqualTo(v(5) + "-" + v(10) + ".b");
        assertThat(rest.watermarkBefore()).isEqualTo(cut.watermarkAfter());
        assertThat(rest.rows()).isEqualTo(2); // c and d; e changed again after the sync's version
        assertThat(rest.watermarkAfter()).isEqualTo(v(10));
        assertThat(after.rows()).isEqualTo(1);
        assertThat(after.watermarkAfter()).isEqualTo(v(11));
        assertThat(trackedVersions()).containsOnly(
                Map.entry("I|a|v1", 1), Map.entry("I|b|v1", 1), Map.entry("I|c|v1", 1), Map.entry("I|d|v1", 1),
                Map.entry("I|e|v1", 1), Map.entry("U|a|v2", 1), Map.entry("U|b|v2", 1), Map.entry("U|c|v2", 1),
                Map.entry("U|d|v2", 1), Map.entry("U|e|v3", 1));
    }

    @Test
    void changeTrackingNotEnabledOnTheTableFailsNamingIt() {
        assertThatThrownBy(() -> poll(service(tracked(10_000)), "accounts"))
                .isInstanceOf(PollException.class)
                .hasMessage("dataset 'accounts': reading dbo.accounts failed after 0 page(s)")
                .cause().hasMessage("change tracking is not enabled on table [dbo].[accounts]"
                        + " (CHANGE_TRACKING_MIN_VALID_VERSION is NULL)");
    }

    // ---- key snapshots ----------------------------------------------------------------------------

    @Test
    void aKeySnapshotFollowsACaughtUpPollAtMostEveryIntervalAndIsAnnouncedWhenComplete() throws Exception {
        for (String id : List.of("a", "b", "c", "d", "e")) {
            insertAccount(admin, id, "v1");
        }
        SqlPollerService service = service(pipeline(2));

        TableReport first = poll(service, "accounts");
        TableReport again = poll(service, "accounts");

        assertThat(first.keySnapshot()).contains("complete: 3 page(s)");
        assertThat(text(KeySnapshot.pageKey("accounts", T0, 1))).isEqualTo("account_id\r\na\r\nb\r\n");
        assertThat(text(KeySnapshot.pageKey("accounts", T0, 2))).isEqualTo("account_id\r\nc\r\nd\r\n");
        assertThat(text(KeySnapshot.pageKey("accounts", T0, 3))).isEqualTo("account_id\r\ne\r\n");
        assertThat(latestSnapshot()).isEqualTo(new KeySnapshot("accounts", T0, List.of(
                KeySnapshot.pageKey("accounts", T0, 1), KeySnapshot.pageKey("accounts", T0, 2),
                KeySnapshot.pageKey("accounts", T0, 3))));
        assertThat(again.keySnapshot()).contains("not due until " + T0.plus(Duration.ofHours(6)));

        // Six hours on, with c deleted: the next snapshot lacks it; its last page is empty.
        try (Statement statement = admin.createStatement()) {
            assertThat(statement.executeUpdate("DELETE FROM dbo.accounts WHERE account_id = 'c'")).isEqualTo(1);
        }
        clock.advance(Duration.ofHours(6));
        Instant later = clock.instant();
        TableReport due = poll(service, "accounts");

        assertThat(due.keySnapshot()).contains("complete: 3 page(s)");
        assertThat(text(KeySnapshot.pageKey("accounts", later, 2))).isEqualTo("account_id\r\nd\r\ne\r\n");
        assertThat(text(KeySnapshot.pageKey("accounts", later, 3))).isEqualTo("account_id\r\n");
        assertThat(latestSnapshot().startedAt()).isEqualTo(later);
        // The data pages are untouched by any of it: only a..e as first read.
        assertThat(versions(ACCOUNTS, row -> row.get("account_id"))).containsOnlyKeys("a", "b", "c", "d", "e");
    }

    @Test
    void aKeySnapshotCutByTheDeadlineIsNeverAnnouncedAndResumesUnderItsFirstStart() throws Exception {
        for (String id : List.of("a", "b", "c", "d", "e")) {
            insertAccount(admin, id, "v1");
        }
        SqlPollerService service = service(pipeline(2));

        // Three pages of rows, then time for one page of keys only.
        TableReport cut = service.poll(new PollRequest(List.of("accounts")), calls(4)).tables().get(0);

        assertThat(cut.caughtUp()).isTrue();
        assertThat(cut.keySnapshot()).contains("incomplete after page 1: less than the safety margin left");
        assertThat(store.head(bucket, KeySnapshot.latestKey("accounts"))).isEmpty();

        clock.advance(Duration.ofMinutes(5));
        TableReport rest = poll(service, "accounts");

        assertThat(rest.keySnapshot()).contains("complete: 3 page(s)");
        assertThat(latestSnapshot().startedAt()).isEqualTo(T0);
        assertThat(text(KeySnapshot.pageKey("accounts", T0, 2))).isEqualTo("account_id\r\nc\r\nd\r\n");
    }

    @Test
    void keySnapshotsWaitUntilEveryTableHasBeenPolled() throws Exception {
        for (String id : List.of("a", "b", "c", "d", "e")) {
            insertAccount(admin, id, "v1");
        }
        for (long id = 1; id <= 3; id++) {
            insertInvoice(admin, id, "acme", T0.minusSeconds(600 - id));
        }

        // Time for the rows' pages (three of accounts, two of invoices), then none.
        List<TableReport> reports = service(pipeline(2)).poll(PollRequest.all(), calls(5)).tables();

        TableReport accounts = reports.get(0);
        TableReport invoices = reports.get(1);
        assertThat(accounts.rows()).isEqualTo(5);
        assertThat(invoices.rows()).isEqualTo(3);
        assertThat(invoices.caughtUp()).isTrue();
        assertThat(accounts.keySnapshot()).contains("incomplete after page 0: less than the safety margin left");
        assertThat(store.head(bucket, KeySnapshot.latestKey("accounts"))).isEmpty();
    }

    @Test
    void aKeySnapshotCanBeAskedForBeforeItIsDue() throws Exception {
        insertAccount(admin, "a", "v1");
        SqlPollerService service = service(pipeline(10));
        poll(service, "accounts");
        clock.advance(Duration.ofMinutes(1));

        TableReport asked = service.poll(new PollRequest(List.of("accounts"), true), Deadline.none()).tables().get(0);

        assertThat(asked.keySnapshot()).contains("complete: 1 page(s)");
        assertThat(latestSnapshot().startedAt()).isEqualTo(T0.plus(Duration.ofMinutes(1)));
    }

    @Test
    void aChangeTrackingResnapshotIsAnnouncedWithItsDataPages() throws Exception {
        trackAccounts();
        insertTracked("acme", "Acme");
        insertTracked("globex", "Globex");
        insertTracked("initech", "Initech");

        TableReport first = poll(service(tracked(2)), "accounts");

        assertThat(first.objectKeys()).hasSize(2);
        assertThat(latestSnapshot()).isEqualTo(new KeySnapshot("accounts", T0, first.objectKeys()));
        assertThat(first.keySnapshot()).isEmpty();
        // A sync of changes is no snapshot: the pointer stays.
        insertTracked("hooli", "Hooli");
        clock.advance(Duration.ofMinutes(1));
        poll(service(tracked(2)), "accounts");
        assertThat(latestSnapshot().startedAt()).isEqualTo(T0);
    }

    @Test
    void aChangeTrackingResnapshotRestartedAtANewerVersionIsAnnouncedWithItsOwnPages() throws Exception {
        trackAccounts();
        for (String id : List.of("a", "b", "c", "d", "e")) {
            insertTracked(id, "v1");
        }
        // The first snapshot stops after one page (a, b) ...
        service(tracked(2)).poll(new PollRequest(List.of("accounts")), onePage());
        // ... a is deleted, and the retention passes its version: the next poll starts over at a newer one.
        deleteTracked("a");
        H2SqlServerEmulation.cleanUpChangeTracking(admin, "dbo.accounts",
                H2SqlServerEmulation.changeTrackingCurrentVersion(admin));
        clock.advance(Duration.ofMinutes(5));
        TableReport restarted = poll(service(tracked(2)), "accounts");

        KeySnapshot snapshot = latestSnapshot();
        assertThat(snapshot.startedAt()).isEqualTo(T0.plus(Duration.ofMinutes(5)));
        assertThat(snapshot.pages()).containsExactlyInAnyOrderElementsOf(restarted.objectKeys());
        // Every key the table holds is in the announced pages; the stale first page (with a) is not among them.
        List<String> keys = new ArrayList<>();
        for (String page : snapshot.pages()) {
            keys.addAll(text(page).lines().skip(1).map(line -> line.split(",")[1]).toList());
        }
        assertThat(keys).containsExactlyInAnyOrder("b", "c", "d", "e");
    }

    private KeySnapshot latestSnapshot() throws IOException {
        try (InputStream in = store.open(bucket, KeySnapshot.latestKey("accounts"), Optional.empty())) {
            return KeySnapshot.fromJson(in.readAllBytes());
        }
    }

    /** Plenty of time for the first {@code n} checks, then none. */
    private static Deadline calls(int n) {
        AtomicInteger calls = new AtomicInteger();
        return () -> calls.getAndIncrement() < n ? Duration.ofMinutes(10) : Duration.ZERO;
    }

    // ---- helpers --------------------------------------------------------------------------------

    private TableReport poll(SqlPollerService service, String dataset) {
        return service.poll(new PollRequest(List.of(dataset)), Deadline.none()).tables().get(0);
    }

    private SqlPollerService service(PipelineConfig pipeline) {
        return service(pipeline, store, state, "poller-" + NAMES.get());
    }

    /** A service whose polls lease as {@code <owner>-1}, {@code <owner>-2}, ... in the order they start. */
    private SqlPollerService service(PipelineConfig pipeline, ObjectStore objects, Watermarks states, String owner) {
        return service(pipeline, objects, states, owner, JsonLogger.silent());
    }

    private SqlPollerService service(PipelineConfig pipeline, ObjectStore objects, Watermarks states, String owner,
            JsonLogger log) {
        PollerSettings settings = new PollerSettings(bucket, temp, Duration.ofSeconds(1), Duration.ofMinutes(15));
        AtomicInteger polls = new AtomicInteger();
        return new SqlPollerService(pipeline, () -> H2SqlServerConnection.wrap(DriverManager.getConnection(url)), objects,
                states, settings, () -> owner + "-" + polls.incrementAndGet(), clock, log);
    }

    private static PipelineConfig pipeline(int pageSize) {
        return PipelineLoader.parse(PIPELINE_YAML.replace("page_size: 10000", "page_size: " + pageSize), "pipeline.yaml");
    }

    /** Plenty of time for the first page, then none: the poller stops after one page. */
    private static Deadline onePage() {
        AtomicInteger calls = new AtomicInteger();
        return () -> calls.getAndIncrement() == 0 ? Duration.ofMinutes(10) : Duration.ZERO;
    }

    private static Function<Map<String, String>, String> invoiceVersion() {
        return row -> row.get("invoice_id") + "|" + row.get("updated_at");
    }

    /** Every row of every object under the prefix, counted by version; every {@code _op} is U. */
    private Map<String, Integer> versions(String prefix, Function<Map<String, String>, String> version) throws IOException {
        return counted(prefix, version, true);
    }

    /** Every row of every object under the prefix, counted by version, whatever its {@code _op}. */
    private Map<String, Integer> changes(String prefix, Function<Map<String, String>, String> version) throws IOException {
        return counted(prefix, version, false);
    }

    private Map<String, Integer> counted(String prefix, Function<Map<String, String>, String> version, boolean upserts)
            throws IOException {
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (String key : store.list(bucket, prefix)) {
            try (CsvReader csv = new CsvReader(new InputStreamReader(
                    store.open(bucket, key, Optional.empty()), StandardCharsets.UTF_8), ',')) {
                assertThat(csv.next()).isTrue();
                List<String> header = new ArrayList<>();
                for (int i = 0; i < csv.fieldCount(); i++) {
                    header.add(csv.field(i));
                }
                assertThat(header.get(0)).isEqualTo("_op");
                while (csv.next()) {
                    Map<String, String> row = new HashMap<>();
                    for (int i = 0; i < csv.fieldCount(); i++) {
                        row.put(header.get(i), csv.field(i));
                    }
                    if (upserts) {
                        assertThat(row.get("_op")).isEqualTo("U");
                    }
                    counts.merge(version.apply(row), 1, Integer::sum);
                }
            }
        }
        return counts;
    }

    private String text(String key) throws IOException {
        try (InputStream in = store.open(bucket, key, Optional.empty())) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static void insertInvoice(Connection connection, long id, String account, Instant updatedAt) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO dbo.invoices"
                + " (invoice_id, account_id, amount, currency, issued_on, paid, updated_at)"
                + " VALUES (?, ?, ?, 'EUR', DATE '2024-05-31', FALSE, ?)")) {
            insert.setLong(1, id);
            insert.setString(2, account);
            insert.setBigDecimal(3, new java.math.BigDecimal("10.50").add(java.math.BigDecimal.valueOf(id)));
            insert.setObject(4, LocalDateTime.ofInstant(updatedAt, ZoneOffset.UTC));
            insert.executeUpdate();
        }
    }

    private static void updateInvoice(Connection connection, long id, Instant updatedAt) throws SQLException {
        try (PreparedStatement update = connection.prepareStatement(
                "UPDATE dbo.invoices SET paid = TRUE, amount = amount + 1, updated_at = ? WHERE invoice_id = ?")) {
            update.setObject(1, LocalDateTime.ofInstant(updatedAt, ZoneOffset.UTC));
            update.setLong(2, id);
            assertThat(update.executeUpdate()).isEqualTo(1);
        }
    }

    private void insertAccount(Connection connection, String id, String name) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO dbo.accounts"
                + " (account_id, name, plan, region, created_at, updated_at) VALUES (?, ?, 'pro', 'eu', ?, ?)")) {
            LocalDateTime now = LocalDateTime.ofInstant(clock.instant(), ZoneOffset.UTC);
            insert.setString(1, id);
            insert.setString(2, name);
            insert.setObject(3, now);
            insert.setObject(4, now);
            insert.executeUpdate();
        }
    }

    private static void renameAccount(Connection connection, String id, String name) throws SQLException {
        try (PreparedStatement update = connection.prepareStatement("UPDATE dbo.accounts SET name = ? WHERE account_id = ?")) {
            update.setString(1, name);
            update.setString(2, id);
            assertThat(update.executeUpdate()).isEqualTo(1);
        }
    }

    private static byte[] rowversionOf(Connection connection, String id) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement("SELECT rv FROM dbo.accounts WHERE account_id = ?")) {
            select.setString(1, id);
            try (ResultSet result = select.executeQuery()) {
                assertThat(result.next()).isTrue();
                return result.getBytes(1);
            }
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A store that changes how the poller's file uploads behave and fails loudly on what the poller
     * never does: upload bytes other than a key snapshot's pointer, or delete.
     */
    private abstract static class PollerStore extends ForwardingObjectStore {

        PollerStore(ObjectStore delegate) {
            super(delegate);
        }

        @Override
        public void put(String bucket, String key, byte[] bytes, String contentType) {
            if (!key.startsWith(KeySnapshot.PREFIX)) {
                throw new UnsupportedOperationException("the poller uploads files; only a key snapshot's pointer is bytes");
            }
            delegate.put(bucket, key, bytes, contentType);
        }

        @Override
        public void delete(String bucket, Collection<String> keys) {
            throw new UnsupportedOperationException("the poller deletes nothing");
        }
    }

    /** Records the keys it uploads; the first {@code crashes} uploads succeed and then report a failure. */
    private static final class CountingStore extends PollerStore {
        private int crashes;
        final List<String> puts = Collections.synchronizedList(new ArrayList<>());

        CountingStore(ObjectStore delegate, int crashes) {
            super(delegate);
            this.crashes = crashes;
        }

        @Override
        public void put(String bucket, String key, Path file, String contentType) {
            delegate.put(bucket, key, file, contentType);
            puts.add(key);
            if (crashes-- > 0) {
                throw new StorageException("Cannot write s3://" + bucket + "/" + key + ": connection reset after the upload", null);
            }
        }
    }

    /** Runs a hook once, before the first upload, then uploads as the delegate does. */
    private static final class HookedStore extends PollerStore {
        private Runnable beforeFirstPut;

        HookedStore(ObjectStore delegate, Runnable beforeFirstPut) {
            super(delegate);
            this.beforeFirstPut = beforeFirstPut;
        }

        @Override
        public void put(String bucket, String key, Path file, String contentType) {
            Runnable hook = beforeFirstPut;
            beforeFirstPut = null;
            if (hook != null) {
                hook.run();
            }
            delegate.put(bucket, key, file, contentType);
        }
    }

    /** Records every watermark commit that succeeded, and every lease call with its owner. */
    private static final class RecordingState implements Watermarks {
        private final Watermarks delegate;
        final List<Watermark> commits = Collections.synchronizedList(new ArrayList<>());
        final List<String> leases = Collections.synchronizedList(new ArrayList<>());

        RecordingState(Watermarks delegate) {
            this.delegate = delegate;
        }

        @Override
        public Optional<Watermark> watermark(String dataset) {
            return delegate.watermark(dataset);
        }

        @Override
        public boolean advanceWatermark(String dataset, long expectedSequence, Watermark next) {
            boolean advanced = delegate.advanceWatermark(dataset, expectedSequence, next);
            if (advanced) {
                commits.add(next);
            }
            return advanced;
        }

        @Override
        public boolean acquireLease(String dataset, String owner, Instant now, Instant until) {
            leases.add("acquire " + owner);
            return delegate.acquireLease(dataset, owner, now, until);
        }

        @Override
        public void releaseLease(String dataset, String owner) {
            leases.add("release " + owner);
            delegate.releaseLease(dataset, owner);
        }
    }
}
