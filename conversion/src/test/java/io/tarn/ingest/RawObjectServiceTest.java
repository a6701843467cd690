package io.tarn.ingest;


import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.tarn.aws.AwsSettings;
import io.tarn.aws.dynamodb.DynamoDbLedger;
import io.tarn.aws.dynamodb.StateTable;
import io.tarn.aws.glue.GlueCatalog;
import io.tarn.aws.s3.S3Clients;
import io.tarn.aws.s3.S3ObjectStore;
import io.tarn.catalog.Catalog;
import io.tarn.catalog.CatalogColumn;
import io.tarn.catalog.Partition;
import io.tarn.current.ChangeIndex;
import io.tarn.embedded.EmbeddedS3;
import io.tarn.embedded.FaultInjectingProxy;
import io.tarn.embedded.MotoServer;
import io.tarn.ingest.IngestOutcome.AlreadyProcessed;
import io.tarn.ingest.IngestOutcome.Processed;
import io.tarn.ingest.IngestOutcome.Skipped;
import io.tarn.log.JsonLogger;
import io.tarn.parquet.ParquetSettings;
import io.tarn.partition.PartitionPaths;
import io.tarn.pipeline.PipelineConfig;
import io.tarn.pipeline.PipelineLoader;
import io.tarn.state.Ledger;
import io.tarn.storage.ForwardingObjectStore;
import io.tarn.storage.ObjectStore;
import io.tarn.storage.StorageException;
import io.tarn.metrics.EmfLines;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.glue.GlueClient;
import software.amazon.awssdk.services.glue.model.Column;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The raw-to-staging conversion against real protocol peers: an S3-compatible server on a folder,
 * DynamoDB and Glue from moto's server, and DuckDB as an independent reader of the Parquet.
 */
class RawObjectServiceTest {

    private static final PipelineConfig PIPELINE = PipelineLoader.load(Path.of("../pipeline.yaml"));
    private static final Path SAMPLES = Path.of("../samples");
    private static final String RAW = "raw";
    private static final String STAGING = "staging";
    private static final AtomicInteger NAMES = new AtomicInteger();

    @TempDir
    static Path s3Root;
    private static EmbeddedS3 s3Server;
    private static S3Client s3;
    private static DynamoDbClient dynamoDb;
    private static MotoServer moto;
    private static GlueClient glue;

    @TempDir
    Path temp;
    private Ledger state;
    private Catalog catalog;
    private String database;

    @BeforeAll
    static void startServers() {
        s3Server = EmbeddedS3.start(s3Root);
        s3Server.createBucket(RAW);
        s3Server.createBucket(STAGING);
        s3 = S3Clients.create(s3Server.settings());
        moto = MotoServer.shared();
        dynamoDb = moto.client(DynamoDbClient.builder());
        glue = moto.client(GlueClient.builder());
    }

    @AfterAll
    static void stopServers() {
        s3.close();
        s3Server.close();
    }

    @BeforeEach
    void freshStateAndCatalog() {
        int n = NAMES.incrementAndGet();
        String table = "tarn-state-" + n;
        StateTable.create(dynamoDb, table);
        state = new DynamoDbLedger(new StateTable(dynamoDb, table));
        database = "tarn_staging_" + n;
        catalog = new GlueCatalog(glue, database);
        emptyBucket(STAGING);
    }

