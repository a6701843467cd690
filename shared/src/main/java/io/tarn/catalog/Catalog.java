package io.tarn.catalog;

import java.util.List;
import java.util.Optional;

/** The metadata catalog the staging tables are registered in (the Glue Data Catalog in AWS). */
public interface Catalog {

    /** The table, or empty when the catalog does not know it. */
    Optional<TableDefinition> table(String name);

    /**
     * Makes the catalog's table what the definition says, as far as the existing files allow: a
     * missing table is created; an existing one whose columns differ by changes Athena can read
     * over its existing Parquet files (columns added anywhere, {@code int} to {@code bigint},
     * {@code float} to {@code double}, a decimal's precision raised) takes the definition's
     * columns and keeps its own location, partition keys and properties; an existing one already
     * as defined is left untouched. The rule is {@link SchemaChange}'s.
     *
     * @throws CatalogException naming the table and the column when the change is one Athena could
     *     not read over the existing files (a column removed or renamed, a type narrowed or changed
     *     otherwise, the partition keys changed); the table is then left as it is
     */
    void ensureTable(TableDefinition table);

    /**
     * Registers partitions of an existing table. Partitions that already exist count as registered,
     * so a replay is harmless.
     *
     * @return how many partitions this call created (the rest already existed)
     */
    int registerPartitions(String table, List<Partition> partitions);

    /**
     * Points each partition at its location, registering the ones that do not exist yet, and
     * removes the partitions whose values are in {@code removals} (a missing one counts as
     * removed). Each partition moves on its own: a reader sees its old location or its new one,
     * never a mix of both, which is what versioned partition folders rely on. A retry converges.
     */
    void movePartitions(String table, List<Partition> partitions, List<List<String>> removals);

    /** Every registered partition of the table. */
    List<Partition> partitions(String table);

    /** The names of every table of the catalog (of the Glue database), sorted; empty when it has none. */
    List<String> tableNames();
}
