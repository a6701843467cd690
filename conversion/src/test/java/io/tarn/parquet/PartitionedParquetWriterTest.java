package io.tarn.parquet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tarn.csv.CsvReader;
import io.tarn.partition.PartitionKey;
import io.tarn.pipeline.Dataset;
import io.tarn.pipeline.PipelineLoader;
import io.tarn.typing.RawRecords;
import io.tarn.typing.RowTyper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PartitionedParquetWriterTest {

    private static final Dataset ORDERS = PipelineLoader.load(Path.of("../pipeline.yaml")).dataset("orders").orElseThrow();

    @TempDir
    Path temp;

    @Test
    void runsWithoutHadoopOnTheClasspath() {
        assertThatThrownBy(() -> Class.forName("org.apache.hadoop.conf.Configuration"))
                .isInstanceOf(ClassNotFoundException.class);
    }

    @Test
    void writesZstdParquetThatDuckDbReadsBackWithTypesAndValues() throws Exception {
        Path out = temp.resolve("out");
        Map<PartitionKey, List<Path>> files = write(ParquetSettings.defaults(), out, """
                I,2024-06-01 09:00:00.123456,1001,acme,501,paid,120.50,EUR,2024-05-30 10:15:00,\\N
                U,2024-06-01 09:00:01,1002,acme,\\N,"a, ""quoted"" status",-0.05,EUR,2024-05-30 23:59:59.999999,2024-05-31 00:00:00
                I,2024-06-01 09:00:02,1003,globex,601,paid,9999999999.99,USD,2024-05-31 08:45:00,\\N
                """);

        // The change log's day is the object's landing day (here the epoch): one partition per account.
        assertThat(files).containsOnlyKeys(
                new PartitionKey("acme", java.util.Optional.of("1970-01-01")),
                new PartitionKey("globex", java.util.Optional.of("1970-01-01")));
        Path acme = files.get(new PartitionKey("acme", java.util.Optional.of("1970-01-01"))).get(0);
        try (Connection duck = DriverManager.getConnection("jdbc:duckdb:"); Statement sql = duck.createStatement()) {
            sql.execute("SET TimeZone = 'UTC'");
            ResultSet types = sql.executeQuery("SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet('" + acme + "', hive_partitioning = false))");
            Map<String, String> columnTypes = new HashMap<>();
            while (types.next()) {
                columnTypes.put(types.getString(1), types.getString(2));
            }
            assertThat(columnTypes).containsEntry("order_id", "BIGINT")
                    .containsEntry("total", "DECIMAL(12,2)")
                    .containsEntry("created_at", "TIMESTAMP WITH TIME ZONE")
                    .containsEntry("_op", "VARCHAR")
                    .doesNotContainKey("account_id");

            ResultSet rows = sql.executeQuery("SELECT order_id, customer_id, status, total::VARCHAR, "
                    + "strftime(created_at, '%Y-%m-%d %H:%M:%S.%f'), _op, strftime(_commit_ts, '%H:%M:%S.%f') "
                    + "FROM read_parquet('" + acme + "') ORDER BY order_id");
            List<String> values = new ArrayList<>();
            while (rows.next()) {
                values.add(rows.getLong(1) + "|" + rows.getObject(2) + "|" + rows.getString(3) + "|" + rows.getString(4)
                        + "|" + rows.getString(5) + "|" + rows.getString(6) + "|" + rows.getString(7));
            }
            assertThat(values).containsExactly(
                    "1001|501|paid|120.50|2024-05-30 10:15:00.000000|I|09:00:00.123456",
                    "1002|null|a, \"quoted\" status|-0.05|2024-05-30 23:59:59.999999|U|09:00:01.000000");

            ResultSet codecs = sql.executeQuery("SELECT DISTINCT compression FROM parquet_metadata('" + acme + "')");
            assertThat(codecs.next()).isTrue();
            assertThat(codecs.getString(1)).isEqualTo("ZSTD");
            assertThat(codecs.next()).isFalse();
        }
    }

    @Test
    void theFooterCarriesTheTablesAvroSchemaForAvroReaders() throws Exception {
        Map<PartitionKey, List<Path>> files = write(ParquetSettings.defaults(), temp.resolve("out"),
                "U,2024-06-01 09:00:01,1002,acme,\\N,paid,-0.05,EUR,2024-05-30 23:59:59.999999,2024-05-31 00:00:00\n");
        Path file = files.values().iterator().next().get(0);

        try (Connection duck = DriverManager.getConnection("jdbc:duckdb:"); Statement sql = duck.createStatement()) {
            ResultSet metadata = sql.executeQuery("SELECT decode(value) FROM parquet_kv_metadata('" + file
                    + "') WHERE decode(key) = 'parquet.avro.schema'");
            assertThat(metadata.next()).isTrue();
            assertThat(new Schema.Parser().parse(metadata.getString(1))).isEqualTo(new StagingSchema(ORDERS).avroSchema());
        }
    }

    @Test
    void snappyIsAnOption() throws Exception {
        Map<PartitionKey, List<Path>> files = write(ParquetSettings.defaults().withCodec(CompressionCodecName.SNAPPY),
                temp.resolve("out"), "I,2024-06-01 09:00:00,1,acme,1,paid,1.00,EUR,2024-05-30 10:15:00,\\N\n");

        Path file = files.values().iterator().next().get(0);
        assertThat(file.getFileName().toString()).endsWith(".snappy.parquet");
        try (Connection duck = DriverManager.getConnection("jdbc:duckdb:"); Statement sql = duck.createStatement()) {
            ResultSet codecs = sql.executeQuery("SELECT DISTINCT compression FROM parquet_metadata('" + file + "')");
            codecs.next();
            assertThat(codecs.getString(1)).isEqualTo("SNAPPY");
        }
    }

    @Test
    void aSmallMemoryBudgetSplitsPartitionsIntoPartsWithoutLosingRows() throws Exception {
        StringBuilder csv = new StringBuilder();
        for (int i = 0; i < 30_000; i++) {
            csv.append("I,2024-06-01 09:00:00,").append(i).append(",account-").append(i % 50)
                    .append(",7,status-").append(i).append(",12.34,EUR,2024-05-30 10:15:00,\\N\n");
        }
        Map<PartitionKey, List<Path>> files = write(ParquetSettings.defaults().withMemoryBudget(256 << 10),
                temp.resolve("out"), csv.toString());

        assertThat(files).hasSize(50);
        assertThat(files.values().stream().mapToInt(List::size).sum()).isGreaterThan(50);
        try (Connection duck = DriverManager.getConnection("jdbc:duckdb:"); Statement sql = duck.createStatement()) {
            ResultSet count = sql.executeQuery("SELECT count(*), count(DISTINCT order_id) FROM read_parquet('"
                    + temp.resolve("out") + "/**/*.parquet')");
            count.next();
            assertThat(count.getLong(1)).isEqualTo(30_000);
            assertThat(count.getLong(2)).isEqualTo(30_000);
        }
    }

    @Test
    void aBudgetThatHoldsTheWritersButNotTheirRowGroupsWritesRowGroupsEarlyInOneFilePerPartition() throws Exception {
        StringBuilder csv = new StringBuilder();
        for (int i = 0; i < 60_000; i++) {
            csv.append("I,2024-06-01 09:00:00,").append(i).append(",account-").append(i % 20)
                    .append(",7,status-").append(i).append(",12.34,EUR,2024-05-30 10:15:00,\\N\n");
        }
        long budget = 20 * PartitionedParquetWriter.WRITER_OVERHEAD_BYTES + (512 << 10);
        Map<PartitionKey, List<Path>> files = write(ParquetSettings.defaults().withMemoryBudget(budget),
                temp.resolve("out"), csv.toString());

        assertThat(files).hasSize(20);
        assertThat(files.values()).allSatisfy(parts -> assertThat(parts).hasSize(1));
        try (Connection duck = DriverManager.getConnection("jdbc:duckdb:"); Statement sql = duck.createStatement()) {
            String glob = temp.resolve("out") + "/**/*.parquet";
            ResultSet groups = sql.executeQuery("SELECT count(DISTINCT (file_name, row_group_id)) FROM parquet_metadata('"
                    + glob + "')");
            groups.next();
            assertThat(groups.getLong(1)).as("row groups written early").isGreaterThan(20);
            ResultSet count = sql.executeQuery("SELECT count(*), count(DISTINCT order_id), "
                    + "count(*) FILTER (WHERE account_id <> 'account-' || (order_id % 20)) FROM read_parquet('"
                    + glob + "', hive_partitioning = true)");
            count.next();
            assertThat(count.getLong(1)).isEqualTo(60_000);
            assertThat(count.getLong(2)).isEqualTo(60_000);
            assertThat(count.getLong(3)).as("rows in another account's partition").isZero();
        }
    }

    @Test
    void morePartitionsThanOpenWritersSpillToDiskAndEachPartitionStillGetsOneFile() throws Exception {
        StringBuilder csv = new StringBuilder();
        for (int i = 0; i < 20_000; i++) {
            csv.append("I,2024-06-01 09:00:00,").append(i).append(",account-").append(i % 700)
                    .append(",7,paid,12.34,EUR,2024-05-30 10:15:00,\\N\n");
        }
        Map<PartitionKey, List<Path>> files = write(ParquetSettings.defaults().withMaxOpenPartitions(10),
                temp.resolve("out"), csv.toString());

        assertThat(files).hasSize(700);
        assertThat(files.values()).allSatisfy(parts -> assertThat(parts).hasSize(1));
        try (Connection duck = DriverManager.getConnection("jdbc:duckdb:"); Statement sql = duck.createStatement()) {
            ResultSet count = sql.executeQuery("SELECT count(*), count(DISTINCT order_id), "
                    + "count(*) FILTER (WHERE account_id <> 'account-' || (order_id % 700)) FROM read_parquet('"
                    + temp.resolve("out") + "/**/*.parquet', hive_partitioning = true)");
            count.next();
            assertThat(count.getLong(1)).isEqualTo(20_000);
            assertThat(count.getLong(2)).isEqualTo(20_000);
            assertThat(count.getLong(3)).as("rows in another account's partition").isZero();
        }
    }

    private Map<PartitionKey, List<Path>> write(ParquetSettings settings, Path out, String csv) throws Exception {
        StagingSchema schema = new StagingSchema(ORDERS);
        PartitionTable partitions = new PartitionTable();
        RowTyper typer = new RowTyper(schema, "s3://raw/test.csv", 0L, partitions);
        Map<PartitionKey, List<Path>> files = new HashMap<>();
        Path scratch = Files.createDirectories(temp.resolve("scratch"));
        try (PartitionedParquetWriter writer = new PartitionedParquetWriter(schema, partitions, settings, scratch,
                (partition, part, file, rows) -> {
                    Path target = out.resolve(partition.path()).resolve("part-" + part + settings.fileSuffix());
                    Files.createDirectories(target.getParent());
                    Files.move(file, target, StandardCopyOption.REPLACE_EXISTING);
                    files.computeIfAbsent(partition, p -> new ArrayList<>()).add(target);
                })) {
            // Rows handed over a thousand at a time, so that a partition's come in many sets, as in a large object.
            RawRecords.read(new ByteArrayInputStream(csv.getBytes(StandardCharsets.UTF_8)), ORDERS.format(),
                    CsvReader.DEFAULT_MAX_RECORD_CHARS, typer, 1_000, new RawRecords.Handler() {
                        @Override
                        public PartitionBatches rows(PartitionBatches rows) throws IOException {
                            writer.write(rows);
                            rows.clear();
                            return rows;
                        }

                        @Override
                        public void rejected(long line, String reason, String rawRecord) {
                            throw new AssertionError("line " + line + " rejected: " + reason);
                        }
                    });
            writer.finish();
        }
        try (Stream<Path> left = Files.list(scratch)) {
            assertThat(left).as("temporary files are removed").isEmpty();
        }
        return files;
    }
}
