package io.tarn.parquet;

import io.tarn.partition.PartitionKey;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;

/**
 * Rows waiting for a partition writer, on local disk: a fixed number of bucket files, each row
 * placed by a stable hash of its partition path, so that every bucket holds a fraction of the
 * partitions and can later be written with few writers open. Rows are stored Avro-binary, with
 * their partition, so they come back exactly as typed.
 */
final class SpillFiles implements Closeable {

    static final int BUCKETS = 16;

    /** A row read back from a bucket. */
    interface RowSink {
        void accept(PartitionKey partition, GenericRecord row) throws IOException;
    }

    private final Path dir;
    private final int level;
    private final GenericDatumWriter<GenericRecord> datumWriter;
    private final Schema schema;
    private final Path[] files = new Path[BUCKETS];
    private final OutputStream[] streams = new OutputStream[BUCKETS];
    private final BinaryEncoder[] encoders = new BinaryEncoder[BUCKETS];
    private long rows;

    SpillFiles(Path dir, int level, Schema schema) {
        this.dir = dir;
        this.level = level;
        this.schema = schema;
        this.datumWriter = new GenericDatumWriter<>(schema);
    }

    int level() {
        return level;
    }

    long rows() {
        return rows;
    }

    void write(PartitionKey partition, GenericRecord row) throws IOException {
        int bucket = bucket(partition);
        BinaryEncoder encoder = encoders[bucket];
        if (encoder == null) {
            files[bucket] = Files.createTempFile(dir, "spill-" + level + "-" + bucket + "-", ".avro");
            streams[bucket] = new BufferedOutputStream(Files.newOutputStream(files[bucket]), 32 << 10);
            encoder = EncoderFactory.get().binaryEncoder(streams[bucket], null);
            encoders[bucket] = encoder;
        }
        encoder.writeString(partition.account());
        encoder.writeBoolean(partition.day().isPresent());
        if (partition.day().isPresent()) {
            encoder.writeString(partition.day().get());
        }
        datumWriter.write(row, encoder);
        rows++;
    }

    /** One bucket's rows, readable once. */
    interface Bucket {
        void forEach(RowSink sink) throws IOException;
    }

    /** Handles one bucket. */
    interface BucketAction {
        void run(Bucket bucket) throws IOException;
    }

    /** Hands each non-empty bucket to {@code action}, one after the other, deleting each after. */
    void forEachBucket(BucketAction action) throws IOException {
        closeStreams();
        GenericDatumReader<GenericRecord> reader = new GenericDatumReader<>(schema);
        for (int bucket = 0; bucket < BUCKETS; bucket++) {
            Path file = files[bucket];
            if (file == null) {
                continue;
            }
            action.run(sink -> {
                try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 32 << 10)) {
                    BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(in, null);
                    while (!decoder.isEnd()) {
                        String account = decoder.readString();
                        Optional<String> day = decoder.readBoolean() ? Optional.of(decoder.readString()) : Optional.empty();
                        sink.accept(new PartitionKey(account, day), reader.read(null, decoder));
                    }
                }
            });
            Files.delete(file);
            files[bucket] = null;
        }
    }

    @Override
    public void close() throws IOException {
        closeStreams();
        for (int bucket = 0; bucket < BUCKETS; bucket++) {
            if (files[bucket] != null) {
                Files.deleteIfExists(files[bucket]);
                files[bucket] = null;
            }
        }
    }

    private void closeStreams() throws IOException {
        for (int bucket = 0; bucket < BUCKETS; bucket++) {
            if (encoders[bucket] != null) {
                encoders[bucket].flush();
                streams[bucket].close();
                encoders[bucket] = null;
                streams[bucket] = null;
            }
        }
    }

    /**
     * A stable bucket, so a replay on any JVM spills the same rows to the same buckets and
     * produces the same part files. Each level mixes the hash differently, so a bucket split
     * again does not land in one sub-bucket.
     */
    private int bucket(PartitionKey partition) {
        int h = partition.stableHash() * (0x9E3779B1 + 2 * level);
        return Math.floorMod(h ^ (h >>> 16), BUCKETS);
    }
}
