package io.tarn.parquet;

import static java.util.Objects.requireNonNull;

import io.tarn.parquet.PartitionedParquetWriter.PartSink;
import io.tarn.parquet.PartitionedParquetWriter.PartitionStats;
import io.tarn.partition.PartitionKey;
import java.io.Closeable;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;

/**
 * Encoding Parquet is most of a conversion's CPU, so it runs on {@link ParquetSettings#writerThreads()}
 * threads: each owns a {@link PartitionedParquetWriter} and the partitions whose path hashes to it,
 * while the caller's thread reads and types rows. A partition's rows reach its writer in input
 * order, so its files are the same from one run to the next. Memory stays bounded: each thread
 * gets its share of the budget and of the open writers, and at most a few batches of rows wait.
 *
 * <p>The sink is called from the writer threads, one call at a time.
 */
public final class ShardedParquetWriter implements Closeable {

    private static final int BATCH_ROWS = 1024;
    private static final int QUEUED_BATCHES = 4;

    private final Shard[] shards;
    private volatile Throwable failure;

    public ShardedParquetWriter(Schema schema, Set<String> plainColumns, ParquetSettings settings, Path tempDir,
            PartSink sink) throws IOException {
        requireNonNull(schema, "schema is null");
        requireNonNull(settings, "settings is null");
        requireNonNull(tempDir, "tempDir is null");
        requireNonNull(sink, "sink is null");
        int count = settings.writerThreads();
        ParquetSettings share = settings
                .withMemoryBudget(Math.max(1, settings.memoryBudgetBytes() / count))
                .withMaxOpenPartitions(Math.max(1, settings.maxOpenPartitions() / count));
        PartSink serialSink = (partition, part, file, rows) -> {
            synchronized (sink) {
                sink.accept(partition, part, file, rows);
            }
        };
        shards = new Shard[count];
        for (int i = 0; i < count; i++) {
            Path dir = Files.createDirectories(tempDir.resolve("shard-" + i));
            shards[i] = new Shard(i, new PartitionedParquetWriter(schema, plainColumns, share, dir, serialSink));
        }
    }

    public void write(PartitionKey partition, GenericRecord row) throws IOException {
        throwIfFailed();
        shards[Math.floorMod(partition.stableHash(), shards.length)].add(partition, row);
    }

    /** Writes what is left and finishes every part; returns what was written per partition. */
    public Map<PartitionKey, PartitionStats> finish() throws IOException {
        for (Shard shard : shards) {
            shard.send(shard.batch);
            shard.send(Batch.END);
        }
        Map<PartitionKey, PartitionStats> written = new LinkedHashMap<>();
        for (Shard shard : shards) {
            shard.join();
        }
        throwIfFailed();
        for (Shard shard : shards) {
            written.putAll(shard.result);
        }
        return written;
    }

    /** Stops the threads and discards what they had not finished (after a failure). */
    @Override
    public void close() {
        for (Shard shard : shards) {
            shard.thread.interrupt();
        }
        for (Shard shard : shards) {
            try {
                shard.thread.join(TimeUnit.SECONDS.toMillis(30));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            shard.writer.close();
        }
    }

    /** Rethrows a writer thread's failure on the caller's thread, as what it was. */
    private void throwIfFailed() throws IOException {
        Throwable failed = failure;
        if (failed instanceof RuntimeException runtime) {
            throw runtime;
        }
        if (failed instanceof Error error) {
            throw error;
        }
        if (failed != null) {
            throw new IOException("Writing Parquet failed: " + failed.getMessage(), failed);
        }
    }

    private void fail(Throwable e) {
        if (failure == null) {
            failure = e;
        }
    }

    /** Rows for one shard, in input order. */
    private static final class Batch {
        static final Batch END = new Batch(0);

        final PartitionKey[] partitions;
        final GenericRecord[] rows;
        int size;

        Batch(int capacity) {
            partitions = new PartitionKey[capacity];
            rows = new GenericRecord[capacity];
        }
    }

    private final class Shard {
        final PartitionedParquetWriter writer;
        final BlockingQueue<Batch> queue = new ArrayBlockingQueue<>(QUEUED_BATCHES);
        final Thread thread;
        Batch batch = new Batch(BATCH_ROWS);
        Map<PartitionKey, PartitionStats> result = Map.of();

        Shard(int index, PartitionedParquetWriter writer) {
            this.writer = writer;
            this.thread = new Thread(this::run, "tarn-parquet-" + index);
            this.thread.setDaemon(true);
            this.thread.start();
        }

        void add(PartitionKey partition, GenericRecord row) throws IOException {
            batch.partitions[batch.size] = partition;
            batch.rows[batch.size] = row;
            if (++batch.size == BATCH_ROWS) {
                send(batch);
                batch = new Batch(BATCH_ROWS);
            }
        }

        void send(Batch full) throws IOException {
            try {
                // Bounded wait in a loop: a failed writer thread stops taking batches.
                while (!queue.offer(full, 100, TimeUnit.MILLISECONDS)) {
                    throwIfFailed();
                    if (!thread.isAlive()) {
                        throw new IOException("Parquet writer thread " + thread.getName() + " stopped");
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("Interrupted while handing rows to " + thread.getName());
            }
        }

        void join() throws IOException {
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("Interrupted while waiting for " + thread.getName());
            }
        }

        private void run() {
            try {
                while (true) {
                    Batch next = queue.take();
                    if (next == Batch.END) {
                        result = writer.finish();
                        return;
                    }
                    for (int i = 0; i < next.size; i++) {
                        writer.write(next.partitions[i], next.rows[i]);
                    }
                }
            } catch (InterruptedException e) {
                // close(): the conversion is being abandoned.
            } catch (IOException | RuntimeException | Error e) {
                fail(e);
            }
        }
    }
}
