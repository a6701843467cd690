package io.tarn.parquet;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.parquet.io.OutputFile;
import org.apache.parquet.io.PositionOutputStream;

/** A local file as a Parquet {@link OutputFile}. */
final class FileOutput implements OutputFile {

    private final Path path;
    private Stream stream;

    FileOutput(Path path) {
        this.path = path;
    }

    Path path() {
        return path;
    }

    /** Closes the stream, if one was opened, ignoring a failure: for a file being thrown away. */
    void closeQuietly() {
        if (stream != null) {
            try {
                stream.close();
            } catch (IOException ignored) {
                // The file is deleted next; the failure that led here is what gets reported.
            }
        }
    }

    @Override
    public PositionOutputStream create(long blockSizeHint) throws IOException {
        return createOrOverwrite(blockSizeHint);
    }

    @Override
    public PositionOutputStream createOrOverwrite(long blockSizeHint) throws IOException {
        stream = new Stream(new BufferedOutputStream(Files.newOutputStream(path), 8 << 10));
        return stream;
    }

    @Override
    public boolean supportsBlockSize() {
        return false;
    }

    @Override
    public long defaultBlockSize() {
        return 0;
    }

    @Override
    public String getPath() {
        return path.toString();
    }

    private static final class Stream extends PositionOutputStream {
        private final OutputStream out;
        private long position;

        Stream(OutputStream out) {
            this.out = out;
        }

        @Override
        public long getPos() {
            return position;
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            position++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            position += len;
        }

        @Override
        public void flush() throws IOException {
            out.flush();
        }

        @Override
        public void close() throws IOException {
            out.close();
        }
    }
}