    @Test
    void conservesRowsTypesValuesAndExplainsRejects() throws Exception {
        RawObjectRef object = putSample("dms/shop/orders/LOAD00000001.csv");

        Manifest manifest = ((Processed) service().process(object)).manifest();

        assertThat(manifest.rowsRead()).isEqualTo(9);
        assertThat(manifest.rowsWritten()).isEqualTo(7);
        assertThat(manifest.rowsQuarantined()).isEqualTo(2);
        assertThat(manifest.rowsRead()).isEqualTo(manifest.rowsWritten() + manifest.rowsQuarantined());
        // One partition per account: the change log's day is the day the object landed.
        String landed = manifest.ingestedAt().substring(0, 10);
        assertThat(manifest.partitions()).extracting(p -> String.join("/", p.values())).containsExactly(
                "acme/" + landed, "globex/" + landed, "initech/" + landed);
        assertThat(stagingKeys()).containsAll(manifest.outputKeys())
                .contains(manifest.quarantineKey(), manifest.manifestKey());
        assertThat(manifest.outputKeys()).allMatch(key -> key.endsWith(".zstd.parquet"));

        assertThat(query("SELECT account_id, order_id, status, total::VARCHAR, strftime(created_at, '%Y-%m-%d %H:%M:%S'), "
                + "coalesce(strftime(updated_at, '%H:%M:%S'), 'null'), _op, _source_line FROM staged ORDER BY order_id"))
                .containsExactly(
                        "acme|1001|paid|120.50|2024-05-30 10:15:00|10:20:00|I|1",
                        "acme|1002|shipped|75.00|2024-05-30 11:02:13|null|I|2",
                        "globex|1003|paid|1999.99|2024-05-31 08:45:00|09:00:00|I|3",
                        "globex|1004|pending, awaiting stock|15.25|2024-05-31 12:00:00|null|I|4",
                        "initech|1005|paid|42.00|2024-05-31 13:30:00|13:31:00|I|5",
                        "acme|1006|gift \"express\"|10.00|2024-05-31 23:59:59|null|I|6",
                        "globex|1009|refunded|-20.00|2024-06-01 08:00:00|08:30:00|I|9");

        String quarantine = read(STAGING, manifest.quarantineKey());
        assertThat(quarantine.lines().toList()).containsExactly(
                "source_key,line,reason,raw_record",
                "\"s3://raw/dms/shop/orders/LOAD00000001.csv\",7,\"column 'total': not a decimal(12,2): 'not-a-number'\","
                        + "\"I,2024-06-01 09:00:00.000000,1007,initech,702,paid,not-a-number,GBP,2024-06-01 07:00:00,\\N,\"",
                "\"s3://raw/dms/shop/orders/LOAD00000001.csv\",8,\"no account: column 'account_id' is empty\","
                        + "\"I,2024-06-01 09:00:00.000000,1008,\\N,801,paid,5.00,EUR,2024-06-01 07:10:00,\\N,\"");

        List<Partition> registered = catalog.partitions("orders_changes");
        assertThat(registered).extracting(p -> String.join("/", p.values())).containsExactlyInAnyOrder(
                "acme/" + landed, "globex/" + landed, "initech/" + landed);
        assertThat(registered).extracting(Partition::location)
                .contains("s3://staging/orders_changes/account_id=acme/dt=" + landed + "/");
        assertThat(Manifest.fromJson(readBytes(STAGING, manifest.manifestKey()))).isEqualTo(manifest);
    }

    @Test
    void keepsCdcOperationsAndCommitTimestamps() throws Exception {
        RawObjectRef object = putSample("dms/shop/orders/20240601-1200000000.csv");

        service().process(object);

        assertThat(query("SELECT order_id, _op, strftime(_commit_ts, '%H:%M:%S.%f') FROM staged ORDER BY order_id"))
                .containsExactly("1002|U|12:00:01.120000", "1004|D|12:00:02.500000", "1010|I|12:00:03.000000");
    }

    @Test
    void eventsDeliveredThreeTimesOutOfOrderGiveTheSameStagingContentAsOnce() throws Exception {
        RawObjectRef load = putSample("dms/shop/orders/LOAD00000001.csv");
        RawObjectRef cdc = putSample("dms/shop/orders/20240601-1200000000.csv");
        RawObjectService service = service();
        service.process(load);
        service.process(cdc);
        Map<String, String> once = stagingSnapshot();

        List<IngestOutcome> replays = new ArrayList<>();
        for (RawObjectRef event : List.of(cdc, load, cdc, load, load, cdc)) {
            replays.add(service.process(event));
        }

        assertThat(replays).allMatch(outcome -> outcome instanceof AlreadyProcessed);
        assertThat(stagingSnapshot()).isEqualTo(once);

        // Even with the ledger gone, a replay overwrites the same objects with the same bytes.
        state = new DynamoDbLedger(new StateTable(dynamoDb, newStateTable()));
        RawObjectService forgetful = service();
        forgetful.process(cdc);
        forgetful.process(load);
        forgetful.process(cdc);
        assertThat(stagingSnapshot()).isEqualTo(once);
    }

