package io.tarn.parquet;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.compression.CompressionCodecFactory;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.xerial.snappy.Snappy;

/**
 * Parquet compression without Hadoop. parquet-java's own codec factory resolves codecs through
 * Hadoop's {@code CompressionCodec} classes, which a Lambda jar does not carry; this one calls
 * zstd-jni and snappy-java directly.
 *
 * <p>One factory serves every file a {@link PartitionedParquetWriter} writes, from one thread
 * (pages are compressed when they are flushed, on the writing thread), so it hands out one
 * compressor per codec: a zstd context holds about a megabyte of native memory, and one per
 * partition file would add up to gigabytes with thousands of partitions. {@code release()} is
 * what each {@code ParquetWriter} calls when it closes, so it keeps the contexts; {@link #close()}
 * frees them.
 */
// BytesInput.toByteArray() is deprecated in favour of allocator-managed buffers; zstd-jni and
// snappy-java take heap arrays, and a page is compressed into a fresh array either way.
@SuppressWarnings("deprecation")
public final class TarnCodecFactory implements CompressionCodecFactory, AutoCloseable {

    /** zstd's default level: the best ratio per CPU second for this kind of data. */
    public static final int DEFAULT_ZSTD_LEVEL = 3;

    private final int zstdLevel;
    private ZstdCompressor zstd;
    private SnappyCompressor snappy;

    public TarnCodecFactory() {
        this(DEFAULT_ZSTD_LEVEL);
    }

    public TarnCodecFactory(int zstdLevel) {
        this.zstdLevel = zstdLevel;
    }

    @Override
    public BytesInputCompressor getCompressor(CompressionCodecName codec) {
        switch (codec) {
            case ZSTD -> {
                if (zstd == null) {
                    zstd = new ZstdCompressor(zstdLevel);
                }
                return zstd;
            }
            case SNAPPY -> {
                if (snappy == null) {
                    snappy = new SnappyCompressor();
                }
                return snappy;
            }
            default -> throw new IllegalArgumentException(
                    "Unsupported Parquet codec " + codec + " (Tarn writes ZSTD or SNAPPY)");
        }
    }

    @Override
    public BytesInputDecompressor getDecompressor(CompressionCodecName codec) {
        return switch (codec) {
            case ZSTD -> new Decompressor(true);
            case SNAPPY -> new Decompressor(false);
            default -> throw new IllegalArgumentException("Unsupported Parquet codec " + codec);
        };
    }

    @Override
    public void release() {
        // Called by every ParquetWriter on close; the shared compressors outlive single files.
    }

    /** Frees the native compression context. */
    @Override
    public void close() {
        if (zstd != null) {
            zstd.context.close();
            zstd = null;
        }
        snappy = null;
    }

    /**
     * Compresses each page from one reused input array into one reused output array, and returns
     * a view of the output: the page writer copies a page's compressed bytes before it asks for the
     * next (as with parquet-java's own Hadoop-based compressors, which reuse their buffer too), so
     * a page costs no allocation here.
     */
    private static final class ZstdCompressor implements BytesInputCompressor {
        private final ZstdCompressCtx context;
        private final PageBuffer input = new PageBuffer();
        private byte[] output = new byte[0];

        ZstdCompressor(int level) {
            context = new ZstdCompressCtx();
            context.setLevel(level);
        }

        @Override
        public BytesInput compress(BytesInput bytes) throws IOException {
            input.reset();
            bytes.writeAllTo(input);
            int bound = (int) Zstd.compressBound(input.size());
            if (output.length < bound) {
                output = new byte[Math.max(bound, output.length * 2)];
            }
            int size = context.compressByteArray(output, 0, output.length, input.array(), 0, input.size());
            return BytesInput.from(output, 0, size);
        }

        @Override
        public CompressionCodecName getCodecName() {
            return CompressionCodecName.ZSTD;
        }

        @Override
        public void release() {
            // Shared by every file of the factory: freed by the factory's close().
        }
    }

    /** A growable byte array to write a page into, read in place. */
    private static final class PageBuffer extends ByteArrayOutputStream {
        byte[] array() {
            return buf;
        }
    }

    private static final class SnappyCompressor implements BytesInputCompressor {
        @Override
        public BytesInput compress(BytesInput bytes) throws IOException {
            return BytesInput.from(Snappy.compress(bytes.toByteArray()));
        }

        @Override
        public CompressionCodecName getCodecName() {
            return CompressionCodecName.SNAPPY;
        }

        @Override
        public void release() {}
    }

    private static final class Decompressor implements BytesInputDecompressor {
        private final boolean zstd;

        Decompressor(boolean zstd) {
            this.zstd = zstd;
        }

        @Override
        public BytesInput decompress(BytesInput bytes, int uncompressedSize) throws IOException {
            byte[] input = bytes.toByteArray();
            byte[] output = zstd ? Zstd.decompress(input, uncompressedSize) : Snappy.uncompress(input);
            return BytesInput.from(output);
        }

        @Override
        public void decompress(ByteBuffer input, int compressedSize, ByteBuffer output, int uncompressedSize)
                throws IOException {
            byte[] in = new byte[compressedSize];
            input.get(in);
            output.put(decompress(BytesInput.from(in), uncompressedSize).toByteArray());
        }

        @Override
        public void release() {}
    }
}
