package io.tarn.local.lake;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.tarn.embedded.EmbeddedS3;
import io.tarn.local.cli.Tarn;
import io.tarn.pipeline.PipelineConfig;
import io.tarn.pipeline.PipelineLoader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.Bucket;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * {@code tarn up}: a real S3 client (the AWS SDK, configured only from what {@code up} prints)
 * uploads into the raw bucket of a {@link LocalUp} on a free port and reads staging back.
 */
class LocalUpTest {

    private static final Path PIPELINE = Path.of("../pipeline.yaml");
    private static final Path ORDERS_FULL_LOAD = Path.of("../samples/dms/shop/orders/LOAD00000001.csv");
    private static final String ORDERS_KEY = "dms/shop/orders/LOAD00000001.csv";
    private static final String ORDERS_URI = "s3://tarn-raw/" + ORDERS_KEY;
    private static final Path ACCOUNTS = Path.of("../samples/azuresql/dbo/accounts/sample-accounts.csv");
    private static final String ACCOUNTS_KEY = "azuresql/dbo/accounts/sample-accounts.csv";
    /** A bound on waiting for the watcher, not a measure of it: a conversion takes about a second. */
    private static final Duration WAIT = Duration.ofSeconds(90);

    @TempDir
    Path temp;

    private final ByteArrayOutputStream output = new ByteArrayOutputStream();
    private final ByteArrayOutputStream logs = new ByteArrayOutputStream();
    private LocalUp up;
    private S3Client client;
    /** Off but where a test says otherwise: the ETL's Spark job is a test of its own. */
    private Optional<Duration> etlWindow = Optional.empty();

    @AfterEach
    void stop() {
        if (client != null) {
            client.close();
        }
        if (up != null) {
            up.close();
        }
    }

    @Test
    void anObjectUploadedThroughTheSdkIsConvertedAndItsStagingObjectsReadBackThroughTheSdk() throws Exception {
        start(temp.resolve("lake"));

        client.putObject(b -> b.bucket("tarn-raw").key(ORDERS_KEY), RequestBody.fromFile(ORDERS_FULL_LOAD));

        assertThat(awaitLines(ORDERS_URI, 1)).containsExactly(
                "processed " + ORDERS_URI + " rows 9 written 7 quarantined 2");
        List<S3Object> parquet = objects("orders_changes/");
        assertThat(parquet).hasSize(3).allSatisfy(object -> assertThat(object.key())
                .matches("orders_changes/account_id=[a-z]+/dt=\\d{4}-\\d\\d-\\d\\d/[^/]+\\.parquet"));
        List<S3Object> quarantine = objects("quarantine/orders/");
        assertThat(quarantine).singleElement().satisfies(object -> assertThat(object.key())
                .matches("quarantine/orders/[0-9a-f]{32}\\.csv"));
        assertThat(client.getObjectAsBytes(b -> b.bucket("tarn-staging").key(quarantine.get(0).key()))
                .asUtf8String().lines()).hasSize(3);

        Path downloads = Files.createDirectories(temp.resolve("downloads"));
        for (int i = 0; i < parquet.size(); i++) {
            String key = parquet.get(i).key();
            byte[] bytes = client.getObjectAsBytes(b -> b.bucket("tarn-staging").key(key)).asByteArray();
            assertThat(new String(bytes, 0, 4, UTF_8)).as(key).isEqualTo("PAR1");
            Files.write(downloads.resolve(i + ".parquet"), bytes);
        }
        assertThat(duckDb("SELECT string_agg(CAST(order_id AS VARCHAR), ',' ORDER BY order_id) FROM read_parquet('"
                + downloads.toAbsolutePath() + "/*.parquet')")).isEqualTo("1001,1002,1003,1004,1005,1006,1009");
    }