    @Test
    void aFailureAfterSomeOutputsFollowedByARetryConvergesToTheSameContent() throws Exception {
        RawObjectRef object = putSample("dms/shop/orders/LOAD00000001.csv");
        ObjectStore failing = Failing.afterPuts(new S3ObjectStore(s3), 2);

        assertThatThrownBy(() -> service(failing).process(object))
                .isInstanceOf(StorageException.class)
                .hasMessageContaining("injected failure");
        assertThat(stagingKeys()).hasSize(2);
        assertThat(state.findProcessed(objectId(object))).isEmpty();

        Manifest manifest = ((Processed) service().process(object)).manifest();
        Map<String, String> afterRetry = stagingSnapshot();

        assertThat(afterRetry.keySet()).containsExactlyInAnyOrderElementsOf(allKeys(manifest));
        state = new DynamoDbLedger(new StateTable(dynamoDb, newStateTable()));
        service().process(object);
        assertThat(stagingSnapshot()).isEqualTo(afterRetry);
        assertThat(query("SELECT count(*) FROM staged")).containsExactly("7");
    }

    @Test
    void hostileAccountValuesStayInsideTheirOwnPartition() throws Exception {
        List<String> accounts = List.of("../x", "a/b", "%2F", "..", "a=b", "x\\y", "ok");
        StringBuilder csv = new StringBuilder();
        for (int i = 0; i < accounts.size(); i++) {
            csv.append("I,2024-06-01 09:00:00,").append(i + 1).append(",\"").append(accounts.get(i))
                    .append("\",1,paid,1.00,EUR,2024-05-30 10:15:00,\\N\n");
        }
        csv.append("I,2024-06-01 09:00:00,99,\"\",1,paid,1.00,EUR,2024-05-30 10:15:00,\\N\n");
        RawObjectRef object = put("dms/shop/orders/hostile.csv", csv.toString().getBytes(StandardCharsets.UTF_8));

        Manifest manifest = ((Processed) service().process(object)).manifest();

        assertThat(manifest.rowsWritten()).isEqualTo(accounts.size());
        assertThat(manifest.rowsQuarantined()).isEqualTo(1);
        for (String key : manifest.outputKeys()) {
            String[] segments = key.split("/");
            assertThat(segments).hasSize(4);
            assertThat(segments[0]).isEqualTo("orders_changes");
            assertThat(segments[1]).startsWith("account_id=");
            assertThat(segments[2]).isEqualTo("dt=" + manifest.ingestedAt().substring(0, 10));
        }
        assertThat(manifest.outputKeys()).anyMatch(k -> k.startsWith("orders_changes/account_id=..%2Fx/"))
                .anyMatch(k -> k.startsWith("orders_changes/account_id=%252F/"))
                .anyMatch(k -> k.startsWith("orders_changes/account_id=a%3Db/"));
        for (int i = 0; i < accounts.size(); i++) {
            String account = accounts.get(i);
            Partition partition = catalog.partitions("orders_changes").stream()
                    .filter(p -> p.values().get(0).equals(account)).findFirst().orElseThrow();
            assertThat(queryPartition(partition, "SELECT order_id FROM part")).containsExactly(String.valueOf(i + 1));
        }
    }

    @Test
    void malformedRecordsAreQuarantinedWithTheirReasonAndLine() throws Exception {
        String csv = "I,2024-06-01 09:00:00,1,acme,1,paid,1.00,EUR,2024-05-30 10:15:00,\\N\r\n"
                + "I,2024-06-01 09:00:00,2,acme,1,paid\r\n"
                + "I,2024-06-01 09:00:00,3,acme,1,paid,1.00,EUR,2024-13-45 10:15:00,\\N\r\n"
                + "I,2024-06-01 09:00:00,4,acme,1,\"multi\nline\",1.00,EUR,2024-05-30 10:15:00,\\N\r\n"
                + "I,2024-06-01 09:00:00,5,acme,1,\"never closed,1.00,EUR,2024-05-30 10:15:00,\\N\r\n";
        RawObjectRef object = put("dms/shop/orders/bad.csv", csv.getBytes(StandardCharsets.UTF_8));

        Manifest manifest = ((Processed) service().process(object)).manifest();

        assertThat(manifest.rowsRead()).isEqualTo(5);
        assertThat(manifest.rowsWritten()).isEqualTo(2);
        assertThat(manifest.rowsQuarantined()).isEqualTo(3);
        assertThat(query("SELECT order_id, status FROM staged ORDER BY order_id"))
                .containsExactly("1|paid", "4|multi\nline");
        List<String> quarantine = read(STAGING, manifest.quarantineKey()).lines().toList();
        assertThat(quarantine.get(1)).contains(",2,\"expected 10 fields (or 11 with the change sequence), found 6\",");
        assertThat(quarantine.get(2)).contains(",3,\"column 'created_at': ");
        assertThat(quarantine.get(3)).contains(",6,\"").contains("never closed");
    }

