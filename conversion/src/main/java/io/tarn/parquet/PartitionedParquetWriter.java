package io.tarn.parquet;

import static java.util.Objects.requireNonNull;

import io.tarn.partition.PartitionKey;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.parquet.avro.AvroParquetWriter;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;

/**
 * Writes rows to one Parquet file per partition, in a local temporary folder, and hands each
 * finished file to a {@link PartSink} (which uploads it). Memory stays bounded whatever the number
 * of partitions: every open writer buffers its current row group, so when all of them together
 * pass the budget, the one holding most finishes its file early and the partition goes on in a
 * new part. At most {@link ParquetSettings#maxOpenPartitions()} writers are open at once (each
 * costs memory before it holds a row); rows of further partitions wait in {@link SpillFiles} on
 * local disk and are written afterwards, a bucket at a time. Part numbers depend only on the
 * input, so a replay produces the same files.
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
     * A dictionary past this size falls back to plain encoding. Small, because each open writer
     * holds its dictionaries' hash maps in memory: values that repeat (statuses, currencies,
     * customer ids within an account) fit well under it.
     */
    static final int DICTIONARY_PAGE_BYTES = 64 << 10;

    /** Rows per page at most, so narrow columns are compressed (and leave memory) as often as wide ones. */
    static final int PAGE_ROW_LIMIT = 8192;

    /**
     * What an open writer costs beyond its buffered pages (column writers, dictionary maps,
     * buffers), charged in the budget so many small partitions cannot exhaust memory unseen.
     */
    static final long WRITER_OVERHEAD_BYTES = 48 << 10;

    /** Rows buffered per open partition before they are written (see {@link OpenPart#add}). */
    static final int BATCH_ROWS = 64;

    /** How often (in rows) the buffered total is measured: cheap enough, fine enough. */
    private static final int BUDGET_CHECK_INTERVAL = 8192;

    private final Schema schema;
    private final Set<String> plainColumns;
    private final ParquetSettings settings;
    private final Path tempDir;
    private final PartSink sink;
    private final TarnCodecFactory codecs = new TarnCodecFactory();
    private final Map<PartitionKey, OpenPart> open = new HashMap<>();
    private final Map<PartitionKey, PartitionStats> stats = new LinkedHashMap<>();
    private SpillFiles spill;
    private long rowsSinceCheck;
    private int tempFiles;

    public PartitionedParquetWriter(Schema schema, ParquetSettings settings, Path tempDir, PartSink sink) {
        this(schema, Set.of(), settings, tempDir, sink);
    }

    /**
     * @param plainColumns columns written without dictionary encoding: nearly unique values (keys,
     *     timestamps) never fit a dictionary, and each dictionary costs memory per open writer
     */
    public PartitionedParquetWriter(Schema schema, Set<String> plainColumns, ParquetSettings settings, Path tempDir,
            PartSink sink) {
        this.schema = requireNonNull(schema, "schema is null");
        this.plainColumns = Set.copyOf(plainColumns);
        this.settings = requireNonNull(settings, "settings is null");
        this.tempDir = requireNonNull(tempDir, "tempDir is null");
        this.sink = requireNonNull(sink, "sink is null");
    }

    public void write(PartitionKey partition, GenericRecord row) throws IOException {
        if (spill == null) {
            spill = new SpillFiles(tempDir, 0, schema);
        }
        route(partition, row, spill);
    }

    /** Writes to the partition's open part, or opens one, or, when too many are open, spills the row. */
    private void route(PartitionKey partition, GenericRecord row, SpillFiles overflow) throws IOException {
        OpenPart part = open.get(partition);
        if (part == null) {
            if (open.size() >= settings.maxOpenPartitions()) {
                overflow.write(partition, row);
                return;
            }
            part = openPart(partition);
        }
        part.add(row);
        if (++rowsSinceCheck >= BUDGET_CHECK_INTERVAL) {
            rowsSinceCheck = 0;
            enforceBudget();
        }
    }

    /** Finishes every open part and returns what was written, per partition in first-seen order. */
    public Map<PartitionKey, PartitionStats> finish() throws IOException {
        finishOpenParts();
        if (spill != null) {
            drain(spill);
        }
        return Map.copyOf(stats);
    }

    /**
     * Writes the spilled rows bucket by bucket: each bucket holds a fraction of the waiting
     * partitions, so they fit the open-writer bound; what still does not fit spills one level
     * deeper. Every pass finishes the partitions it opened, so the recursion ends.
     */
    private void drain(SpillFiles files) throws IOException {
        try (files) {
            files.forEachBucket(bucket -> {
                try (SpillFiles overflow = new SpillFiles(tempDir, files.level() + 1, schema)) {
                    bucket.forEach((partition, row) -> route(partition, row, overflow));
                    finishOpenParts();
                    drain(overflow);
                }
            });
        }
    }

    private void finishOpenParts() throws IOException {
        for (PartitionKey partition : open.keySet().stream().sorted(Comparator.comparing(PartitionKey::path)).toList()) {
            finishPart(partition);
        }
    }

    /** Bytes the open writers hold in memory now. */
    public long bufferedBytes() {
        long total = 0;
        for (OpenPart part : open.values()) {
            total += part.buffered();
        }
        return total;
    }

    public int openPartitions() {
        return open.size();
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
        for (OpenPart part : open.values()) {
            try {
                part.writer.close();
            } catch (IOException | RuntimeException ignored) {
                // The part is being thrown away; the failure that led here is what gets reported.
            }
            deleteQuietly(part.output.path());
        }
        open.clear();
    }

    private void enforceBudget() throws IOException {
        long total = bufferedBytes();
        while (total > settings.memoryBudgetBytes() && !open.isEmpty()) {
            PartitionKey largest = open.entrySet().stream()
                    .max(Comparator.comparingLong(e -> e.getValue().buffered()))
                    .orElseThrow().getKey();
            total -= open.get(largest).buffered();
            finishPart(largest);
        }
    }

    private OpenPart openPart(PartitionKey partition) throws IOException {
        PartitionStats previous = stats.get(partition);
        int partNumber = previous == null ? 0 : previous.parts();
        FileOutput output = new FileOutput(tempDir.resolve("tarn-" + (tempFiles++) + settings.fileSuffix()));
        AvroParquetWriter.Builder<GenericRecord> builder = AvroParquetWriter.<GenericRecord>builder(output);
        for (String column : plainColumns) {
            builder.withDictionaryEncoding(column, false);
        }
        ParquetWriter<GenericRecord> writer = builder
                .withSchema(schema)
                .withDataModel(GenericData.get())
                .withConf(new PlainParquetConfiguration())
                .withCodecFactory(codecs)
                .withCompressionCodec(settings.codec())
                .withRowGroupSize(settings.rowGroupBytes())
                .withPageSize(settings.pageBytes())
                .withPageRowCountLimit(PAGE_ROW_LIMIT)
                .withDictionaryPageSize(DICTIONARY_PAGE_BYTES)
                // Page-level size statistics (parquet 1.15+) cost a histogram update per value and
                // no engine Tarn serves reads them.
                .withSizeStatisticsEnabled(false)
                .withWriteMode(ParquetFileWriter.Mode.OVERWRITE)
                .withValidation(false)
                .build();
        OpenPart part = new OpenPart(writer, output, partNumber);
        open.put(partition, part);
        return part;
    }

    private void finishPart(PartitionKey partition) throws IOException {
        OpenPart part = open.remove(partition);
        part.flush();
        part.writer.close();
        sink.accept(partition, part.number, part.output.path(), part.rows);
        PartitionStats previous = stats.get(partition);
        long rows = (previous == null ? 0 : previous.rows()) + part.rows;
        stats.put(partition, new PartitionStats(rows, part.number + 1));
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot delete temporary file " + file, e);
        }
    }

    private static final class OpenPart {
        final ParquetWriter<GenericRecord> writer;
        final FileOutput output;
        final int number;
        final GenericRecord[] batch = new GenericRecord[BATCH_ROWS];
        int batched;
        long rows;

        /**
         * Rows reach the Parquet writer in batches: writing many rows into one writer in a row keeps
         * its column buffers in the CPU caches, where rows of interleaved accounts would touch a
         * different writer every time (measured: the single largest cost with hundreds of
         * partitions).
         */
        void add(GenericRecord row) throws IOException {
            batch[batched++] = row;
            rows++;
            if (batched == BATCH_ROWS) {
                flush();
            }
        }

        void flush() throws IOException {
            for (int i = 0; i < batched; i++) {
                writer.write(batch[i]);
                batch[i] = null;
            }
            batched = 0;
        }

        OpenPart(ParquetWriter<GenericRecord> writer, FileOutput output, int number) {
            this.writer = writer;
            this.output = output;
            this.number = number;
        }

        long buffered() {
            return WRITER_OVERHEAD_BYTES + Math.max(0, writer.getDataSize() - output.written());
        }
    }
}
