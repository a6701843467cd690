package io.tarn.ingest;

import static java.util.Objects.requireNonNull;

import io.tarn.catalog.Catalog;
import io.tarn.catalog.Partition;
import io.tarn.catalog.StagingLayout;
import io.tarn.current.ChangeIndex;
import io.tarn.ingest.IngestOutcome.AlreadyProcessed;
import io.tarn.ingest.IngestOutcome.Processed;
import io.tarn.ingest.IngestOutcome.Skipped;
import io.tarn.ingest.Manifest.PartitionEntry;
import io.tarn.log.JsonLogger;
import io.tarn.metrics.EmfMetrics;
import io.tarn.metrics.Metric;
import io.tarn.metrics.TarnMetrics;
import io.tarn.parquet.BatchWriter;
import io.tarn.parquet.PartitionBatches;
import io.tarn.parquet.PartitionTable;
import io.tarn.parquet.PartitionedParquetWriter.PartitionStats;
import io.tarn.parquet.PartitionedParquetWriter;
import io.tarn.parquet.StagingSchema;
import io.tarn.partition.PartitionKey;
import io.tarn.pipeline.Dataset;
import io.tarn.pipeline.PipelineConfig;
import io.tarn.state.Ledger;
import io.tarn.state.LedgerEntry;
import io.tarn.storage.ObjectInfo;
import io.tarn.storage.ObjectStore;
import io.tarn.typing.RawRecords;
import io.tarn.typing.RowTyper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Converts one raw CSV object into staging Parquet: parse, type, validate, partition by account,
 * write, register the partitions, record the object in the ledger.
 *
 * <p>Every event is assumed to arrive at least once and out of order. Output names derive from
 * the object version and the partition, so a replay overwrites rather than duplicates; the ledger
 * entry is written last, only once everything else is durable, so a crash anywhere before it
 * means the next delivery does the whole object again and converges to the same content.
 *
 * <p>A conversion with other settings than an earlier one of the same object (another codec, so
 * another file suffix; another memory budget, so another number of parts; another partitioning)
 * names its files differently: it removes the earlier files it did not overwrite, which the
 * earlier manifest lists, so readers never see a row twice.
 */
public final class RawObjectService {

    private final PipelineConfig pipeline;
    private final ObjectStore store;
    private final Catalog catalog;
    private final Ledger ledger;
    private final IngestSettings settings;
    private final Clock clock;
    private final JsonLogger log;
    private final EmfMetrics metrics;
    private final Map<String, StagingSchema> schemas = new HashMap<>();

    /** Part files uploaded at once: S3 PUT latency, not bandwidth, bounds small-file uploads. */
    static final int UPLOAD_CONCURRENCY = 8;

