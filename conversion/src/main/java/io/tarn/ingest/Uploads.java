package io.tarn.ingest;

import io.tarn.storage.ObjectStore;
import io.tarn.storage.StorageException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Uploads finished part files while the conversion goes on. An S3 PUT takes tens of milliseconds
 * whatever the size of a small file, so hundreds of partition files uploaded one after the other
 * would take longer than the conversion itself. At most {@code concurrency} uploads run and at
 * most twice that many finished files wait, so local disk use stays bounded too. Each file is
 * deleted once uploaded.
 */
final class Uploads implements AutoCloseable {

    private final ObjectStore store;
    private final String bucket;
    private final ExecutorService executor;
    private final Semaphore slots;
    private final List<Future<?>> pending = new ArrayList<>();
    /** The first upload that failed, so a doomed conversion stops without polling every future. */
    private final AtomicReference<Throwable> firstFailure = new AtomicReference<>();

    Uploads(ObjectStore store, String bucket, int concurrency) {
        this.store = store;
        this.bucket = bucket;
        AtomicInteger threads = new AtomicInteger();
        this.executor = Executors.newFixedThreadPool(concurrency, task -> {
            Thread thread = new Thread(task, "tarn-upload-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        this.slots = new Semaphore(2 * concurrency);
    }

    /** Queues an upload of {@code file} to {@code key}; blocks while too many files wait. */
    void submit(String key, Path file, String contentType) throws IOException {
        failFast();
        try {
            slots.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("Interrupted while waiting to upload s3://" + bucket + "/" + key);
        }
        pending.add(executor.submit(() -> {
            try {
                store.put(bucket, key, file, contentType);
                return null;
            } catch (RuntimeException | Error e) {
                firstFailure.compareAndSet(null, e);
                throw e;
            } finally {
                Files.deleteIfExists(file);
                slots.release();
            }
        }));
    }

    /** Waits for every upload; the first failure is thrown (after the others finished). */
    void awaitAll() throws IOException {
        RuntimeException failure = null;
        for (Future<?> upload : pending) {
            try {
                upload.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("Interrupted while waiting for uploads to s3://" + bucket);
            } catch (ExecutionException e) {
                if (failure == null) {
                    failure = asRuntime(e.getCause());
                }
            }
        }
        pending.clear();
        if (failure != null) {
            throw failure;
        }
    }

    /**
     * Lets the uploads under way finish, then stops. They are not interrupted: an interrupted PUT
     * leaves nothing useful, and letting it complete keeps "what a failed attempt left" simple
     * (whole objects, overwritten by the retry).
     */
    @Override
    public void close() {
        executor.shutdown();
        try {
            if (!executor.awaitTermination(2, TimeUnit.MINUTES)) {
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    /** Surfaces an upload that already failed, so a doomed conversion stops early. */
    private void failFast() {
        Throwable failure = firstFailure.get();
        if (failure != null) {
            throw asRuntime(failure);
        }
    }

    private RuntimeException asRuntime(Throwable cause) {
        if (cause instanceof RuntimeException runtime) {
            return runtime;
        }
        return new StorageException("Upload to s3://" + bucket + " failed: " + cause, cause);
    }
}
