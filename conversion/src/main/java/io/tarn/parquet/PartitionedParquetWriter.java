package io.tarn.parquet;

import static java.util.Objects.requireNonNull;

import io.tarn.partition.PartitionKey;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.parquet.column.ParquetProperties;
import org.apache.parquet.compression.CompressionCodecFactory.BytesInputCompressor;

/**
 * Writes rows gathered by partition ({@link PartitionBatches}) to one Parquet file per partition,
 * in a local temporary folder, and hands each finished file to a {@link PartSink} (which uploads
 * it). Each partition's rows go to its file a column at a time.
 *
 * <p>Memory stays bounded whatever the number of partitions: every open file buffers its current
 * row group, so when all of them together pass the budget, the files holding most write their row
 * groups out early and go on (a partition stays one file, of several row groups); if their writers
 * alone still pass it, files are finished and their partitions go on in new parts. At most
 * {@link ParquetSettings#maxOpenPartitions()} files are open at once (each costs memory before it
 * holds a row); rows of further partitions wait in {@link SpillFiles} on local disk and are written
 * afterwards, a bucket at a time. Part numbers depend only on the input, so a replay produces the
 * same files.
 */
public final class PartitionedParquetWriter implements Closeable {

    /**
     * Receives each finished part file and takes it over: the sink deletes it when done with it
     * (possibly later, from another thread, after an upload).
     */
    @FunctionalInterface
    public interface PartSink {
        void accept(PartitionKey partition, int part, Path file, long rows) throws IOException;
    }

    /** Rows written per partition and the number of parts its rows went to. */
    public record PartitionStats(long rows, int parts) {}

    /**
     * A dictionary past this size falls back to plain encoding. Small, because each open file
     * holds its dictionaries' hash maps in memory: values that repeat (statuses, currencies,
     * customer ids within an account) fit well under it.
     */
    static final int DICTIONARY_PAGE_BYTES = 64 << 10;

    /** Rows per page at most, so narrow columns are compressed (and leave memory) as often as wide ones. */
    static final int PAGE_ROW_LIMIT = 8192;

    /**
     * What an open file costs beyond its buffered pages (column writers, dictionary maps,
     * buffers), charged in the budget so many small partitions cannot exhaust memory unseen.
     */
    static final long WRITER_OVERHEAD_BYTES = 48 << 10;

    /** How often (in rows) the buffered total is measured: cheap enough, fine enough. */
    private static final int BUDGET_CHECK_INTERVAL = 8192;

    private final StagingSchema schema;
    private final PartitionTable partitions;
    private final ParquetSettings settings;
    private final ParquetProperties properties;
    private final Path tempDir;
    private final PartSink sink;
    private final TarnCodecFactory codecs = new TarnCodecFactory();
    private final BytesInputCompressor compressor;
    /** By partition id: its open part, the rows and parts finished so far. */
    private OpenPart[] open = new OpenPart[64];
    private long[] rowsWritten = new long[64];
    private int[] partsWritten = new int[64];
    private final List<Integer> written = new ArrayList<>();
    private int openCount;
    private PartitionBatches template;
    private SpillFiles spill;
    private long rowsSinceCheck;
    private int tempFiles;

    /**
     * @param partitions names the partitions of the batches' rows; spilled rows are numbered
     *     through it again when they come back
     */
    public PartitionedParquetWriter(StagingSchema schema, PartitionTable partitions, ParquetSettings settings,
            Path tempDir, PartSink sink) {
        this.schema = requireNonNull(schema, "schema is null");
        this.partitions = requireNonNull(partitions, "partitions is null");
        this.settings = requireNonNull(settings, "settings is null");
        this.tempDir = requireNonNull(tempDir, "tempDir is null");
        this.sink = requireNonNull(sink, "sink is null");
        this.properties = properties(schema, settings);
        this.compressor = codecs.getCompressor(settings.codec());
    }

    /**
     * The encoding settings of every file: dictionaries only where values repeat ({@link
     * StagingSchema#plainColumns()}), small pages, no page-level size statistics (parquet 1.15+;
     * they cost a histogram update per value and no engine Tarn serves reads them).
     */
    private static ParquetProperties properties(StagingSchema schema, ParquetSettings settings) {
        ParquetProperties.Builder builder = ParquetProperties.builder()
                .withPageSize(settings.pageBytes())
                .withDictionaryPageSize(DICTIONARY_PAGE_BYTES)
                .withPageRowCountLimit(PAGE_ROW_LIMIT)
                .withDictionaryEncoding(true)
                .withSizeStatisticsEnabled(false);
        for (String column : schema.plainColumns()) {
            builder.withDictionaryEncoding(column, false);
        }
        return builder.build();
    }

    /** Writes the rows; {@code rows} can be reused once this returns. */
    public void write(PartitionBatches rows) throws IOException {
        if (template == null) {
            template = rows.emptyCopy();
            spill = new SpillFiles(tempDir, 0, partitions);
        }
        route(rows, spill);
    }

    /** Writes each partition's rows to its open part, or opens one, or, when too many are open, spills them. */
    private void route(PartitionBatches rows, SpillFiles overflow) throws IOException {
        for (int i = 0; i < rows.partitions(); i++) {
            int partition = rows.partition(i);
            ColumnBatch batch = rows.batchAt(i);
            OpenPart part = partition < open.length ? open[partition] : null;
            if (part == null) {
                if (openCount >= settings.maxOpenPartitions()) {
                    overflow.write(batch, partition);
                    continue;
                }
                part = openPart(partition);
            }
            part.file.append(batch);
            part.rows += batch.size();
            rowsSinceCheck += batch.size();
            if (rowsSinceCheck >= BUDGET_CHECK_INTERVAL) {
                rowsSinceCheck = 0;
                enforceBudget();
            }
        }
    }