    public RawObjectService(PipelineConfig pipeline, ObjectStore store, Catalog catalog, Ledger ledger,
            IngestSettings settings, Clock clock, JsonLogger log) {
        this.pipeline = requireNonNull(pipeline, "pipeline is null");
        this.store = requireNonNull(store, "store is null");
        this.catalog = requireNonNull(catalog, "catalog is null");
        this.ledger = requireNonNull(ledger, "ledger is null");
        this.settings = requireNonNull(settings, "settings is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.log = requireNonNull(log, "log is null");
        this.metrics = new EmfMetrics(log, clock);
    }

    public IngestOutcome process(RawObjectRef object) {
        Optional<Dataset> match = pipeline.datasetForKey(object.key());
        if (match.isEmpty()) {
            return skip(object, "key matches no dataset's raw_prefix in pipeline.yaml");
        }
        Dataset dataset = match.get();
        if (object.key().endsWith("/")) {
            return skip(object, "key is a folder marker");
        }
        Optional<ObjectInfo> head = store.head(object.bucket(), object.key());
        if (head.isEmpty() && object.versionId().isEmpty()) {
            return skip(object, "object no longer exists");
        }
        if (head.isPresent() && object.versionId().isEmpty() && object.eTag().isPresent()
                && !object.eTag().get().equals(head.get().eTag())) {
            // Unversioned bucket, and the key was overwritten after this event: the bytes it
            // announced are gone, and the newer write has an event of its own.
            return skip(object, "object was overwritten since the event; its newer version is processed by its own event");
        }
        String revision = object.versionId()
                .or(() -> head.map(ObjectInfo::eTag))
                .or(object::eTag)
                .orElseThrow(() -> new IllegalStateException("No version or ETag for " + object.uri()));
        String objectId = RawObjectRef.objectId(object.bucket(), object.key(), revision);

        Optional<LedgerEntry> done = ledger.findProcessed(objectId);
        if (done.isPresent()) {
            log.info("raw object already processed", Map.of("source", object.uri(), "objectId", objectId));
            return new AlreadyProcessed(object, done.get());
        }
        Instant landedAt = head.map(ObjectInfo::lastModified).orElse(clock.instant());
        Instant started = clock.instant();
        Manifest manifest;
        try {
            manifest = convert(object, dataset, objectId, landedAt);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot convert " + object.uri() + ": " + e.getMessage(), e);
        }
        LedgerEntry entry = new LedgerEntry(objectId, object.uri(), dataset.name(), manifest.manifestKey(),
                manifest.rowsRead(), manifest.rowsWritten(), manifest.rowsQuarantined(), clock.instant());
        if (!ledger.recordProcessed(entry)) {
            // A concurrent delivery finished first; both wrote the same names, so nothing is doubled.
            log.info("raw object recorded by a concurrent delivery", Map.of("source", object.uri(), "objectId", objectId));
        }
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("source", object.uri());
        fields.put("dataset", dataset.name());
        fields.put("rowsRead", manifest.rowsRead());
        fields.put("rowsWritten", manifest.rowsWritten());
        fields.put("rowsQuarantined", manifest.rowsQuarantined());
        fields.put("partitions", manifest.partitions().size());
        log.info("raw object converted", fields);
        publishMetrics(manifest, Duration.between(started, clock.instant()));
        return new Processed(object, manifest);
    }

    /** One conversion's figures: a replay that finds the ledger entry converts nothing and counts nothing. */
    private void publishMetrics(Manifest manifest, Duration took) {
        Map<Metric, Number> values = new LinkedHashMap<>();
        values.put(TarnMetrics.ROWS_READ, manifest.rowsRead());
        values.put(TarnMetrics.ROWS_WRITTEN, manifest.rowsWritten());
        values.put(TarnMetrics.ROWS_QUARANTINED, manifest.rowsQuarantined());
        values.put(TarnMetrics.OBJECTS_CONVERTED, 1);
        values.put(TarnMetrics.CONVERSION_SECONDS, took.toNanos() / 1e9);
        metrics.publishForDataset(manifest.dataset(), values);
    }

    private Manifest convert(RawObjectRef object, Dataset dataset, String objectId, Instant landedAt) throws IOException {
        StagingSchema schema = schemas.computeIfAbsent(dataset.name(), name -> new StagingSchema(dataset));
        String table = dataset.changesTable();
        PartitionTable partitionIds = new PartitionTable();
        RowTyper typer = new RowTyper(schema, object.uri(), ChronoUnit.MICROS.between(Instant.EPOCH, landedAt), partitionIds);
        // A folder of its own per conversion: two conversions in one process never share scratch files.
        Path work = Files.createTempDirectory(Files.createDirectories(settings.tempDir()), "convert-");
        List<String> outputKeys = new ArrayList<>();
        Uploads uploads = new Uploads(store, settings.stagingBucket(), UPLOAD_CONCURRENCY);
        PartitionedParquetWriter.PartSink upload = (partition, part, file, rows) -> {
            String key = table + "/" + partition.path() + "/part-" + objectId + "-" + String.format("%05d", part)
                    + settings.parquet().fileSuffix();
            uploads.submit(key, file, "application/vnd.apache.parquet");
            outputKeys.add(key);
        };
        Path quarantinePath = work.resolve("quarantine.csv");
        try (uploads;
                QuarantineFile quarantine = new QuarantineFile(quarantinePath, object.uri());
                BatchWriter writer = new BatchWriter(schema, partitionIds, settings.parquet(), work, upload);
                InputStream raw = store.open(object.bucket(), object.key(), object.versionId())) {
            long rowsRead = RawRecords.read(raw, dataset.format(), settings.maxRecordChars(), typer, new RawRecords.Handler() {
                @Override
                public PartitionBatches rows(PartitionBatches rows) throws IOException {
                    return writer.write(rows);
                }

                @Override
                public void rejected(long line, String reason, String rawRecord) throws IOException {
                    quarantine.add(line, reason, rawRecord);
                }
            });
            Map<PartitionKey, PartitionStats> written = writer.finish();
            uploads.awaitAll();
            quarantine.finishWriting();

            String quarantineKey = null;
            if (quarantine.rows() > 0) {
                quarantineKey = StagingLayout.QUARANTINE_PREFIX + dataset.name() + "/" + objectId + ".csv";
                store.put(settings.stagingBucket(), quarantineKey, quarantinePath, "text/csv");
            }
            List<PartitionEntry> partitions = register(schema, written);
            long rowsWritten = partitions.stream().mapToLong(PartitionEntry::rows).sum();
            String manifestKey = StagingLayout.MANIFEST_PREFIX + dataset.name() + "/" + objectId + ".json";
            outputKeys.sort(null);
            removeEarlierOutputs(objectId, manifestKey, outputKeys, quarantineKey);
            Manifest manifest = new Manifest(object.uri(), objectId, dataset.name(), table, schema.fingerprint(),
                    rowsRead, rowsWritten, quarantine.rows(), partitions, outputKeys, quarantineKey, manifestKey,
                    landedAt.toString());
            store.put(settings.stagingBucket(), manifestKey, manifest.toJson(), "application/json");
            if (!partitions.isEmpty()) {
                // Last: the refresh finds the changes through this entry, so they must all be there.
                store.put(settings.stagingBucket(), ChangeIndex.key(dataset.name(), clock.instant(), objectId),
                        manifestKey.getBytes(StandardCharsets.UTF_8), "text/plain");
            }
            return manifest;
        } finally {
            deleteTree(work);
        }
    }

    /**
     * Deletes what an earlier conversion of this object wrote and this one did not overwrite.
     *
     * <p>Called once this conversion's outputs are all uploaded and before its manifest replaces the
     * earlier one. A crash before or during the deletes leaves the earlier manifest in place, so the
     * next attempt still finds the keys to delete (deleting a key already gone succeeds). Written the
     * other way round, a crash between the manifest and the deletes would lose the only list of the
     * stale keys, and their rows would stay doubled for good.
     */
    private void removeEarlierOutputs(String objectId, String manifestKey, List<String> outputKeys, String quarantineKey)
            throws IOException {
        Optional<Manifest> earlier = earlierManifest(manifestKey);
        if (earlier.isEmpty()) {
            return;
        }
        Set<String> kept = new HashSet<>(outputKeys);
        if (quarantineKey != null) {
            kept.add(quarantineKey);
        }
        List<String> stale = new ArrayList<>();
        for (String key : earlier.get().outputKeys()) {
            if (!kept.contains(key)) {
                stale.add(key);
            }
        }
        String earlierQuarantine = earlier.get().quarantineKey();
        if (earlierQuarantine != null && !kept.contains(earlierQuarantine)) {
            stale.add(earlierQuarantine);
        }
        if (!stale.isEmpty()) {
            store.delete(settings.stagingBucket(), stale);
            log.info("outputs of an earlier conversion removed", Map.of("objectId", objectId, "objects", stale.size()));
        }
    }

    /** The manifest an earlier conversion of this object left, if any. */
    private Optional<Manifest> earlierManifest(String manifestKey) throws IOException {
        // Listed before it is read: the function may list only manifests/, and to a caller that
        // cannot list a bucket, S3 answers a read of a missing key with 403, not 404.
        if (!store.list(settings.stagingBucket(), manifestKey).contains(manifestKey)) {
            return Optional.empty();
        }
        byte[] json;
        try (InputStream in = store.open(settings.stagingBucket(), manifestKey, Optional.empty())) {
            json = in.readAllBytes();
        }
        try {
            return Optional.of(Manifest.fromJson(json));
        } catch (IllegalArgumentException e) {
            // Going on would leave the files it lists beside the new ones: stop, naming it.
            throw new IllegalStateException("Cannot read the earlier manifest s3://%s/%s, which lists the outputs to replace: %s"
                    .formatted(settings.stagingBucket(), manifestKey, e.getMessage()), e);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (java.util.stream.Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }

    /** Registers exactly the partitions written (creating the table on first use); returns them in path order. */
    private List<PartitionEntry> register(StagingSchema schema, Map<PartitionKey, PartitionStats> written) {
        String location = "s3://" + settings.stagingBucket() + "/" + schema.dataset().changesTable() + "/";
        List<PartitionEntry> partitions = new ArrayList<>();
        List<Partition> catalogPartitions = new ArrayList<>();
        written.entrySet().stream()
                .sorted(Comparator.comparing(e -> e.getKey().path()))
                .forEach(e -> {
                    String partitionLocation = location + e.getKey().path() + "/";
                    partitions.add(new PartitionEntry(e.getKey().values(), partitionLocation,
                            e.getValue().rows(), e.getValue().parts()));
                    catalogPartitions.add(new Partition(e.getKey().values(), partitionLocation));
                });
        if (!catalogPartitions.isEmpty()) {
            catalog.ensureTable(schema.changesTableDefinition(location));
            catalog.registerPartitions(schema.dataset().changesTable(), catalogPartitions);
        }
        return partitions;
    }

    private IngestOutcome skip(RawObjectRef object, String reason) {
        log.info("raw object skipped", Map.of("source", object.uri(), "reason", reason));
        return new Skipped(object, reason);
    }
}
