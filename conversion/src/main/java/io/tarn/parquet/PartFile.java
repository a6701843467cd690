package io.tarn.parquet;

import java.io.Closeable;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.ColumnWriteStore;
import org.apache.parquet.column.ColumnWriter;
import org.apache.parquet.column.ParquetProperties;
import org.apache.parquet.compression.CompressionCodecFactory.BytesInputCompressor;
import org.apache.parquet.hadoop.ColumnChunkPageWriteStore;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.schema.MessageType;

/**
 * One Parquet file written from column batches straight into parquet-column's column writers: a
 * column's values go in one loop of primitive writes, with no record object, boxing or per-value
 * schema dispatch in between. Row groups and the footer are parquet-hadoop's {@link
 * ParquetFileWriter} and {@link ColumnChunkPageWriteStore}, which {@code ParquetWriter} itself
 * uses, so pages, encodings, statistics and the footer are what parquet-java writes for rows.
 */
final class PartFile implements Closeable {

    private final FileOutput output;
    private final MessageType schema;
    private final ParquetProperties properties;
    private final BytesInputCompressor compressor;
    private final long rowGroupBytes;
    private final Map<String, String> metadata;
    private final ParquetFileWriter file;
    private final List<ColumnDescriptor> descriptors;
    private final int[] definitionLevels;
    private ColumnChunkPageWriteStore pages;
    private ColumnWriteStore store;
    private final ColumnWriter[] writers;
    private long rowGroupRows;
    /** The store's buffered size after the last append or row group start: measuring walks every column. */
    private long buffered;
    private int rowGroups;
    private boolean closed;

    PartFile(FileOutput output, StagingSchema staging, ParquetProperties properties,
            BytesInputCompressor compressor, long rowGroupBytes) throws IOException {
        this.output = output;
        this.schema = staging.messageType();
        this.properties = properties;
        this.compressor = compressor;
        this.rowGroupBytes = rowGroupBytes;
        this.metadata = staging.fileMetadata();
        this.descriptors = schema.getColumns();
        this.definitionLevels = new int[descriptors.size()];
        for (int c = 0; c < definitionLevels.length; c++) {
            definitionLevels[c] = descriptors.get(c).getMaxDefinitionLevel();
        }
        this.writers = new ColumnWriter[descriptors.size()];
        this.file = new ParquetFileWriter(output, schema, ParquetFileWriter.Mode.OVERWRITE, rowGroupBytes, 0, null, properties);
        file.start();
        newRowGroup();
    }

    /** Appends the batch's rows. */
    void append(ColumnBatch batch) throws IOException {
        int rows = batch.size();
        for (int c = 0; c < writers.length; c++) {
            writeColumn(batch, c, writers[c], definitionLevels[c], rows);
        }
        for (int i = 0; i < rows; i++) {
            store.endRecord();
        }
        rowGroupRows += rows;
        buffered = store.getBufferedSize();
        if (buffered >= rowGroupBytes) {
            flushRowGroup();
            newRowGroup();
        }
    }

    private static void writeColumn(ColumnBatch batch, int c, ColumnWriter writer, int defined, int rows) {
        int nulled = defined - 1;
        switch (batch.type(c)) {
            case INT64 -> {
                for (int row = 0; row < rows; row++) {
                    if (batch.isNull(c, row)) {
                        writer.writeNull(0, nulled);
                    } else {
                        writer.write(batch.getLong(c, row), 0, defined);
                    }
                }
            }
            case INT32 -> {
                for (int row = 0; row < rows; row++) {
                    if (batch.isNull(c, row)) {
                        writer.writeNull(0, nulled);
                    } else {
                        writer.write(batch.getInt(c, row), 0, defined);
                    }
                }
            }
            case DOUBLE -> {
                for (int row = 0; row < rows; row++) {
                    if (batch.isNull(c, row)) {
                        writer.writeNull(0, nulled);
                    } else {
                        writer.write(batch.getDouble(c, row), 0, defined);
                    }
                }
            }
            case BOOLEAN -> {
                for (int row = 0; row < rows; row++) {
                    if (batch.isNull(c, row)) {
                        writer.writeNull(0, nulled);
                    } else {
                        writer.write(batch.getBoolean(c, row), 0, defined);
                    }
                }
            }
            case BINARY -> {
                if (batch.isConstant(c)) {
                    // Constant bytes: statistics and dictionaries keep this one instance without copying it.
                    Binary value = Binary.fromConstantByteArray(batch.binaryData(c), 0, batch.binaryEnd(c, 0));
                    for (int row = 0; row < rows; row++) {
                        writer.write(value, 0, defined);
                    }
                    return;
                }
                byte[] data = batch.binaryData(c);
                for (int row = 0; row < rows; row++) {
                    if (batch.isNull(c, row)) {
                        writer.writeNull(0, nulled);
                    } else {
                        int start = batch.binaryStart(c, row);
                        // Reused: the batch's array is overwritten later, and parquet-java copies
                        // what it keeps (dictionary entries, min and max).
                        writer.write(Binary.fromReusedByteArray(data, start, batch.binaryEnd(c, row) - start), 0, defined);
                    }
                }
            }
        }
    }

    /** Whether the current row group holds rows, which {@link #endRowGroup} would write out. */
    boolean rowGroupHasRows() {
        return rowGroupRows > 0;
    }

    /** Writes the current row group to the file early, freeing what it held; the file goes on. */
    void endRowGroup() throws IOException {
        if (rowGroupRows > 0) {
            flushRowGroup();
            newRowGroup();
        }
    }

    /**
     * Bytes this file holds in memory: its current row group's pages, compressed or not, as of the
     * last {@link #append} (nothing else adds to them).
     */
    long bufferedBytes() {
        return buffered;
    }

    /** Writes the last row group and the footer. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            flushRowGroup();
            file.end(metadata);
        } catch (IOException | RuntimeException e) {
            abort();
            throw e;
        } finally {
            closeStores();
        }
    }

    /** Gives the file up unfinished (after a failure). */
    void abort() {
        closed = true;
        closeStores();
        file.abort();
        // An aborted ParquetFileWriter leaves its stream open.
        output.closeQuietly();
    }

    private void newRowGroup() {
        pages = ColumnChunkPageWriteStore.builder()
                .withCompressorProvider(column -> compressor)
                .withSchema(schema)
                .withAllocator(properties.getAllocator())
                .withColumnIndexTruncateLength(properties.getColumnIndexTruncateLength())
                .withPageWriteChecksumEnabled(properties.getPageWriteChecksumEnabled())
                .withRowGroupOrdinal(rowGroups)
                .build();
        store = properties.newColumnWriteStore(schema, pages, pages);
        for (int c = 0; c < writers.length; c++) {
            writers[c] = store.getColumnWriter(descriptors.get(c));
        }
        rowGroupRows = 0;
        buffered = store.getBufferedSize();
    }

    private void flushRowGroup() throws IOException {
        if (rowGroupRows > 0) {
            rowGroups++;
            file.startBlock(rowGroupRows);
            store.flush();
            pages.flushToFileWriter(file);
            file.endBlock();
        }
        closeStores();
    }

    private void closeStores() {
        if (store != null) {
            store.close();
            store = null;
        }
        if (pages != null) {
            pages.close();
            pages = null;
        }
    }
}