    @Test
    void uploadsReachTheEtlTablesWithoutAnotherCommandThroughTheTrigger() throws Exception {
        etlWindow = Optional.of(Duration.ofSeconds(2));
        Path dir = temp.resolve("lake");
        start(dir);

        client.putObject(b -> b.bucket("tarn-raw").key(ORDERS_KEY), RequestBody.fromFile(ORDERS_FULL_LOAD));
        client.putObject(b -> b.bucket("tarn-raw").key(ACCOUNTS_KEY), RequestBody.fromFile(ACCOUNTS));
        awaitLines(ORDERS_URI, 1);
        awaitLines("s3://tarn-raw/" + ACCOUNTS_KEY, 1);
        // The two manifests fall in one window or two; each window runs once, the last after both landed.
        List<String> started = awaitEtl();

        assertThat(started).hasSizeBetween(1, 2).allSatisfy(line -> assertThat(line)
                .matches("etl auto-\\d{8}T\\d{6}Z-2s: started; its job runs after \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ"));
        assertThat(linesStartingWith("etl ")).filteredOn(line -> line.contains(": succeeded")).hasSize(started.size());
        ByteArrayOutputStream csv = new ByteArrayOutputStream();
        up.lake().query().run("SELECT account_id, day, orders, revenue, plan FROM account_daily WHERE account_id = 'acme'"
                + " AND day = DATE '2024-05-30'", Optional.empty(), new PrintStream(csv, true, UTF_8));
        assertThat(csv.toString(UTF_8).lines()).containsExactly("account_id,day,orders,revenue,plan",
                "acme,2024-05-30,2,195.50,enterprise");
        try (var files = Files.list(dir.resolve("executions"))) {
            assertThat(files.map(file -> file.getFileName().toString())).hasSize(started.size());
        }

        // Restarted on the same lake: the manifests are announced again, and their windows' runs exist.
        up.close();
        output.reset();
        start(dir);
        up.scan();
        assertThat(linesStartingWith("etl ")).isEmpty();
    }

