package io.tarn.parquet;

import io.tarn.partition.PartitionKey;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The partitions of one conversion, numbered in the order they are first seen: a {@link
 * ColumnBatch} row names its partition by this number. The typer adds partitions on one thread
 * while the writer reads them on another, so access is synchronized; both call it once per new
 * partition or per opened file, not per row.
 */
public final class PartitionTable {

    private final Map<PartitionKey, Integer> ids = new HashMap<>();
    private final List<PartitionKey> keys = new ArrayList<>();

    /** The partition's number, given a new one on first sight. */
    public synchronized int id(PartitionKey key) {
        Integer id = ids.get(key);
        if (id == null) {
            id = keys.size();
            ids.put(key, id);
            keys.add(key);
        }
        return id;
    }

    public synchronized PartitionKey key(int id) {
        return keys.get(id);
    }

    public synchronized int size() {
        return keys.size();
    }
}
