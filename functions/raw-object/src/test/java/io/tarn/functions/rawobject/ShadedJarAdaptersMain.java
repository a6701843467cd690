package io.tarn.functions.rawobject;

import io.tarn.aws.AwsClients;
import io.tarn.aws.AwsSettings;
import io.tarn.aws.dynamodb.DynamoDbLedger;
import io.tarn.aws.dynamodb.DynamoDbSchemaFingerprints;
import io.tarn.aws.dynamodb.DynamoDbWatermarks;
import io.tarn.aws.dynamodb.StateTable;
import io.tarn.aws.s3.S3Clients;
import io.tarn.aws.s3.S3ObjectStore;
import io.tarn.embedded.LambdaJar;
import io.tarn.state.LedgerEntry;
import io.tarn.state.Watermark;
import io.tarn.storage.ObjectInfo;
import io.tarn.storage.StorageException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Runs in a JVM of its own with only the shaded Lambda jar and this class's folder on the class
 * path (see {@link ShadedJarIT}) and makes every S3 and DynamoDB call of Tarn's adapters through
 * the jar's SDK classes, whose models the shade step strips to those calls, against moto through
 * the IT's recording proxy. Prints one line per step:
 * <ol>
 *   <li>for each of two S3 clients, the local one of {@link S3Clients#create} (path-style, checksums
 *       only where required) and one with the SDK's default checksums (a CRC32 with every upload
 *       and part, as in AWS): an 11 MiB file uploaded in three parts and read back, HeadObject's
 *       size, the first of two versions of a key read by its version id and the current one,
 *       ListObjectsV2, DeleteObjects of the keys and of one that never existed, then the listing,
 *       HeadObject and GetObject of a deleted key;
 *   <li>a multipart upload whose second part the proxy answers with 503, by a client that does not
 *       retry: the store's error, after it aborted the upload;
 *   <li>the state table created and waited for, and each kind of state adapter write and read,
 *       the conditional ones failing once each;
 *   <li>for S3 and DynamoDB, whether every class of the module in the jar loads
 *       ({@link LambdaJar#loadSdkClasses}).
 * </ol>
 *
 * <p>Arguments: the proxy's endpoint, the versioned bucket, the state table, a scratch folder.
 */
public final class ShadedJarAdaptersMain {

    /** Above the 5 MiB part size of the stores here, so three parts: 5, 5 and 1 MiB. */
    static final int BIG = 11 * 1024 * 1024;
    static final S3ObjectStore.Settings IN_5_MIB_PARTS =
            new S3ObjectStore.Settings(S3ObjectStore.MIN_PART_SIZE, S3ObjectStore.MIN_PART_SIZE);

    private ShadedJarAdaptersMain() {}

    public static void main(String[] args) throws Exception {
        URI endpoint = URI.create(args[0]);
        String bucket = args[1];
        String stateTable = args[2];
        Path scratch = Files.createDirectories(Path.of(args[3]));
        AwsSettings moto = AwsSettings.local(endpoint, "us-east-1", "test", "test");
        AwsClients clients = new AwsClients(moto);
        byte[] big = new byte[BIG];
        new Random(42).nextBytes(big);
        Path bigFile = Files.write(scratch.resolve("big.bin"), big);

        try (S3Client local = S3Clients.create(clients.settings());
                S3Client awsChecksums = clients.build(S3Client.builder().forcePathStyle(true))) {
            System.out.println(objectCalls("local", new S3ObjectStore(local, IN_5_MIB_PARTS), bucket, bigFile, big));
            System.out.println(objectCalls("checksums", new S3ObjectStore(awsChecksums, IN_5_MIB_PARTS), bucket, bigFile,
                    big));
        }
        try (S3Client once = S3Client.builder()
                .region(Region.US_EAST_1)
                .endpointOverride(endpoint)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
                .forcePathStyle(true)
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()))
                .build()) {
            new S3ObjectStore(once, IN_5_MIB_PARTS).put(bucket, "aborted/big.bin", bigFile, "application/octet-stream");
            System.out.println("aborted: no failure?");
        } catch (StorageException e) {
            System.out.println("aborted: " + e.getMessage());
        }

        try (DynamoDbClient dynamoDb = clients.build(DynamoDbClient.builder())) {
            System.out.println(stateCalls(dynamoDb, stateTable));
        }

        LambdaJar.sdkClassesLoad(S3ObjectStore.class, List.of("s3", "dynamodb")).forEach(System.out::println);
    }

    private static String objectCalls(String folder, S3ObjectStore store, String bucket, Path bigFile, byte[] big) {
        String bigKey = folder + "/big.bin";
        String versioned = folder + "/versioned.txt";
        store.put(bucket, bigKey, bigFile, "application/octet-stream");
        boolean same = Arrays.equals(read(store, bucket, bigKey, Optional.empty()), big);
        long size = store.head(bucket, bigKey).orElseThrow().size();

        store.put(bucket, versioned, "first".getBytes(StandardCharsets.UTF_8), "text/plain");
        String firstVersion = store.head(bucket, versioned).flatMap(ObjectInfo::versionId).orElseThrow();
        store.put(bucket, versioned, "second".getBytes(StandardCharsets.UTF_8), "text/plain");
        String first = new String(read(store, bucket, versioned, Optional.of(firstVersion)), StandardCharsets.UTF_8);
        String current = new String(read(store, bucket, versioned, Optional.empty()), StandardCharsets.UTF_8);

        List<String> listed = store.list(bucket, folder + "/");
        store.delete(bucket, List.of(bigKey, versioned, folder + "/never-written"));
        List<String> afterDelete = store.list(bucket, folder + "/");
        Optional<ObjectInfo> deletedHead = store.head(bucket, bigKey);
        String deletedRead;
        try {
            read(store, bucket, bigKey, Optional.empty());
            deletedRead = "read";
        } catch (StorageException e) {
            deletedRead = e.getClass().getSimpleName() + ": " + e.getMessage();
        }
        return "%s: parts read back %s, size %d; versions %s then %s; listed %s; after delete listed %s, head %s, get %s"
                .formatted(folder, same ? "equal" : "DIFFERENT", size, first, current, listed, afterDelete,
                        deletedHead, deletedRead);
    }

    private static byte[] read(S3ObjectStore store, String bucket, String key, Optional<String> versionId) {
        try (InputStream in = store.open(bucket, key, versionId)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String stateCalls(DynamoDbClient dynamoDb, String table) {
        StateTable.create(dynamoDb, table);
        StateTable state = new StateTable(dynamoDb, table);
        DynamoDbLedger ledger = new DynamoDbLedger(state);
        DynamoDbWatermarks watermarks = new DynamoDbWatermarks(state);
        DynamoDbSchemaFingerprints fingerprints = new DynamoDbSchemaFingerprints(state);
        Instant at = Instant.parse("2024-06-01T09:00:00Z");
        LedgerEntry entry = new LedgerEntry("raw/orders@v1", "s3://tarn-raw/orders.csv", "orders",
                "manifests/orders/raw-orders-v1.json", 9, 7, 2, at);
        boolean recorded = ledger.recordProcessed(entry);
        boolean recordedAgain = ledger.recordProcessed(entry);
        boolean found = ledger.findProcessed(entry.objectId()).equals(Optional.of(entry));
        boolean leased = watermarks.acquireLease("invoices", "poller-a", at, at.plusSeconds(60));
        boolean leasedByOther = watermarks.acquireLease("invoices", "poller-b", at.plusSeconds(1), at.plusSeconds(61));
        Watermark next = new Watermark("invoices", "2024-06-01T08:59:00Z", 1, at);
        boolean advanced = watermarks.advanceWatermark("invoices", Watermark.NONE, next);
        boolean advancedAgain = watermarks.advanceWatermark("invoices", Watermark.NONE, next);
        boolean watermark = watermarks.watermark("invoices").equals(Optional.of(next));
        watermarks.releaseLease("invoices", "poller-a");
        fingerprints.recordSchemaFingerprint("orders", "fp-2", at);
        fingerprints.recordSchemaFingerprint("orders", "fp-1", at.minusSeconds(60));
        return ("state: recorded %s then %s, found %s; leased %s then by another %s; advanced %s then %s, read %s;"
                + " fingerprint %s")
                .formatted(recorded, recordedAgain, found, leased, leasedByOther, advanced, advancedAgain, watermark,
                        fingerprints.schemaFingerprint("orders").orElse("none"));
    }

}
