package io.tarn.parquet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tarn.csv.CsvReader;
import io.tarn.pipeline.Dataset;
import io.tarn.pipeline.PipelineLoader;
import io.tarn.storage.StorageException;
import io.tarn.typing.RawRecords;
import io.tarn.typing.RowTyper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
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

class BatchWriterTest {

    private static final Dataset ORDERS = PipelineLoader.load(Path.of("../pipeline.yaml")).dataset("orders").orElseThrow();
    /**
     * Row groups written early and parts split by the budget (eight open writers alone pass it),
     * partitions past the open-file bound spilled: every path taken.
     */
    private static final ParquetSettings TIGHT = ParquetSettings.defaults()
            .withMemoryBudget(4 * PartitionedParquetWriter.WRITER_OVERHEAD_BYTES).withMaxOpenPartitions(8);

    @TempDir
    Path temp;

    @Test
    void writingInTheBackgroundOrOnTheCallersThreadGivesTheSameBytesOnEveryRun() throws Exception {
        String csv = orders(30_000, 50);

        Map<String, String> first = write(csv, TIGHT, temp.resolve("first"));
        Map<String, String> second = write(csv, TIGHT, temp.resolve("second"));
        Map<String, String> inline = write(csv, TIGHT.withEncodeInBackground(false), temp.resolve("inline"));

        assertThat(first).hasSizeGreaterThan(50).isEqualTo(second).isEqualTo(inline);
        try (Connection duck = DriverManager.getConnection("jdbc:duckdb:"); Statement sql = duck.createStatement()) {
            ResultSet rows = sql.executeQuery("SELECT count(*), count(DISTINCT order_id), "
                    + "count(*) FILTER (WHERE account_id <> 'account-' || (order_id % 50)) FROM read_parquet('"
                    + temp.resolve("first") + "/**/*.parquet', hive_partitioning = true)");
            rows.next();
            assertThat(rows.getLong(1)).isEqualTo(30_000);
            assertThat(rows.getLong(2)).isEqualTo(30_000);
            assertThat(rows.getLong(3)).isZero();
        }
    }

    @Test
    void aFailureOnTheWritingThreadSurfacesOnTheCallersThreadAsItWas() {
        StorageException failure = new StorageException("Cannot write s3://staging/x: injected", null);

        assertThatThrownBy(() -> {
            try (BatchWriter writer = writer(TIGHT, temp, (partition, part, file, rows) -> {
                throw failure;
            })) {
                feed(writer, orders(1_000, 5));
                writer.finish();
            }
        }).isSameAs(failure);
    }

    private StagingSchema schema;
    private PartitionTable partitions;

    private BatchWriter writer(ParquetSettings settings, Path scratch, PartitionedParquetWriter.PartSink sink) {
        schema = new StagingSchema(ORDERS);
        partitions = new PartitionTable();
        return new BatchWriter(schema, partitions, settings, scratch, sink);
    }

    private Map<String, String> write(String csv, ParquetSettings settings, Path out) throws Exception {
        Path scratch = Files.createDirectories(temp.resolve("scratch-" + out.getFileName()));
        try (BatchWriter writer = writer(settings, scratch, (partition, part, file, rows) -> {
            Path target = out.resolve(partition.path()).resolve("part-" + part + ".parquet");
            Files.createDirectories(target.getParent());
            Files.move(file, target);
        })) {
            feed(writer, csv);
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

    private void feed(BatchWriter writer, String csv) throws IOException {
        RowTyper typer = new RowTyper(schema, "s3://raw/test.csv", 0L, partitions);
        RawRecords.read(new ByteArrayInputStream(csv.getBytes(StandardCharsets.UTF_8)), ORDERS.format(),
                CsvReader.DEFAULT_MAX_RECORD_CHARS, typer, 700, new RawRecords.Handler() {
                    @Override
                    public PartitionBatches rows(PartitionBatches rows) throws IOException {
                        return writer.write(rows);
                    }

                    @Override
                    public void rejected(long line, String reason, String rawRecord) {
                        throw new AssertionError("line " + line + " rejected: " + reason);
                    }
                });
    }

    private static String orders(int rows, int accounts) {
        StringBuilder csv = new StringBuilder();
        for (int i = 0; i < rows; i++) {
            csv.append("I,2024-06-01 09:00:00,").append(i).append(",account-").append(i % accounts)
                    .append(",7,status-").append(i % 97).append(",12.34,EUR,2024-05-30 10:15:00,\\N\n");
        }
        return csv.toString();
    }
}
