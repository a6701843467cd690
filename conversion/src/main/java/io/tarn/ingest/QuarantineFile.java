package io.tarn.ingest;

import java.io.BufferedWriter;
import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Rejected rows of one raw object, spooled to a local CSV file (so a file of bad rows costs disk,
 * not memory): {@code source_key,line,reason,raw_record}, RFC 4180 quoted.
 */
final class QuarantineFile implements Closeable {

    private final Path path;
    private final String source;
    private BufferedWriter writer;
    private long rows;

    QuarantineFile(Path path, String source) {
        this.path = path;
        this.source = source;
    }

    void add(long line, String reason, String rawRecord) throws IOException {
        if (writer == null) {
            writer = Files.newBufferedWriter(path, StandardCharsets.UTF_8);
            writer.write("source_key,line,reason,raw_record\r\n");
        }
        writer.write(quote(source));
        writer.write(',');
        writer.write(Long.toString(line));
        writer.write(',');
        writer.write(quote(reason));
        writer.write(',');
        writer.write(quote(rawRecord));
        writer.write("\r\n");
        rows++;
    }

    long rows() {
        return rows;
    }

    Path path() {
        return path;
    }

    /** Flushes and closes the file, so it can be uploaded; no row may be added after. */
    void finishWriting() throws IOException {
        if (writer != null) {
            writer.close();
            writer = null;
        }
    }

    @Override
    public void close() throws IOException {
        finishWriting();
    }

    private static String quote(String value) {
        return "\"" + value.replace("\"", "\"\"") + "\"";
    }
}
