package io.tarn.catalog;

import java.util.List;
import java.util.Optional;

/** The metadata catalog the staging tables are registered in (the Glue Data Catalog in AWS). */
public interface Catalog {

    /** The table, or empty when the catalog does not know it. */
    Optional<TableDefinition> table(String name);

    /** Creates the table if it does not exist yet; an existing table is left as it is. */
    void ensureTable(TableDefinition table);

    /**
     * Registers partitions of an existing table. Partitions that already exist count as registered,
     * so a replay is harmless.
     *
     * @return how many partitions this call created (the rest already existed)
     */
    int registerPartitions(String table, List<Partition> partitions);

    /** Every registered partition of the table. */
    List<Partition> partitions(String table);

    /** The names of every table of the catalog (of the Glue database), sorted; empty when it has none. */
    List<String> tableNames();
}