    @Test
    void recordLongerThanTheReaderBoundIsQuarantinedAndTheRowsAfterItAreWritten() throws Exception {
        String oversized = "I,2024-06-01 09:00:00,3,acme,1,\"" + "long\n".repeat(2) + "s".repeat(2000)
                + "\",1.00,EUR,2024-05-30 10:15:00,\\N";
        String csv = row(1, "acme") + row(2, "acme") + oversized + "\r\n" + row(4, "acme") + row(5, "acme");
        RawObjectRef object = put("dms/shop/orders/oversized.csv", csv.getBytes(StandardCharsets.UTF_8));

        Manifest manifest = ((Processed) service(new S3ObjectStore(s3), settings().withMaxRecordChars(1024))
                .process(object)).manifest();

        assertThat(manifest.rowsRead()).isEqualTo(5);
        assertThat(manifest.rowsWritten()).isEqualTo(4);
        assertThat(manifest.rowsQuarantined()).isEqualTo(1);
        assertThat(manifest.rowsRead()).isEqualTo(manifest.rowsWritten() + manifest.rowsQuarantined());
        assertThat(query("SELECT order_id, status, _source_line FROM staged ORDER BY order_id"))
                .containsExactly("1|paid|1", "2|paid|2", "4|paid|6", "5|paid|7");
        assertThat(read(STAGING, manifest.quarantineKey()).lines().toList()).containsExactly(
                "source_key,line,reason,raw_record",
                "\"s3://raw/dms/shop/orders/oversized.csv\",3,\"record starting on line 3 is longer than 1024 characters"
                        + " (3 lines); is a quote left open? (first 1024 characters kept)\",\"" + oversized.substring(0, 1024)
                                .replace("\"", "\"\"").lines().findFirst().orElseThrow(),
                "long",
                oversized.substring(0, 1024).lines().skip(2).findFirst().orElseThrow() + "\"");
    }

    /** A well-formed orders record (DMS layout), ending with CRLF. */
    private static String row(int orderId, String account) {
        return "I,2024-06-01 09:00:00," + orderId + "," + account + ",1,paid,1.00,EUR,2024-05-30 10:15:00,\\N\r\n";
    }

    @Test
    void convertingAgainWithOtherSettingsLeavesOnlyTheNewAttemptsObjects() throws Exception {
        // The first attempt quarantines the long record (a small bound) and writes ZSTD; the second,
        // with the ledger gone, reads every record and writes Snappy: other names for the same rows.
        String csv = row(1, "acme") + row(2, "globex") + row(3, "acme").replace(",paid,", ",\"" + "p".repeat(1100) + "\",")
                + row(4, "globex");
        RawObjectRef object = put("dms/shop/orders/settings-changed.csv", csv.getBytes(StandardCharsets.UTF_8));
        Manifest first = ((Processed) service(new S3ObjectStore(s3), settings().withMaxRecordChars(1024))
                .process(object)).manifest();
        state = new DynamoDbLedger(new StateTable(dynamoDb, newStateTable()));

        Manifest second = ((Processed) service(new S3ObjectStore(s3), new IngestSettings(STAGING, temp.resolve("tmp"),
                ParquetSettings.defaults().withCodec(CompressionCodecName.SNAPPY))).process(object)).manifest();

        assertThat(first.outputKeys()).hasSize(2).allMatch(key -> key.endsWith(".zstd.parquet"));
        assertThat(first.quarantineKey()).isNotNull();
        assertThat(second.outputKeys()).hasSize(2).allMatch(key -> key.endsWith(".snappy.parquet"));
        assertThat(second.quarantineKey()).isNull();
        assertThat(query("SELECT order_id, account_id, count(*) FROM staged GROUP BY ALL ORDER BY order_id"))
                .containsExactly("1|acme|1", "2|globex|1", "3|acme|1", "4|globex|1");
        assertThat(stagingKeys()).containsExactlyInAnyOrderElementsOf(allKeys(second));
        assertThat(Manifest.fromJson(readBytes(STAGING, second.manifestKey()))).isEqualTo(second);
    }

