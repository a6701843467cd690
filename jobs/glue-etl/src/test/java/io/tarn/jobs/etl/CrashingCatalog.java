package io.tarn.jobs.etl;

import io.tarn.catalog.Catalog;
import io.tarn.catalog.Partition;
import io.tarn.catalog.TableDefinition;
import java.util.List;
import java.util.Optional;

/** The real catalog, but one operation on one table fails, as a crash there would. */
record CrashingCatalog(Catalog delegate, String operation, String failingTable) implements Catalog {
    @Override
    public Optional<TableDefinition> table(String name) {
        crashIf("table", name);
        return delegate.table(name);
    }

    @Override
    public void ensureTable(TableDefinition table) {
        crashIf("ensureTable", table.name());
        delegate.ensureTable(table);
    }

    @Override
    public int registerPartitions(String table, List<Partition> partitions) {
        return delegate.registerPartitions(table, partitions);
    }

    @Override
    public void movePartitions(String table, List<Partition> partitions, List<List<String>> removals) {
        crashIf("movePartitions", table);
        delegate.movePartitions(table, partitions, removals);
    }

    @Override
    public List<Partition> partitions(String table) {
        return delegate.partitions(table);
    }

    @Override
    public List<String> tableNames() {
        return delegate.tableNames();
    }

    private void crashIf(String called, String table) {
        if (called.equals(operation) && table.equals(failingTable)) {
            throw new IllegalStateException("crash in " + operation + " of " + table);
        }
    }
}