    /** Finishes every open part and returns what was written, per partition in first-seen order. */
    public Map<PartitionKey, PartitionStats> finish() throws IOException {
        finishOpenParts();
        if (spill != null) {
            drain(spill);
        }
        Map<PartitionKey, PartitionStats> stats = new LinkedHashMap<>();
        for (int partition : written) {
            stats.put(partitions.key(partition), new PartitionStats(rowsWritten[partition], partsWritten[partition]));
        }
        return stats;
    }

    /**
     * Writes the spilled rows bucket by bucket: each bucket holds a fraction of the waiting
     * partitions, so they fit the open-file bound; what still does not fit spills one level
     * deeper. Every pass finishes the partitions it opened, so the recursion ends.
     */
    private void drain(SpillFiles files) throws IOException {
        try (files) {
            files.forEachBucket(template, bucket -> {
                try (SpillFiles overflow = new SpillFiles(tempDir, files.level() + 1, partitions)) {
                    bucket.forEach(rows -> route(rows, overflow));
                    finishOpenParts();
                    drain(overflow);
                }
            });
        }
    }

    private void finishOpenParts() throws IOException {
        List<Integer> ids = new ArrayList<>();
        for (int partition = 0; partition < open.length; partition++) {
            if (open[partition] != null) {
                ids.add(partition);
            }
        }
        ids.sort(Comparator.comparing(id -> partitions.key(id).path()));
        for (int partition : ids) {
            finishPart(partition);
        }
    }

    /** Bytes the open files hold in memory now. */
    public long bufferedBytes() {
        long total = 0;
        for (OpenPart part : open) {
            if (part != null) {
                total += part.buffered();
            }
        }
        return total;
    }

    public int openPartitions() {
        return openCount;
    }

    /**
     * Discards unfinished parts and spilled rows (after a failure: after {@link #finish()} there
     * are none) and frees the compression context.
     */
    @Override
    public void close() {
        codecs.close();
        if (spill != null) {
            try {
                spill.close();
            } catch (IOException ignored) {
                // Scratch space of a failed attempt; the failure that led here is what gets reported.
            }
        }
        for (int partition = 0; partition < open.length; partition++) {
            OpenPart part = open[partition];
            if (part != null) {
                part.file.abort();
                deleteQuietly(part.output.path());
                open[partition] = null;
            }
        }
        openCount = 0;
    }

    /**
     * Until the open parts fit the budget, largest first: the parts write their row groups out
     * (fewer, larger files than finishing them, and the same memory freed but the writers'); then,
     * if the writers alone are over it, parts are finished.
     */
    private void enforceBudget() throws IOException {
        long[] buffered = new long[openCount];
        int[] ids = new int[openCount];
        long total = 0;
        int n = 0;
        for (int partition = 0; partition < open.length; partition++) {
            if (open[partition] != null) {
                ids[n] = partition;
                buffered[n] = open[partition].buffered();
                total += buffered[n++];
            }
        }
        int flushable = n;
        while (total > settings.memoryBudgetBytes() && flushable > 0) {
            int largest = largest(buffered, flushable);
            OpenPart part = open[ids[largest]];
            if (part.file.rowGroupHasRows()) {
                part.file.endRowGroup();
                total += part.buffered() - buffered[largest];
                buffered[largest] = part.buffered();
            }
            flushable--;
            swap(ids, buffered, largest, flushable);
        }
        while (total > settings.memoryBudgetBytes() && n > 0) {
            int largest = largest(buffered, n);
            total -= buffered[largest];
            finishPart(ids[largest]);
            n--;
            swap(ids, buffered, largest, n);
        }
    }

    private static int largest(long[] buffered, int n) {
        int largest = 0;
        for (int i = 1; i < n; i++) {
            if (buffered[i] > buffered[largest]) {
                largest = i;
            }
        }
        return largest;
    }

    private static void swap(int[] ids, long[] buffered, int i, int j) {
        int id = ids[i];
        ids[i] = ids[j];
        ids[j] = id;
        long bytes = buffered[i];
        buffered[i] = buffered[j];
        buffered[j] = bytes;
    }

    private OpenPart openPart(int partition) throws IOException {
        if (partition >= open.length) {
            int length = Math.max(open.length * 2, partition + 1);
            open = Arrays.copyOf(open, length);
            rowsWritten = Arrays.copyOf(rowsWritten, length);
            partsWritten = Arrays.copyOf(partsWritten, length);
        }
        FileOutput output = new FileOutput(tempDir.resolve("tarn-" + (tempFiles++) + settings.fileSuffix()));
        OpenPart part = new OpenPart(new PartFile(output, schema, properties, compressor, settings.rowGroupBytes()),
                output, partsWritten[partition]);
        open[partition] = part;
        openCount++;
        return part;
    }

    private void finishPart(int partition) throws IOException {
        OpenPart part = open[partition];
        open[partition] = null;
        openCount--;
        part.file.close();
        sink.accept(partitions.key(partition), part.number, part.output.path(), part.rows);
        if (partsWritten[partition] == 0) {
            written.add(partition);
        }
        rowsWritten[partition] += part.rows;
        partsWritten[partition] = part.number + 1;
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot delete temporary file " + file, e);
        }
    }

    private static final class OpenPart {
        final PartFile file;
        final FileOutput output;
        final int number;
        long rows;

        OpenPart(PartFile file, FileOutput output, int number) {
            this.file = file;
            this.output = output;
            this.number = number;
        }

        long buffered() {
            return WRITER_OVERHEAD_BYTES + file.bufferedBytes();
        }
    }
}