    /** The "started" lines once every started execution has ended. */
    private List<String> awaitEtl() throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            List<String> started = linesStartingWith("etl ").stream().filter(line -> line.contains(": started")).toList();
            long ended = linesStartingWith("etl ").stream().filter(line -> line.matches("etl \\S+: (succeeded|failed).*")).count();
            if (!started.isEmpty() && ended == started.size()) {
                return started;
            }
            if (System.nanoTime() > deadline) {
                fail("the ETL runs did not end after %s; output:%n%s%nlogs:%n%s", WAIT, output, logs);
            }
            Thread.sleep(100);
        }
    }

    private List<String> linesStartingWith(String prefix) {
        return output.toString(UTF_8).lines().filter(line -> line.startsWith(prefix)).toList();
    }

    @Test
    void theSameFileUploadedAgainIsHandedOverAgainButNotConvertedTwice() throws Exception {
        Path dir = temp.resolve("lake");
        start(dir);
        client.putObject(b -> b.bucket("tarn-raw").key(ORDERS_KEY), RequestBody.fromFile(ORDERS_FULL_LOAD));
        awaitLines(ORDERS_URI, 1);
        Map<String, Long> stagingBefore = files(dir.resolve("s3/tarn-staging"));

        client.putObject(b -> b.bucket("tarn-raw").key(ORDERS_KEY), RequestBody.fromFile(ORDERS_FULL_LOAD));

        assertThat(awaitLines(ORDERS_URI, 2)).containsExactly(
                "processed " + ORDERS_URI + " rows 9 written 7 quarantined 2",
                "already-processed " + ORDERS_URI + " rows 9 written 7 quarantined 2");
        assertThat(files(dir.resolve("s3/tarn-staging"))).isEqualTo(stagingBefore);
    }

    @Test
    void objectsAlreadyInTheLakeWhenUpStartsAreHandedOverOnceNotOnEveryScan() throws Exception {
        Path dir = temp.resolve("lake");
        Run ingest = tarn("ingest", "--dir", dir.toString(), "--pipeline", PIPELINE.toString(),
                "--dataset", "orders", "--file", ORDERS_FULL_LOAD.toString());
        assertThat(ingest.exitCode()).as(ingest.err()).isZero();

        start(dir);
        awaitLines(ORDERS_URI, 1);
        up.scan();
        up.scan();

        assertThat(linesAbout(ORDERS_URI)).containsExactly(
                "already-processed " + ORDERS_URI + " rows 9 written 7 quarantined 2");
    }

    @Test
    void anObjectUnderNoDatasetPrefixIsReportedOnceAndTheWatcherGoesOn() throws Exception {
        start(temp.resolve("lake"));

        client.putObject(b -> b.bucket("tarn-raw").key("notes/readme.txt"), RequestBody.fromString("hello"));
        client.putObject(b -> b.bucket("tarn-raw").key(ORDERS_KEY), RequestBody.fromFile(ORDERS_FULL_LOAD));
        awaitLines(ORDERS_URI, 1);
        up.scan();

        assertThat(linesAbout("s3://tarn-raw/notes/readme.txt")).containsExactly(
                "ignored s3://tarn-raw/notes/readme.txt: under no dataset's raw prefix (dms/shop/orders/, "
                        + "dms/app/events/, azuresql/dbo/accounts/, azuresql/dbo/invoices/)");
        assertThat(linesAbout(ORDERS_URI)).containsExactly("processed " + ORDERS_URI + " rows 9 written 7 quarantined 2");
    }

    @Test
    void thePrintedEndpointAndCredentialsAreTheServersAndTheExamplesUseThem() throws Exception {
        start(temp.resolve("lake"));
        List<String> lines = output.toString(UTF_8).lines().toList();
        String endpoint = printed("endpoint");

        assertThat(URI.create(endpoint)).isEqualTo(up.endpoint());
        assertThat(endpoint).matches("http://127\\.0\\.0\\.1:\\d+");
        assertThat(printed("region")).isEqualTo(EmbeddedS3.REGION);
        assertThat(printed("access key")).isEqualTo(EmbeddedS3.ACCESS_KEY);
        assertThat(printed("secret key")).isEqualTo(EmbeddedS3.SECRET_KEY);
        assertThat(lines).contains(
                "  aws --endpoint-url " + endpoint + " s3 cp orders.csv s3://tarn-raw/dms/shop/orders/",
                "  aws --endpoint-url " + endpoint + " s3 ls --recursive s3://tarn-staging/",
                "  export AWS_ACCESS_KEY_ID=" + EmbeddedS3.ACCESS_KEY + " AWS_SECRET_ACCESS_KEY=" + EmbeddedS3.SECRET_KEY
                        + " AWS_REGION=" + EmbeddedS3.REGION);
        assertThat(client.listBuckets().buckets()).extracting(Bucket::name).contains("tarn-raw", "tarn-staging");
    }

    @Test
    void closeStopsTheWatcherAndFreesThePort() throws Exception {
        start(temp.resolve("lake"));
        int port = up.endpoint().getPort();

        up.close();
        up.close();

        assertThat(Thread.getAllStackTraces().keySet()).extracting(Thread::getName).doesNotContain("tarn-up-watcher");
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            assertThat(socket.getLocalPort()).isEqualTo(port);
        }
    }

    @Test
    void upOnAPortInUseFailsInOneLineWithExitCodeOne() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();

            Run run = tarn("up", "--dir", temp.resolve("lake").toString(), "--pipeline", PIPELINE.toString(),
                    "--port", Integer.toString(port));

            assertThat(run.exitCode()).isEqualTo(1);
            assertThat(run.out()).isEmpty();
            assertThat(run.err()).isEqualTo("tarn: port " + port + " is in use; choose another with --port\n");
        }
    }

    @Test
    void upWithAPortThatIsNoPortNumberIsAUsageError() {
        for (String port : List.of("http", "-1", "65536")) {
            Run run = tarn("up", "--dir", temp.resolve("lake").toString(), "--port", port);

            assertThat(run.exitCode()).isEqualTo(2);
            assertThat(run.err()).isEqualTo(
                    "tarn: --port takes a port number from 0 to 65535, got '" + port + "'\n" + tarn("up", "--help").out());
        }
        assertThat(temp.resolve("lake")).doesNotExist();
    }

    @Test
    void upWithAnEtlWindowThatIsNoNumberOfSecondsIsAUsageError() {
        for (String window : List.of("soon", "0", "3601", "OFF")) {
            Run run = tarn("up", "--dir", temp.resolve("lake").toString(), "--etl-window", window);

            assertThat(run.exitCode()).isEqualTo(2);
            assertThat(run.err()).isEqualTo("tarn: --etl-window takes a number of seconds from 1 to 3600 or off, got '"
                    + window + "'\n" + tarn("up", "--help").out());
        }
        assertThat(temp.resolve("lake")).doesNotExist();
    }

    @Test
    void upAndIngestIntoADirThatCannotBeWrittenFailInOneLineWithExitCodeOne() throws IOException {
        // A folder under a regular file cannot be created even by root, unlike a read-only folder.
        Path file = Files.writeString(temp.resolve("file.txt"), "not a folder");
        Path dir = file.resolve("sub");

        Run up = tarn("up", "--dir", dir.toString(), "--pipeline", PIPELINE.toString(), "--port", "0");
        Run ingest = tarn("ingest", "--dir", dir.toString(), "--pipeline", PIPELINE.toString(),
                "--dataset", "orders", "--file", ORDERS_FULL_LOAD.toString());
        Run fileAsDir = tarn("sql", "--dir", file.toString(), "SELECT 1");

        assertThat(List.of(up, ingest)).allSatisfy(run -> {
            assertThat(run.exitCode()).isEqualTo(1);
            assertThat(run.out()).isEmpty();
            assertThat(run.err()).isEqualTo("tarn: cannot write to DIR " + dir + ": Not a directory\n");
        });
        assertThat(fileAsDir.exitCode()).isEqualTo(1);
        assertThat(fileAsDir.err()).isEqualTo("tarn: cannot write to DIR " + file + ": Not a directory\n");
    }

    /** Starts {@code up} on a free port and a client configured from the lines it printed. */
    private void start(Path dir) throws IOException {
        PipelineConfig pipeline = PipelineLoader.load(PIPELINE);
        up = LocalUp.start(dir, 0, pipeline, PIPELINE, etlWindow, new PrintStream(output, true, UTF_8),
                new PrintStream(logs, true, UTF_8));
        client = S3Client.builder()
                .endpointOverride(URI.create(printed("endpoint")))
                .region(Region.of(printed("region")))
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(printed("access key"), printed("secret key"))))
                .forcePathStyle(true)
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .httpClient(UrlConnectionHttpClient.create())
                .build();
    }

    /** The staging objects under {@code prefix}, without the folders the filesystem store lists too. */
    private List<S3Object> objects(String prefix) {
        return client.listObjectsV2Paginator(b -> b.bucket("tarn-staging").prefix(prefix)).contents().stream()
                .filter(object -> !object.key().endsWith("/"))
                .toList();
    }

    /** The value of a {@code "  <name>  <value>"} line of the banner. */
    private String printed(String name) {
        Matcher matcher = Pattern.compile("^  " + Pattern.quote(name) + " +(\\S+)$", Pattern.MULTILINE)
                .matcher(output.toString(UTF_8));
        assertThat(matcher.find()).as("a line '%s' in:%n%s", name, output).isTrue();
        return matcher.group(1);
    }

    private List<String> linesAbout(String uri) {
        return output.toString(UTF_8).lines()
                .filter(line -> line.contains(" " + uri + " ") || line.contains(" " + uri + ":") || line.endsWith(" " + uri))
                .toList();
    }

    /** Waits, within {@link #WAIT}, until the watcher printed {@code count} lines about {@code uri}. */
    private List<String> awaitLines(String uri, int count) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (linesAbout(uri).size() < count) {
            if (System.nanoTime() > deadline) {
                fail("fewer than %d lines about %s after %s; output:%n%s%nlogs:%n%s", count, uri, WAIT, output, logs);
            }
            Thread.sleep(50);
        }
        return linesAbout(uri);
    }

    private static String duckDb(String sql) throws Exception {
        try (Connection connection = DriverManager.getConnection("jdbc:duckdb:");
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery(sql)) {
            assertThat(rows.next()).isTrue();
            return rows.getString(1);
        }
    }

    private static Map<String, Long> files(Path root) throws IOException {
        try (var walk = Files.walk(root)) {
            return walk.filter(Files::isRegularFile).collect(Collectors.toMap(
                    file -> root.relativize(file).toString(), file -> file.toFile().lastModified(), (a, b) -> a, TreeMap::new));
        }
    }

    private Run tarn(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exitCode = new Tarn(new PrintStream(out, true, UTF_8), new PrintStream(err, true, UTF_8)).run(args);
        return new Run(exitCode, out.toString(UTF_8), err.toString(UTF_8));
    }

    record Run(int exitCode, String out, String err) {}
}
