package io.tarn.functions.rawobject;

import io.tarn.catalog.Catalog;
import io.tarn.catalog.Partition;
import io.tarn.catalog.TableDefinition;
import io.tarn.embedded.LambdaJar;
import io.tarn.ingest.IngestSettings;
import io.tarn.ingest.RawObjectEventProcessor;
import io.tarn.ingest.RawObjectService;
import io.tarn.log.JsonLogger;
import io.tarn.parquet.ParquetSettings;
import io.tarn.pipeline.PipelineLoader;
import io.tarn.state.LedgerEntry;
import io.tarn.state.StateStore;
import io.tarn.state.Watermark;
import io.tarn.storage.ObjectInfo;
import io.tarn.storage.ObjectNotFoundException;
import io.tarn.storage.ObjectStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Runs in a JVM of its own with only the shaded Lambda jar and this class on the class path (see
 * {@link ShadedJarIT}): the handler, over the bundled pipeline.yaml, converts one raw object into
 * Parquet under a folder, with object storage as plain files and catalog and state in memory.
 *
 * <p>Arguments: the lake folder (raw objects under {@code <dir>/<bucket>/<key>}, staging written
 * to {@code <dir>/tarn-staging/}) and one or more event files. Prints the handler's response to
 * each, one line per event, on stdout.
 */
public final class ShadedJarMain {

    private ShadedJarMain() {}

    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            System.err.println("usage: ShadedJarMain LAKE_DIR EVENT_FILE...");
            System.exit(2);
        }
        try {
            Class.forName("org.apache.hadoop.conf.Configuration");
            System.err.println("Hadoop is on the class path");
            System.exit(3);
        } catch (ClassNotFoundException expected) {
            // The point of the exercise: the conversion has to run without it.
        }
        Path lake = Path.of(args[0]);
        JsonLogger log = new JsonLogger(System.err, Clock.systemUTC(), "raw-object");
        RawObjectService service = new RawObjectService(
                PipelineLoader.loadResource("pipeline.yaml"),
                new FolderStore(lake),
                new MemoryCatalog(),
                new MemoryState(),
                new IngestSettings("tarn-staging", lake.resolve("tmp"), ParquetSettings.defaults()),
                Clock.systemUTC(),
                log);
        RawObjectHandler handler = new RawObjectHandler(new RawObjectEventProcessor(service, log));
        for (int i = 1; i < args.length; i++) {
            System.out.println(LambdaJar.invoke(handler, Path.of(args[i]), 300_000));
        }
    }

    /** Objects as files under {@code <root>/<bucket>/<key>}; the ETag is the MD5 of the bytes, as S3's. */
    private record FolderStore(Path root) implements ObjectStore {

        @Override
        public Optional<ObjectInfo> head(String bucket, String key) {
            Path file = root.resolve(bucket).resolve(key);
            if (!Files.isRegularFile(file)) {
                return Optional.empty();
            }
            try {
                byte[] md5 = MessageDigest.getInstance("MD5").digest(Files.readAllBytes(file));
                return Optional.of(new ObjectInfo(bucket, key, HexFormat.of().formatHex(md5), Optional.empty(),
                        Files.getLastModifiedTime(file).toInstant(), Files.size(file)));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public InputStream open(String bucket, String key, Optional<String> versionId) {
            try {
                return Files.newInputStream(root.resolve(bucket).resolve(key));
            } catch (IOException e) {
                throw new ObjectNotFoundException(bucket, key);
            }
        }

        @Override
        public void put(String bucket, String key, Path file, String contentType) {
            try {
                Path target = root.resolve(bucket).resolve(key);
                Files.createDirectories(target.getParent());
                Files.copy(file, target, StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void put(String bucket, String key, byte[] bytes, String contentType) {
            try {
                Path target = root.resolve(bucket).resolve(key);
                Files.createDirectories(target.getParent());
                Files.write(target, bytes);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public List<String> list(String bucket, String prefix) {
            Path dir = root.resolve(bucket);
            try (Stream<Path> files = Files.walk(dir)) {
                return files.filter(Files::isRegularFile)
                        .map(p -> dir.relativize(p).toString())
                        .filter(key -> key.startsWith(prefix))
                        .sorted()
                        .toList();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void delete(String bucket, Collection<String> keys) {
            try {
                for (String key : keys) {
                    Files.deleteIfExists(root.resolve(bucket).resolve(key));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private static final class MemoryCatalog implements Catalog {
        private final Map<String, TableDefinition> tables = new HashMap<>();
        private final Map<String, LinkedHashSet<Partition>> partitions = new HashMap<>();

        @Override
        public Optional<TableDefinition> table(String name) {
            return Optional.ofNullable(tables.get(name));
        }

        @Override
        public void ensureTable(TableDefinition table) {
            tables.putIfAbsent(table.name(), table);
        }

        @Override
        public int registerPartitions(String table, List<Partition> added) {
            LinkedHashSet<Partition> all = partitions.computeIfAbsent(table, t -> new LinkedHashSet<>());
            int before = all.size();
            all.addAll(added);
            return all.size() - before;
        }

        @Override
        public List<Partition> partitions(String table) {
            return new ArrayList<>(partitions.getOrDefault(table, new LinkedHashSet<>()));
        }

        @Override
        public List<String> tableNames() {
            return tables.keySet().stream().sorted().toList();
        }
    }

    private static final class MemoryState implements StateStore {
        private final Map<String, LedgerEntry> ledger = new HashMap<>();

        @Override
        public Optional<LedgerEntry> findProcessed(String objectId) {
            return Optional.ofNullable(ledger.get(objectId));
        }

        @Override
        public boolean recordProcessed(LedgerEntry entry) {
            return ledger.putIfAbsent(entry.objectId(), entry) == null;
        }

        // The RawObject path keeps no watermarks or leases.
        @Override
        public Optional<Watermark> watermark(String dataset) {
            throw new UnsupportedOperationException("watermark");
        }

        @Override
        public boolean advanceWatermark(String dataset, long expectedSequence, Watermark next) {
            throw new UnsupportedOperationException("advanceWatermark");
        }

        @Override
        public boolean acquireLease(String dataset, String owner, Instant now, Instant until) {
            throw new UnsupportedOperationException("acquireLease");
        }

        @Override
        public void releaseLease(String dataset, String owner) {
            throw new UnsupportedOperationException("releaseLease");
        }

        @Override
        public Optional<String> schemaFingerprint(String table) {
            throw new UnsupportedOperationException("schemaFingerprint");
        }

        @Override
        public void recordSchemaFingerprint(String table, String fingerprint, Instant at) {
            throw new UnsupportedOperationException("recordSchemaFingerprint");
        }
    }
}