    @Test
    void aCrashWhileRemovingTheEarlierOutputsLeavesTheEarlierManifestForTheNextAttempt() throws Exception {
        RawObjectRef object = put("dms/shop/orders/crash-on-delete.csv",
                (row(1, "acme") + row(2, "globex")).getBytes(StandardCharsets.UTF_8));
        Manifest first = ((Processed) service().process(object)).manifest();
        state = new DynamoDbLedger(new StateTable(dynamoDb, newStateTable()));
        IngestSettings snappy = new IngestSettings(STAGING, temp.resolve("tmp"),
                ParquetSettings.defaults().withCodec(CompressionCodecName.SNAPPY));

        assertThatThrownBy(() -> service(Failing.onDelete(new S3ObjectStore(s3)), snappy).process(object))
                .isInstanceOf(StorageException.class)
                .hasMessage("Cannot delete 2 object(s) in s3://staging: injected failure");

        // The new parts are up, the earlier ones still listed by the earlier manifest, nothing recorded.
        assertThat(Manifest.fromJson(readBytes(STAGING, first.manifestKey()))).isEqualTo(first);
        assertThat(state.findProcessed(objectId(object))).isEmpty();
        Manifest retried = ((Processed) service(new S3ObjectStore(s3), snappy).process(object)).manifest();
        assertThat(query("SELECT order_id, count(*) FROM staged GROUP BY ALL ORDER BY order_id"))
                .containsExactly("1|1", "2|1");
        assertThat(stagingKeys()).containsExactlyInAnyOrderElementsOf(allKeys(retried));
    }

    @Test
    void convertingAgainWithTheSameSettingsDeletesNothing() throws Exception {
        RawObjectRef object = putSample("dms/shop/orders/LOAD00000001.csv");
        service().process(object);
        Map<String, String> once = stagingSnapshot();
        state = new DynamoDbLedger(new StateTable(dynamoDb, newStateTable()));

        service(Failing.onDelete(new S3ObjectStore(s3))).process(object);

        assertThat(stagingSnapshot()).isEqualTo(once);
    }

    @Test
    void gzipObjectsAndHeaderFilesAreRead() throws Exception {
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
            out.write(Files.readAllBytes(SAMPLES.resolve("azuresql/dbo/invoices/sample-invoices.csv")));
        }
        RawObjectRef object = put("azuresql/dbo/invoices/page-0001.csv.gz", gz.toByteArray());

        Manifest manifest = ((Processed) service().process(object)).manifest();

