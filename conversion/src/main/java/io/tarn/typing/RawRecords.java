package io.tarn.typing;

import io.tarn.csv.CsvReader;
import io.tarn.parquet.ColumnBatch;
import io.tarn.pipeline.CsvFormat;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPInputStream;

/**
 * Reads one raw CSV object through typing: every record becomes a row of a column batch or a
 * rejection with its reason, never nothing. The RawObject function and the Glue backfill both read
 * raw objects through here, so they give the same rows for the same file.
 */
public final class RawRecords {

    /** Rows per batch: enough for each of a few hundred partitions to get long runs of rows per column. */
    public static final int BATCH_ROWS = 1 << 16;

    /** Receives each record's fate. */
    public interface Handler {
        /**
         * Takes a batch of typed rows (full, or the object's last) and returns the empty batch to
         * fill next; the handler owns {@code batch} from here on.
         */
        ColumnBatch rows(ColumnBatch batch) throws IOException;

        void rejected(long line, String reason, String rawRecord) throws IOException;
    }

    private RawRecords() {}

    /**
     * Streams the object (decompressing gzip per the dataset's format) and returns the number of
     * records read, the header excluded: exactly the rows handed over plus the {@code rejected}
     * calls made. A record longer than {@code maxRecordChars} ({@link CsvReader#DEFAULT_MAX_RECORD_CHARS}
     * in production) is rejected with its reason and the first part of its text, and reading goes on
     * after it.
     */
    public static long read(InputStream raw, CsvFormat format, int maxRecordChars, RowTyper typer, Handler handler)
            throws IOException {
        return read(raw, format, maxRecordChars, typer, BATCH_ROWS, handler);
    }

    /** The same, in batches of {@code batchRows} rows. */
    public static long read(InputStream raw, CsvFormat format, int maxRecordChars, RowTyper typer, int batchRows,
            Handler handler) throws IOException {
        long records = 0;
        ColumnBatch batch = typer.newBatch(batchRows);
        try (CsvReader reader = new CsvReader(new InputStreamReader(decompress(raw, format), StandardCharsets.UTF_8),
                format.delimiter(), maxRecordChars)) {
            boolean header = typer.expectsHeader();
            // A record past the reader's bound comes back malformed like any other and the reader
            // goes on after it, so no row of the object is left unread.
            while (reader.next()) {
                long line = reader.lineNumber();
                if (header) {
                    header = false;
                    typer.readHeader(reader);
                    continue;
                }
                records++;
                if (reader.malformed()) {
                    handler.rejected(line, reader.malformedReason().orElse("malformed CSV record"), reader.rawRecord());
                    continue;
                }
                try {
                    typer.type(reader, line, batch);
                } catch (RowRejectedException e) {
                    handler.rejected(line, e.getMessage(), reader.rawRecord());
                    continue;
                }
                if (batch.full()) {
                    batch = handler.rows(batch);
                }
            }
        }
        if (batch.size() > 0) {
            handler.rows(batch);
        }
        return records;
    }

    private static InputStream decompress(InputStream raw, CsvFormat format) throws IOException {
        BufferedInputStream buffered = new BufferedInputStream(raw, 1 << 16);
        boolean gzip = switch (format.gzip()) {
            case ALWAYS -> true;
            case NEVER -> false;
            case AUTO -> {
                buffered.mark(2);
                int first = buffered.read();
                int second = buffered.read();
                buffered.reset();
                yield first == 0x1f && second == 0x8b;
            }
        };
        return gzip ? new GZIPInputStream(buffered, 1 << 16) : buffered;
    }
}
