package io.tarn.parquet;

import io.tarn.partition.PartitionKey;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Rows waiting for a partition writer, on local disk: a fixed number of bucket files, each row
 * placed by a stable hash of its partition path, so that every bucket holds a fraction of the
 * partitions and can later be written with few writers open. Rows are stored as typed (each value
 * in its column's binary form, a flag for a null), grouped in chunks that name their partitions
 * once, and come back into batches exactly as they went out.
 */
final class SpillFiles implements Closeable {

    static final int BUCKETS = 16;
    private static final int BUFFER_BYTES = 64 << 10;

    /** Rows read back from a bucket: the sink writes them before the next ones are read. */
    interface BatchSink {
        void accept(PartitionBatches rows) throws IOException;
    }

    /** One bucket's rows, readable once. */
    interface Bucket {
        void forEach(BatchSink sink) throws IOException;
    }

    /** Handles one bucket. */
    interface BucketAction {
        void run(Bucket bucket) throws IOException;
    }

    private final Path dir;
    private final int level;
    private final PartitionTable partitions;
    private final Path[] files = new Path[BUCKETS];
    private final Output[] outputs = new Output[BUCKETS];
    private long rows;

    SpillFiles(Path dir, int level, PartitionTable partitions) {
        this.dir = dir;
        this.level = level;
        this.partitions = partitions;
    }

    int level() {
        return level;
    }

    long rows() {
        return rows;
    }

    /** Appends the batch's rows, all of {@code partition}, to that partition's bucket. */
    void write(ColumnBatch batch, int partition) throws IOException {
        PartitionKey key = partitions.key(partition);
        int bucket = bucket(key);
        Output out = outputs[bucket];
        if (out == null) {
            files[bucket] = Files.createTempFile(dir, "spill-" + level + "-" + bucket + "-", ".rows");
            out = new Output(Files.newOutputStream(files[bucket]));
            outputs[bucket] = out;
        }
        out.string(key.account());
        out.string(key.day().orElse(null));
        out.ensure(4);
        out.buffer.putInt(batch.size());
        for (int row = 0; row < batch.size(); row++) {
            for (int c = 0; c < batch.columns(); c++) {
                if (batch.isConstant(c)) {
                    continue;
                }
                boolean isNull = batch.isNull(c, row);
                out.ensure(9);
                out.buffer.put((byte) (isNull ? 1 : 0));
                if (isNull) {
                    continue;
                }
                switch (batch.type(c)) {
                    case INT32 -> out.buffer.putInt(batch.getInt(c, row));
                    case INT64 -> out.buffer.putLong(batch.getLong(c, row));
                    case DOUBLE -> out.buffer.putDouble(batch.getDouble(c, row));
                    case BOOLEAN -> out.buffer.put((byte) (batch.getBoolean(c, row) ? 1 : 0));
                    case BINARY -> {
                        int start = batch.binaryStart(c, row);
                        out.bytes(batch.binaryData(c), start, batch.binaryEnd(c, row) - start);
                    }
                }
            }
        }
        rows += batch.size();
    }

    /**
     * Hands each non-empty bucket to {@code action}, one after the other, deleting each after. A
     * bucket's rows come back gathered by partition in sets shaped like {@code template} (its
     * columns and constants), each partition's in the order they were written.
     */
    void forEachBucket(PartitionBatches template, BucketAction action) throws IOException {
        closeStreams();
        for (int bucket = 0; bucket < BUCKETS; bucket++) {
            Path file = files[bucket];
            if (file == null) {
                continue;
            }
            action.run(sink -> read(file, template.emptyCopy(), sink));
            Files.delete(file);
            files[bucket] = null;
        }
    }

    private void read(Path file, PartitionBatches rows, BatchSink sink) throws IOException {
        try (Input in = new Input(Files.newInputStream(file))) {
            while (in.more()) {
                String account = in.string();
                String day = in.string();
                int partition = partitions.id(new PartitionKey(account, Optional.ofNullable(day)));
                int count = in.getInt();
                if (rows.full()) {
                    sink.accept(rows);
                    rows.clear();
                }
                ColumnBatch batch = rows.batchFor(partition);
                for (int r = 0; r < count; r++) {
                    int bytesBefore = batch.binaryBytes();
                    for (int c = 0; c < batch.columns(); c++) {
                        if (batch.isConstant(c)) {
                            continue;
                        }
                        if (in.getByte() == 1) {
                            batch.putNull(c);
                            continue;
                        }
                        switch (batch.type(c)) {
                            case INT32 -> batch.putInt(c, in.getInt());
                            case INT64 -> batch.putLong(c, in.getLong());
                            case DOUBLE -> batch.putDouble(c, in.getDouble());
                            case BOOLEAN -> batch.putBoolean(c, in.getByte() == 1);
                            case BINARY -> in.bytesInto(batch, c);
                        }
                    }
                    batch.commit();
                    rows.committed(partition, batch, bytesBefore);
                }
            }
            if (rows.rows() > 0) {
                sink.accept(rows);
                rows.clear();
            }
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
            if (outputs[bucket] != null) {
                outputs[bucket].close();
                outputs[bucket] = null;
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

    /** Values into a byte buffer, written out as it fills: no stream call per value. */
    private static final class Output implements Closeable {
        final OutputStream out;
        final ByteBuffer buffer = ByteBuffer.allocate(BUFFER_BYTES);

        Output(OutputStream out) {
            this.out = out;
        }

        void ensure(int bytes) throws IOException {
            if (buffer.remaining() < bytes) {
                drain();
            }
        }

        void bytes(byte[] value, int offset, int length) throws IOException {
            ensure(4);
            buffer.putInt(length);
            while (length > 0) {
                if (!buffer.hasRemaining()) {
                    drain();
                }
                int n = Math.min(length, buffer.remaining());
                buffer.put(value, offset, n);
                offset += n;
                length -= n;
            }
        }

        /** A string, or -1 for none. */
        void string(String value) throws IOException {
            if (value == null) {
                ensure(4);
                buffer.putInt(-1);
                return;
            }
            byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
            bytes(utf8, 0, utf8.length);
        }

        private void drain() throws IOException {
            out.write(buffer.array(), 0, buffer.position());
            buffer.clear();
        }

        @Override
        public void close() throws IOException {
            try (out) {
                drain();
            }
        }
    }

    /** Reads back what {@link Output} wrote. */
    private static final class Input implements Closeable {
        final InputStream in;
        final ByteBuffer buffer = ByteBuffer.allocate(BUFFER_BYTES).limit(0);
        boolean eof;

        Input(InputStream in) {
            this.in = in;
        }

        boolean more() throws IOException {
            fill(1);
            return buffer.hasRemaining();
        }

        byte getByte() throws IOException {
            require(1);
            return buffer.get();
        }

        int getInt() throws IOException {
            require(4);
            return buffer.getInt();
        }

        long getLong() throws IOException {
            require(8);
            return buffer.getLong();
        }

        double getDouble() throws IOException {
            require(8);
            return buffer.getDouble();
        }

        /** The next value as the next row's value of a binary column, copied from the buffer when it is there whole. */
        void bytesInto(ColumnBatch batch, int column) throws IOException {
            int length = getInt();
            fill(length);
            if (buffer.remaining() >= length) {
                batch.putBytes(column, buffer.array(), buffer.position(), length);
                buffer.position(buffer.position() + length);
            } else {
                byte[] value = rest(length);
                batch.putBytes(column, value, 0, length);
            }
        }

        byte[] bytes() throws IOException {
            return rest(getInt());
        }

        private byte[] rest(int length) throws IOException {
            byte[] value = new byte[length];
            int offset = 0;
            while (offset < length) {
                require(1);
                int n = Math.min(length - offset, buffer.remaining());
                buffer.get(value, offset, n);
                offset += n;
            }
            return value;
        }

        String string() throws IOException {
            require(4);
            if (buffer.getInt(buffer.position()) == -1) {
                buffer.getInt();
                return null;
            }
            return new String(bytes(), StandardCharsets.UTF_8);
        }

        private void require(int bytes) throws IOException {
            fill(bytes);
            if (buffer.remaining() < bytes) {
                throw new EOFException("spill file ends inside a row");
            }
        }

        /** Reads until {@code bytes} are buffered (at most the buffer's size), or to the end of the file. */
        private void fill(int wanted) throws IOException {
            int bytes = Math.min(wanted, buffer.capacity());
            if (buffer.remaining() >= bytes || eof) {
                return;
            }
            buffer.compact();
            while (buffer.position() < bytes && !eof) {
                int n = in.read(buffer.array(), buffer.position(), buffer.remaining());
                if (n < 0) {
                    eof = true;
                } else {
                    buffer.position(buffer.position() + n);
                }
            }
            buffer.flip();
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