        assertThat(manifest.rowsWritten()).isEqualTo(3);
        assertThat(query("SELECT account_id, invoice_id, amount::VARCHAR, issued_on::VARCHAR, paid FROM staged ORDER BY invoice_id"))
                .containsExactly("acme|9001|195.50|2024-05-31|true", "globex|9002|2014.99|2024-05-31|false",
                        "initech|9003|42.00|2024-05-31|true");
    }

    @Test
    void aColumnTheDatasetGainsReachesTheCatalogTableWithTheNextConversion() throws Exception {
        service().process(putSample("azuresql/dbo/accounts/sample-accounts.csv"));
        PipelineConfig withTier = PipelineLoader.parse(Files.readString(Path.of("../pipeline.yaml")).replace(
                "      - { name: region, type: string }\n",
                "      - { name: region, type: string }\n      - { name: tier, type: string }\n"), "pipeline.yaml + tier");
        RawObjectRef next = put("azuresql/dbo/accounts/page-2.csv", """
                account_id,name,plan,region,tier,created_at,updated_at
                umbrella,Umbrella,growth,eu-west-1,gold,2023-09-01 08:00:00,2024-06-02 09:00:00
                """.getBytes(StandardCharsets.UTF_8));

        new RawObjectService(withTier, new S3ObjectStore(s3), catalog, state,
                new IngestSettings(STAGING, temp.resolve("tmp"), ParquetSettings.defaults()),
                Clock.systemUTC(), JsonLogger.silent()).process(next);

        assertThat(catalog.table("accounts_changes").orElseThrow().columns()).extracting(CatalogColumn::name).containsExactly(
                "name", "plan", "region", "tier", "created_at", "updated_at",
                "_op", "_commit_ts", "_source_key", "_source_line", "_ingested_at");
        assertThat(catalog.partitions("accounts_changes")).extracting(p -> p.values().get(0))
                .containsExactlyInAnyOrder("acme", "globex", "initech", "umbrella");
        // The new partition is registered with the new schema; the old ones keep theirs, which
        // Athena reads by name (the new column is null there).
        assertThat(partitionColumns("accounts_changes", "umbrella")).contains("tier");
        assertThat(partitionColumns("accounts_changes", "acme")).doesNotContain("tier");
    }

    @Test
    void aConversionEndsWithAChangeIndexEntryNamingItsManifest() throws Exception {
        RawObjectRef object = putSample("dms/shop/orders/LOAD00000001.csv");
        Instant before = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);

        Manifest manifest = ((Processed) service().process(object)).manifest();

        List<String> entries = new S3ObjectStore(s3).list(STAGING, ChangeIndex.PREFIX);
        assertThat(entries).singleElement().satisfies(entry -> {
            assertThat(entry).startsWith(ChangeIndex.hourFolder("orders", ChangeIndex.writtenAt(entry)))
                    .endsWith("-" + manifest.objectId() + ".json");
            assertThat(ChangeIndex.writtenAt(entry)).isBetween(before, Instant.now());
            assertThat(read(STAGING, entry)).isEqualTo(manifest.manifestKey());
        });
    }

    @Test
    void aConversionPublishesItsCountsForItsDatasetAndAReplayPublishesNothing() throws Exception {
        RawObjectRef object = putSample("dms/shop/orders/LOAD00000001.csv");
        ByteArrayOutputStream logs = new ByteArrayOutputStream();
        RawObjectService service = new RawObjectService(PIPELINE, new S3ObjectStore(s3), catalog, state, settings(),
                Clock.systemUTC(), new JsonLogger(new PrintStream(logs, true, StandardCharsets.UTF_8), Clock.systemUTC(),
                        "raw-object"));

        service.process(object);

        List<JsonNode> metrics = EmfLines.in(logs);
        assertThat(metrics).singleElement().satisfies(line -> {
            assertThat(line.path("_aws").path("CloudWatchMetrics").get(0).path("Dimensions").toString())
                    .isEqualTo("[[\"Dataset\"]]");
            assertThat(line.path("Dataset").asText()).isEqualTo("orders");
            assertThat(line.path("RowsRead").asLong()).isEqualTo(9);
            assertThat(line.path("RowsWritten").asLong()).isEqualTo(7);
            assertThat(line.path("RowsQuarantined").asLong()).isEqualTo(2);
            assertThat(line.path("ObjectsConverted").asLong()).isEqualTo(1);
            assertThat(line.path("ConversionSeconds").isNumber()).isTrue();
        });

        logs.reset();
        assertThat(service.process(object)).isInstanceOf(AlreadyProcessed.class);
        // A replay converted nothing: counting it again would double the rows of the quarantine ratio.
        assertThat(EmfLines.in(logs)).isEmpty();
    }

    @Test
    void aMongoDbDeleteByIdAloneIsKeptForTheRefreshNotQuarantined() throws Exception {
        RawObjectRef object = put("dms/app/events/20240602-0900000000.csv", (
                "D,2024-06-02 09:00:00.000000,665a1f0e9b1e8a0001a1b001,\\N\n"
                + "I,2024-06-02 09:00:01.000000,665a1f0e9b1e8a0001a1b009,\"{\"\"account_id\"\": \"\"__HIVE_DEFAULT_PARTITION__\"\"}\"\n")
                .getBytes(StandardCharsets.UTF_8));

        Manifest manifest = ((Processed) service().process(object)).manifest();

        assertThat(manifest.rowsWritten()).isEqualTo(1);
        assertThat(manifest.partitions()).singleElement()
                .satisfies(p -> assertThat(p.values().get(0)).isEqualTo(PartitionPaths.NO_ACCOUNT));
        assertThat(manifest.outputKeys()).singleElement().asString()
                .startsWith("events_changes/account_id=__HIVE_DEFAULT_PARTITION__/dt=");
        // A row that claims the reserved value as its account is refused, not filed with the deletes.
        assertThat(read(STAGING, manifest.quarantineKey())).contains(
                "account id __HIVE_DEFAULT_PARTITION__ is reserved for deletes that name no account");
    }

    @Test
    void keysOfNoDatasetAndVanishedObjectsAreSkipped() {
        assertThat(service().process(RawObjectRef.of(RAW, "elsewhere/file.csv")))
                .isInstanceOfSatisfying(Skipped.class, s -> assertThat(s.reason())
                        .isEqualTo("key matches no dataset's raw_prefix in pipeline.yaml"));
        assertThat(service().process(RawObjectRef.of(RAW, "dms/shop/orders/gone.csv")))
                .isInstanceOfSatisfying(Skipped.class, s -> assertThat(s.reason()).isEqualTo("object no longer exists"));
        assertThat(stagingKeys()).isEmpty();
    }

    @Test
    void slowDownAnswersAreRetriedAndTheObjectCompletes() throws Exception {
        Path root = Files.createDirectories(temp.resolve("s3-open"));
        try (EmbeddedS3 open = EmbeddedS3.builder(root).withoutAuthorization().start();
                FaultInjectingProxy proxy = FaultInjectingProxy.start(open.endpoint())) {
            open.createBucket(RAW);
            open.createBucket(STAGING);
            S3Client client = S3Clients.create(AwsSettings.local(proxy.endpoint(), "us-east-1", "a", "b"));
            client.putObject(b -> b.bucket(RAW).key("dms/shop/orders/LOAD00000001.csv"),
                    RequestBody.fromFile(SAMPLES.resolve("dms/shop/orders/LOAD00000001.csv")));
            proxy.failFirst(2, r -> r.is("PUT")).failFirst(1, r -> r.is("GET"));

            Manifest manifest = ((Processed) service(new S3ObjectStore(client))
                    .process(RawObjectRef.of(RAW, "dms/shop/orders/LOAD00000001.csv"))).manifest();

            assertThat(proxy.failuresInjected()).isEqualTo(3);
            assertThat(manifest.rowsWritten()).isEqualTo(7);
            try (Stream<Path> files = Files.walk(root.resolve(STAGING).resolve("orders_changes"))) {
                assertThat(files.filter(p -> p.toString().endsWith(".parquet"))).hasSize(3);
            }
            client.close();
        }
    }

    private List<String> partitionColumns(String table, String account) {
        List<String> values = catalog.partitions(table).stream()
                .filter(p -> p.values().get(0).equals(account)).findFirst().orElseThrow().values();
        return glue.getPartition(r -> r.databaseName(database).tableName(table).partitionValues(values))
                .partition().storageDescriptor().columns().stream().map(Column::name).toList();
    }

    private RawObjectService service() {
        return service(new S3ObjectStore(s3));
    }

    private RawObjectService service(ObjectStore store) {
        return service(store, settings());
    }

    private RawObjectService service(ObjectStore store, IngestSettings settings) {
        return new RawObjectService(PIPELINE, store, catalog, state, settings, Clock.systemUTC(), JsonLogger.silent());
    }

    private IngestSettings settings() {
        return new IngestSettings(STAGING, temp.resolve("tmp"), ParquetSettings.defaults());
    }

    private String newStateTable() {
        String table = "tarn-state-" + NAMES.incrementAndGet();
        StateTable.create(dynamoDb, table);
        return table;
    }

    private static RawObjectRef putSample(String key) throws IOException {
        return put(key, Files.readAllBytes(SAMPLES.resolve(key)));
    }

    private static RawObjectRef put(String key, byte[] bytes) {
        String eTag = s3.putObject(b -> b.bucket(RAW).key(key), RequestBody.fromBytes(bytes)).eTag();
        return new RawObjectRef(RAW, key, Optional.empty(), Optional.of(eTag));
    }

    private static String objectId(RawObjectRef object) {
        return RawObjectRef.objectId(object.bucket(), object.key(), object.eTag().orElseThrow());
    }

    private static List<String> allKeys(Manifest manifest) {
        List<String> keys = new ArrayList<>(manifest.outputKeys());
        keys.add(manifest.manifestKey());
        if (manifest.quarantineKey() != null) {
            keys.add(manifest.quarantineKey());
        }
        return keys;
    }

    /**
     * The staging bucket's keys but the change index: its entries are named by when they were
     * written, so each conversion adds one (the refresh reads an object's changes once however
     * many entries name its manifest; see indexEntriesNameTheManifest...).
     */
    private List<String> stagingKeys() {
        return new S3ObjectStore(s3).list(STAGING, "").stream().filter(key -> !key.startsWith(ChangeIndex.PREFIX)).toList();
    }

    private Map<String, String> stagingSnapshot() throws Exception {
        Map<String, String> snapshot = new TreeMap<>();
        for (String key : stagingKeys()) {
            snapshot.put(key, HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(readBytes(STAGING, key))));
        }
        return snapshot;
    }

    private static void emptyBucket(String bucket) {
        S3ObjectStore store = new S3ObjectStore(s3);
        for (String key : store.list(bucket, "")) {
            s3.deleteObject(b -> b.bucket(bucket).key(key));
        }
    }

    private static byte[] readBytes(String bucket, String key) throws IOException {
        try (InputStream in = new S3ObjectStore(s3).open(bucket, key, Optional.empty())) {
            return in.readAllBytes();
        }
    }

    private static String read(String bucket, String key) throws IOException {
        return new String(readBytes(bucket, key), StandardCharsets.UTF_8);
    }

    /** Runs SQL over every staged Parquet file of the test's staging bucket, as the view {@code staged}. */
    private List<String> query(String sql) throws Exception {
        Path files = s3Root.resolve(STAGING).resolve("orders_changes");
        Path invoices = s3Root.resolve(STAGING).resolve("invoices_changes");
        Path dir = Files.exists(files) ? files : invoices;
        return duck("CREATE VIEW staged AS SELECT * FROM read_parquet('" + dir + "/**/*.parquet', hive_partitioning = true)", sql);
    }

    private List<String> queryPartition(Partition partition, String sql) throws Exception {
        Path dir = s3Root.resolve(partition.location().substring("s3://".length()));
        return duck("CREATE VIEW part AS SELECT * FROM read_parquet('" + dir + "/*.parquet', hive_partitioning = false)", sql);
    }

    private static List<String> duck(String setup, String sql) throws Exception {
        try (Connection connection = DriverManager.getConnection("jdbc:duckdb:");
                Statement statement = connection.createStatement()) {
            statement.execute("SET TimeZone = 'UTC'");
            statement.execute(setup);
            List<String> rows = new ArrayList<>();
            try (ResultSet result = statement.executeQuery(sql)) {
                int columns = result.getMetaData().getColumnCount();
                while (result.next()) {
                    StringBuilder row = new StringBuilder();
                    for (int i = 1; i <= columns; i++) {
                        row.append(i > 1 ? "|" : "").append(result.getString(i));
                    }
                    rows.add(row.toString());
                }
            }
            return rows;
        }
    }

    /**
     * An object store whose staging writes fail after a number of successes, like a crash
     * mid-object, or whose deletes fail.
     */
    private static final class Failing extends ForwardingObjectStore {
        private final boolean deletesFail;
        private int putsLeft;

        private Failing(ObjectStore delegate, int puts, boolean deletesFail) {
            super(delegate);
            this.putsLeft = puts;
            this.deletesFail = deletesFail;
        }

        static Failing afterPuts(ObjectStore delegate, int puts) {
            return new Failing(delegate, puts, false);
        }

        static Failing onDelete(ObjectStore delegate) {
            return new Failing(delegate, Integer.MAX_VALUE, true);
        }

        @Override
        public void put(String bucket, String key, Path file, String contentType) {
            countdown(bucket, key);
            delegate.put(bucket, key, file, contentType);
        }

        @Override
        public void put(String bucket, String key, byte[] bytes, String contentType) {
            countdown(bucket, key);
            delegate.put(bucket, key, bytes, contentType);
        }

        @Override
        public void delete(String bucket, Collection<String> keys) {
            if (deletesFail) {
                throw new StorageException("Cannot delete %d object(s) in s3://%s: injected failure"
                        .formatted(keys.size(), bucket), null);
            }
            delegate.delete(bucket, keys);
        }

        private synchronized void countdown(String bucket, String key) {
            if (putsLeft-- <= 0) {
                throw new StorageException("Cannot write s3://" + bucket + "/" + key + ": injected failure", null);
            }
        }
    }
}
