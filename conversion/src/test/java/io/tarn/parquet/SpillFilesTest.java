package io.tarn.parquet;

import static org.assertj.core.api.Assertions.assertThat;

import io.tarn.partition.PartitionKey;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpillFilesTest {

    private static final ColumnBatch.Type[] TYPES = {
        ColumnBatch.Type.INT32, ColumnBatch.Type.INT64, ColumnBatch.Type.DOUBLE, ColumnBatch.Type.BOOLEAN,
        ColumnBatch.Type.BINARY, ColumnBatch.Type.BINARY
    };

    @TempDir
    Path temp;

    @Test
    void rowsComeBackByPartitionAsTheyWentOutNullsConstantsAndValuesLongerThanTheBufferIncluded() throws Exception {
        PartitionTable partitions = new PartitionTable();
        ColumnBatch template = new ColumnBatch(TYPES, 1);
        template.setConstant(5, "s3://raw/x.csv".getBytes(StandardCharsets.UTF_8));
        String wide = "w".repeat(200_000); // over the spill buffer's 64 KiB
        List<String> written = new ArrayList<>();
        try (SpillFiles spill = new SpillFiles(temp, 0, partitions)) {
            for (int p = 0; p < 40; p++) {
                int partition = partitions.id(new PartitionKey("account-" + p, Optional.of("2024-06-01")));
                ColumnBatch batch = template.emptyCopy(4);
                for (int r = 0; r < 3; r++) {
                    String text = p == 7 && r == 1 ? wide : "value-" + p + "-" + r;
                    batch.putInt(0, p);
                    batch.putLong(1, 1_000L * p + r);
                    if (r == 2) {
                        batch.putNull(2);
                    } else {
                        batch.putDouble(2, p + r / 10.0);
                    }
                    batch.putBoolean(3, r % 2 == 0);
                    batch.putUtf8(4, text);
                    batch.commit();
                    written.add(row(partitions, partition, batch, batch.size() - 1));
                }
                spill.write(batch, partition);
            }
            assertThat(spill.rows()).isEqualTo(120);

            List<String> read = new ArrayList<>();
            spill.forEachBucket(new PartitionBatches(template, 50), bucket -> bucket.forEach(rows -> {
                for (int i = 0; i < rows.partitions(); i++) {
                    ColumnBatch batch = rows.batchAt(i);
                    for (int r = 0; r < batch.size(); r++) {
                        read.add(row(partitions, rows.partition(i), batch, r));
                    }
                }
            }));

            assertThat(read).containsExactlyInAnyOrderElementsOf(written);
            assertThat(read).anySatisfy(row -> assertThat(row).contains(wide));
        }
        try (Stream<Path> left = Files.list(temp)) {
            assertThat(left).as("bucket files are deleted").isEmpty();
        }
    }

    /** The row's partition and values: a row that came back in another partition does not match. */
    private static String row(PartitionTable partitions, int partition, ColumnBatch batch, int row) {
        List<String> values = new ArrayList<>();
        values.add(partitions.key(partition).path());
        for (int c = 0; c < batch.columns(); c++) {
            Object value = batch.value(c, row);
            values.add(value instanceof byte[] bytes ? new String(bytes, StandardCharsets.UTF_8) : String.valueOf(value));
        }
        return String.join("|", values);
    }

    @Test
    void aPartitionsRowsKeepTheirOrderAcrossChunks() throws Exception {
        PartitionTable partitions = new PartitionTable();
        ColumnBatch template = new ColumnBatch(TYPES, 1);
        template.setConstant(5, new byte[0]);
        int partition = partitions.id(new PartitionKey("acme", Optional.empty()));
        try (SpillFiles spill = new SpillFiles(temp, 1, partitions)) {
            for (int chunk = 0; chunk < 5; chunk++) {
                ColumnBatch batch = template.emptyCopy(2);
                for (int r = 0; r < 10; r++) {
                    batch.putInt(0, chunk);
                    batch.putLong(1, chunk * 10L + r);
                    batch.putDouble(2, 0);
                    batch.putBoolean(3, false);
                    batch.putUtf8(4, "x");
                    batch.commit();
                }
                spill.write(batch, partition);
            }
            List<Long> order = new ArrayList<>();
            spill.forEachBucket(new PartitionBatches(template, 7), bucket -> bucket.forEach(rows -> {
                ColumnBatch batch = rows.batchAt(0);
                for (int r = 0; r < batch.size(); r++) {
                    order.add(batch.getLong(1, r));
                }
            }));
            assertThat(order).isEqualTo(LongStream.range(0, 50).boxed().toList());
        }
    }
}
