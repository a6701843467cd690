package io.tarn.parquet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ColumnBatchTest {

    private static final ColumnBatch.Type[] TYPES = {ColumnBatch.Type.INT64, ColumnBatch.Type.BINARY};

    @Test
    void aDiscardedRowLeavesNoNullAndNoBytesForTheNextRow() {
        ColumnBatch batch = new ColumnBatch(TYPES, 4);
        put(batch, 1L, "first");
        batch.commit();
        int committedBytes = batch.binaryBytes();

        batch.putNull(0);
        batch.putUtf8(1, "rejected half-way");
        batch.discard();
        assertEquals(committedBytes, batch.binaryBytes());

        put(batch, 3L, "third");
        batch.commit();

        assertEquals(2, batch.size());
        assertEquals(3L, batch.value(0, 1));
        assertArrayEquals(bytes("third"), (byte[]) batch.value(1, 1));
        assertArrayEquals(bytes("first"), (byte[]) batch.value(1, 0));
        assertEquals(committedBytes + 5, batch.binaryBytes());
    }

    @Test
    void aClearedBatchForgetsItsNullsAcrossBitmapWordsAndGrowth() {
        ColumnBatch batch = new ColumnBatch(TYPES, 2);
        for (int row = 0; row < 130; row++) {
            batch.putNull(0);
            batch.putNull(1);
            batch.commit();
        }
        assertNull(batch.value(0, 129));
        batch.clear();
        for (int row = 0; row < 130; row++) {
            put(batch, row, "v" + row);
            batch.commit();
        }
        for (int row = 0; row < 130; row++) {
            assertEquals((long) row, batch.value(0, row), "row " + row);
            assertArrayEquals(bytes("v" + row), (byte[]) batch.value(1, row), "row " + row);
        }
    }

    @Test
    void nullsAndValuesMixWithinOneBitmapWord() {
        ColumnBatch batch = new ColumnBatch(TYPES, 1);
        for (int row = 0; row < 70; row++) {
            if (row % 3 == 0) {
                batch.putNull(0);
                batch.putNull(1);
            } else {
                put(batch, row, "r" + row);
            }
            batch.commit();
        }
        for (int row = 0; row < 70; row++) {
            if (row % 3 == 0) {
                assertNull(batch.value(0, row));
                assertNull(batch.value(1, row));
            } else {
                assertEquals((long) row, batch.value(0, row));
                assertArrayEquals(bytes("r" + row), (byte[]) batch.value(1, row));
            }
        }
    }

    private static void put(ColumnBatch batch, long number, String text) {
        batch.putLong(0, number);
        batch.putUtf8(1, text);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
