package io.tarn.parquet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tarn.csv.CsvReader;
import io.tarn.pipeline.Dataset;
import io.tarn.pipeline.PipelineLoader;
import io.tarn.storage.StorageException;
import io.tarn.typing.RowTyper;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShardedParquetWriterTest {

    private static final Dataset ORDERS = PipelineLoader.load(Path.of("../pipeline.yaml")).dataset("orders").orElseThrow();
    private static final ParquetSettings THREE_THREADS = ParquetSettings.defaults().withWriterThreads(3);

    @TempDir
    Path temp;

    @Test
    void threeThreadsWriteTheSameFilesOnEveryRunWithEveryRowInItsPartition() throws Exception {
        String csv = orders(20_000, 50);

        Map<String, String> first = write(csv, temp.resolve("first"));
        Map<String, String> second = write(csv, temp.resolve("second"));

        assertThat(first).hasSize(50).isEqualTo(second);
        try (Connection duck = DriverManager.getConnection("jdbc:duckdb:"); Statement sql = duck.createStatement()) {
            ResultSet rows = sql.executeQuery("SELECT count(*), count(DISTINCT order_id), "
                    + "count(*) FILTER (WHERE account_id <> 'account-' || (order_id % 50)) FROM read_parquet('"
                    + temp.resolve("first") + "/**/*.parquet', hive_partitioning = true)");
            rows.next();
            assertThat(rows.getLong(1)).isEqualTo(20_000);
            assertThat(rows.getLong(2)).isEqualTo(20_000);
            assertThat(rows.getLong(3)).isZero();
        }
    }

    @Test
    void aFailureOnAWriterThreadSurfacesOnTheCallersThreadAsItWas() throws Exception {
        StagingSchema schema = new StagingSchema(ORDERS);
        StorageException failure = new StorageException("Cannot write s3://staging/x: injected", null);

        assertThatThrownBy(() -> {
            try (ShardedParquetWriter writer = new ShardedParquetWriter(schema.avroSchema(), schema.plainColumns(),
                    THREE_THREADS, temp, (partition, part, file, rows) -> {
                        throw failure;
                    })) {
                feed(writer, schema, orders(1_000, 5));
                writer.finish();
            }
        }).isSameAs(failure);
    }

    private Map<String, String> write(String csv, Path out) throws Exception {
        StagingSchema schema = new StagingSchema(ORDERS);
        Path scratch = Files.createDirectories(temp.resolve("scratch-" + out.getFileName()));
        try (ShardedParquetWriter writer = new ShardedParquetWriter(schema.avroSchema(), schema.plainColumns(),
                THREE_THREADS, scratch, (partition, part, file, rows) -> {
                    Path target = out.resolve(partition.path()).resolve("part-" + part + ".parquet");
                    Files.createDirectories(target.getParent());
                    Files.move(file, target);
                })) {
            feed(writer, schema, csv);
            writer.finish();
        }
        Map<String, String> digests = new TreeMap<>();
        try (Stream<Path> files = Files.walk(out)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                digests.put(out.relativize(file).toString(),
                        HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file))));
            }
        }
        return digests;
    }

    private static void feed(ShardedParquetWriter writer, StagingSchema schema, String csv) throws Exception {
        RowTyper typer = new RowTyper(schema, "s3://raw/test.csv", 0L);
        try (CsvReader reader = new CsvReader(new StringReader(csv), ',')) {
            while (reader.next()) {
                RowTyper.TypedRow row = typer.type(reader, reader.lineNumber());
                writer.write(row.partition(), row.row());
            }
        }
    }

    private static String orders(int rows, int accounts) {
        StringBuilder csv = new StringBuilder();
        for (int i = 0; i < rows; i++) {
            csv.append("I,2024-06-01 09:00:00,").append(i).append(",account-").append(i % accounts)
                    .append(",7,paid,12.34,EUR,2024-05-30 10:15:00,\\N\n");
        }
        return csv.toString();
    }
}
