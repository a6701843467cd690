package io.tarn.parquet;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.compression.CompressionCodecFactory;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.xerial.snappy.Snappy;

/**
 * Parquet compression without Hadoop. parquet-java's own codec factory resolves codecs through
 * Hadoop's {@code CompressionCodec} classes, which a Lambda jar does not carry; this one calls
 * zstd-jni and snappy-java directly. Compressors are not thread-safe: one per column writer, which
 * is how parquet-java asks for them.
 */
public final class TarnCodecFactory implements CompressionCodecFactory {

    /** zstd's default level: the best ratio per CPU second for this kind of data. */
    public static final int DEFAULT_ZSTD_LEVEL = 3;

    private final int zstdLevel;

    public TarnCodecFactory() {
        this(DEFAULT_ZSTD_LEVEL);
    }

    public TarnCodecFactory(int zstdLevel) {
        this.zstdLevel = zstdLevel;
    }

    @Override
    public BytesInputCompressor getCompressor(CompressionCodecName codec) {
        return switch (codec) {
            case ZSTD -> new ZstdCompressor(zstdLevel);
            case SNAPPY -> new SnappyCompressor();
            default -> throw new IllegalArgumentException(
                    "Unsupported Parquet codec " + codec + " (Tarn writes ZSTD or SNAPPY)");
        };
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
        // Nothing pooled: each compressor releases its own context.
    }

    private static final class ZstdCompressor implements BytesInputCompressor {
        private final ZstdCompressCtx context;

        ZstdCompressor(int level) {
            context = new ZstdCompressCtx();
            context.setLevel(level);
        }

        @Override
        public BytesInput compress(BytesInput bytes) throws IOException {
            return BytesInput.from(context.compress(bytes.toByteArray()));
        }

        @Override
        public CompressionCodecName getCodecName() {
            return CompressionCodecName.ZSTD;
        }

        @Override
        public void release() {
            context.close();
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
