package io.tarn.typing;

import io.tarn.csv.CsvReader;
import io.tarn.parquet.ColumnBatch;
import io.tarn.parquet.PartitionBatches;
import io.tarn.pipeline.CsvFormat;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPInputStream;

/**
 * Reads one raw CSV object through typing: every record becomes a typed row, gathered with the
 * others of its partition, or a rejection with its reason, never nothing. The RawObject function
 * and the Glue backfill both read raw objects through here, so they give the same rows for the
 * same file.
 */
public final class RawRecords {

    /** Receives each record's fate. */
    public interface Handler {
        /**
         * Takes typed rows (a full set, or the object's last) and returns the empty set to fill
         * next; the handler owns {@code rows} from here on.
         */
        PartitionBatches rows(PartitionBatches rows) throws IOException;

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
        return read(raw, format, maxRecordChars, typer, PartitionBatches.MAX_ROWS, handler);
    }

    /** The same, handing rows over {@code maxRows} at a time. */
    public static long read(InputStream raw, CsvFormat format, int maxRecordChars, RowTyper typer, int maxRows,
            Handler handler) throws IOException {
        long records = 0;
        PartitionBatches rows = new PartitionBatches(typer.newBatch(1), maxRows);
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
                if (rows.full()) {
                    rows = handler.rows(rows);
                }
                try {
                    typer.type(reader, line, rows);
                } catch (RowRejectedException e) {
                    handler.rejected(line, e.getMessage(), reader.rawRecord());
                }
            }
        }
        if (rows.rows() > 0) {
            handler.rows(rows);
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
