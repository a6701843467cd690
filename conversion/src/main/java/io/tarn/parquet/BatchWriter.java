package io.tarn.parquet;

import static java.util.Objects.requireNonNull;

import io.tarn.parquet.PartitionedParquetWriter.PartSink;
import io.tarn.parquet.PartitionedParquetWriter.PartitionStats;
import io.tarn.partition.PartitionKey;
import java.io.Closeable;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Takes rows gathered by partition from the thread that parses and types them and writes them through a
 * {@link PartitionedParquetWriter}: on a thread of its own when {@link
 * ParquetSettings#encodeInBackground()} (a two-vCPU Lambda then parses and encodes at once), or
 * on the caller's. Sets are written one after the other in the order given either way, so the
 * files are the same whichever it is. Memory stays bounded: at most {@value #SETS} sets of rows
 * exist, the one being filled, one waiting and the one being written.
 *
 * <p>The sink is called from the writing thread, one call at a time.
 */
public final class BatchWriter implements Closeable {

    private static final int SETS = 3;
    /** Handed over after the last set. */
    private static final PartitionBatches END = new PartitionBatches(new ColumnBatch(new ColumnBatch.Type[0], 1));

    private final PartitionedParquetWriter writer;
    private final Thread thread;
    private final BlockingQueue<PartitionBatches> full = new ArrayBlockingQueue<>(1);
    private final BlockingQueue<PartitionBatches> free = new ArrayBlockingQueue<>(SETS);
    private int sets = 1;
    private volatile Throwable failure;
    private Map<PartitionKey, PartitionStats> result;

    public BatchWriter(StagingSchema schema, PartitionTable partitions, ParquetSettings settings, Path tempDir,
            PartSink sink) {
        requireNonNull(settings, "settings is null");
        this.writer = new PartitionedParquetWriter(schema, partitions, settings, tempDir, sink);
        if (settings.encodeInBackground()) {
            thread = new Thread(this::run, "tarn-parquet");
            thread.setDaemon(true);
            thread.start();
        } else {
            thread = null;
        }
    }

    /**
     * Writes the rows (now or on the writing thread) and returns an empty set to fill next: the
     * same one when writing on the caller's thread. The caller must not touch {@code rows} again.
     */
    public PartitionBatches write(PartitionBatches rows) throws IOException {
        throwIfFailed();
        if (thread == null) {
            writer.write(rows);
            rows.clear();
            return rows;
        }
        PartitionBatches next = free.poll();
        if (next == null && sets < SETS) {
            sets++;
            next = rows.emptyCopy();
        }
        hand(rows);
        while (next == null) {
            next = take(free);
        }
        return next;
    }

    /** Writes what was handed over and finishes every part; returns what was written per partition. */
    public Map<PartitionKey, PartitionStats> finish() throws IOException {
        throwIfFailed();
        if (thread == null) {
            return writer.finish();
        }
        hand(END);
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("Interrupted while waiting for " + thread.getName());
        }
        throwIfFailed();
        return result;
    }

    /** Stops the writing thread and discards what it had not finished (after a failure). */
    @Override
    public void close() {
        if (thread != null) {
            thread.interrupt();
            try {
                thread.join(TimeUnit.SECONDS.toMillis(30));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        writer.close();
    }

    private void run() {
        try {
            while (true) {
                PartitionBatches rows = full.take();
                if (rows == END) {
                    result = writer.finish();
                    return;
                }
                writer.write(rows);
                rows.clear();
                free.put(rows);
            }
        } catch (InterruptedException e) {
            // close(): the conversion is being abandoned.
        } catch (IOException | RuntimeException | Error e) {
            failure = e;
        }
    }

    private void hand(PartitionBatches rows) throws IOException {
        try {
            // Bounded waits in a loop: a failed writing thread stops taking rows.
            while (!full.offer(rows, 100, TimeUnit.MILLISECONDS)) {
                checkAlive();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("Interrupted while handing rows to " + thread.getName());
        }
    }

    private PartitionBatches take(BlockingQueue<PartitionBatches> queue) throws IOException {
        try {
            PartitionBatches rows = queue.poll(100, TimeUnit.MILLISECONDS);
            if (rows == null) {
                checkAlive();
            }
            return rows;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("Interrupted while waiting for " + thread.getName());
        }
    }

    private void checkAlive() throws IOException {
        throwIfFailed();
        if (!thread.isAlive()) {
            throw new IOException("Parquet writer thread " + thread.getName() + " stopped");
        }
    }

    /** Rethrows the writing thread's failure on the caller's thread, as what it was. */
    private void throwIfFailed() throws IOException {
        Throwable failed = failure;
        if (failed instanceof IOException io) {
            throw io;
        }
        if (failed instanceof RuntimeException runtime) {
            throw runtime;
        }
        if (failed instanceof Error error) {
            throw error;
        }
    }
}
