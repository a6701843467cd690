package io.tarn.aws.glue;

import static java.util.Objects.requireNonNull;

import io.tarn.catalog.Catalog;
import io.tarn.catalog.CatalogColumn;
import io.tarn.catalog.CatalogException;
import io.tarn.catalog.Partition;
import io.tarn.catalog.SchemaChange;
import io.tarn.catalog.TableDefinition;
import io.tarn.catalog.TenantTables;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.glue.GlueClient;
import software.amazon.awssdk.services.glue.model.AlreadyExistsException;
import software.amazon.awssdk.services.glue.model.BatchCreatePartitionResponse;
import software.amazon.awssdk.services.glue.model.BatchUpdatePartitionFailureEntry;
import software.amazon.awssdk.services.glue.model.BatchUpdatePartitionRequestEntry;
import software.amazon.awssdk.services.glue.model.Column;
import software.amazon.awssdk.services.glue.model.ConcurrentModificationException;
import software.amazon.awssdk.services.glue.model.EntityNotFoundException;
import software.amazon.awssdk.services.glue.model.GetPartitionsRequest;
import software.amazon.awssdk.services.glue.model.GetPartitionsResponse;
import software.amazon.awssdk.services.glue.model.GetTablesResponse;
import software.amazon.awssdk.services.glue.model.PartitionError;
import software.amazon.awssdk.services.glue.model.PartitionInput;
import software.amazon.awssdk.services.glue.model.PartitionValueList;
import software.amazon.awssdk.services.glue.model.SerDeInfo;
import software.amazon.awssdk.services.glue.model.StorageDescriptor;
import software.amazon.awssdk.services.glue.model.Table;
import software.amazon.awssdk.services.glue.model.TableInput;

/**
 * {@link Catalog} over one database of the Glue Data Catalog. Tables are external, Hive-partitioned
 * Parquet tables that Athena, Redshift Spectrum and Glue jobs read alike. With {@link TenantTables},
 * every table this catalog ensures also gets its tenant-facing twin in the tenants' database: the
 * same columns over the same files, with projected partitions and none registered.
 */
public final class GlueCatalog implements Catalog {

    /** Glue rejects a {@code BatchCreatePartition} or {@code BatchUpdatePartition} request with more partitions than this. */
    public static final int MAX_PARTITIONS_PER_BATCH = 100;
    /** Glue rejects a {@code BatchDeletePartition} request with more partitions than this. */
    public static final int MAX_DELETES_PER_BATCH = 25;

    static final String INPUT_FORMAT = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat";
    static final String OUTPUT_FORMAT = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat";
    static final String SERDE = "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe";
    /** A current table's twin: each partition folder holds a manifest naming the Parquet files (Athena reads them). */
    static final String SYMLINK_INPUT_FORMAT = "org.apache.hadoop.hive.ql.io.SymlinkTextInputFormat";
    static final String SYMLINK_OUTPUT_FORMAT = "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat";
    static final String TABLE_TYPE = "EXTERNAL_TABLE";
    static final Map<String, String> TABLE_PARAMETERS = Map.of("classification", "parquet", "EXTERNAL", "TRUE");

    private static final String ALREADY_EXISTS = "AlreadyExistsException";

    private final GlueClient glue;
    private final String database;
    /** Properties a table of this database must carry beyond {@link #TABLE_PARAMETERS}. */
    private final Function<TableDefinition, Map<String, String>> properties;
    private final Optional<GlueCatalog> tenantTwins;
    private final Optional<TenantTables> tenants;
    private final boolean isTwins;

    public GlueCatalog(GlueClient glue, String database) {
        this(glue, database, Optional.empty());
    }

    /** @param tenants where the tenant-facing twins go; empty for none */
    public GlueCatalog(GlueClient glue, String database, Optional<TenantTables> tenants) {
        this(glue, database, table -> Map.of(), requireNonNull(tenants, "tenants is null")
                .map(t -> new GlueCatalog(glue, t.database(), t::projection, Optional.empty(), Optional.empty(), true)),
                tenants, false);
    }

    private GlueCatalog(GlueClient glue, String database, Function<TableDefinition, Map<String, String>> properties,
            Optional<GlueCatalog> tenantTwins, Optional<TenantTables> tenants, boolean isTwins) {
        this.glue = requireNonNull(glue, "glue is null");
        this.database = requireNonNull(database, "database is null");
        this.properties = properties;
        this.tenantTwins = tenantTwins;
        this.tenants = tenants;
        this.isTwins = isTwins;
    }

    @Override
    public Optional<TableDefinition> table(String name) {
        requireNonNull(name, "name is null");
        return getTable(name).map(table -> toDefinition(name, table));
    }

    /**
     * Creates the table, or brings an existing one to the definition's columns with UpdateTable
     * when {@link SchemaChange} allows it. Nothing is sent for a table already as defined. Then the
     * same for its tenant-facing twin, if there are twins: a twin that could not follow fails the
     * call, so the caller's retry brings both along.
     */
    @Override
    public void ensureTable(TableDefinition table) {
        requireNonNull(table, "table is null");
        ensureHere(table);
        tenantTwins.ifPresent(twins -> twins.ensureHere(tenants.orElseThrow().twin(table)));
    }

    private void ensureHere(TableDefinition table) {
        Optional<Table> existing = getTable(table.name());
        if (existing.isEmpty()) {
            if (create(table)) {
                return;
            }
            // A concurrent creator won the race (another invocation registering the same table), or
            // an earlier attempt succeeded before its response was lost: the table exists, and may
            // still need this definition's columns.
            existing = getTable(table.name());
            if (existing.isEmpty()) {
                throw new CatalogException("Glue answered CreateTable of %s with AlreadyExistsException, then GetTable"
                        .formatted(qualified(table.name())) + " with EntityNotFoundException", null);
            }
        }
        evolve(table, existing.get());
    }

    @Override
    public int registerPartitions(String table, List<Partition> partitions) {
        requireNonNull(table, "table is null");
        requireNonNull(partitions, "partitions is null");
        if (partitions.isEmpty()) {
            return 0;
        }
        Table glueTable = getTable(table).orElseThrow(() -> new CatalogException(
                "Cannot register partitions of %s because the table does not exist in Glue".formatted(qualified(table)),
                null));
        StorageDescriptor tableStorage = storageDescriptor(table, glueTable);
        int keys = glueTable.partitionKeys().size();
        for (Partition partition : partitions) {
            if (partition.values().size() != keys) {
                throw new IllegalArgumentException("Partition %s of %s has %d values, the table has %d partition keys"
                        .formatted(partition.values(), qualified(table), partition.values().size(), keys));
            }
        }

        // Batches are committed one by one: if a later batch fails, the earlier ones stay registered,
        // and a retry of the whole call counts them as already existing.
        int created = 0;
        for (int from = 0; from < partitions.size(); from += MAX_PARTITIONS_PER_BATCH) {
            List<Partition> batch = partitions.subList(from, Math.min(from + MAX_PARTITIONS_PER_BATCH, partitions.size()));
            created += createBatch(table, tableStorage, batch);
        }
        return created;
    }

    /**
     * BatchCreatePartition for every partition; the ones Glue answers AlreadyExists for get their
     * new location with BatchUpdatePartition; then BatchDeletePartition for the removals, where
     * EntityNotFound means already removed. Each Glue partition changes atomically; a retry after a
     * failure part-way creates nothing twice and moves to the same locations.
     */
    @Override
    public void movePartitions(String table, List<Partition> partitions, List<List<String>> removals) {
        requireNonNull(table, "table is null");
        requireNonNull(partitions, "partitions is null");
        requireNonNull(removals, "removals is null");
        Table glueTable = getTable(table).orElseThrow(() -> new CatalogException(
                "Cannot move partitions of %s because the table does not exist in Glue".formatted(qualified(table)), null));
        StorageDescriptor tableStorage = storageDescriptor(table, glueTable);
        for (int from = 0; from < partitions.size(); from += MAX_PARTITIONS_PER_BATCH) {
            List<Partition> batch = partitions.subList(from, Math.min(from + MAX_PARTITIONS_PER_BATCH, partitions.size()));
            List<List<String>> existing = new ArrayList<>();
            createBatch(table, tableStorage, batch, existing);
            List<Partition> moves = batch.stream().filter(p -> existing.contains(p.values())).toList();
            if (!moves.isEmpty()) {
                updateBatch(table, tableStorage, moves);
            }
        }
        for (int from = 0; from < removals.size(); from += MAX_DELETES_PER_BATCH) {
            List<List<String>> batch = removals.subList(from, Math.min(from + MAX_DELETES_PER_BATCH, removals.size()));
            deleteBatch(table, batch);
        }
    }

    @Override
    public List<Partition> partitions(String table) {
        requireNonNull(table, "table is null");
        List<Partition> partitions = new ArrayList<>();
        GetPartitionsRequest request = GetPartitionsRequest.builder()
                .databaseName(database)
                .tableName(table)
                // The column schema is the table's for every partition here: leave it out of the pages.
                .excludeColumnSchema(true)
                .build();
        try {
            // The SDK's paginator asks for the next page with each answer's NextToken.
            for (GetPartitionsResponse page : glue.getPartitionsPaginator(request)) {
                for (software.amazon.awssdk.services.glue.model.Partition partition : page.partitions()) {
                    String location = partition.storageDescriptor() == null ? null : partition.storageDescriptor().location();
                    if (location == null) {
                        throw new CatalogException("Partition %s of %s has no location in Glue"
                                .formatted(partition.values(), qualified(table)), null);
                    }
                    partitions.add(new Partition(partition.values(), location));
                }
            }
        } catch (EntityNotFoundException e) {
            throw new CatalogException("Cannot list partitions of %s because the table does not exist in Glue"
                    .formatted(qualified(table)), e);
        } catch (SdkException e) {
            throw new CatalogException("Cannot list partitions of %s in Glue".formatted(qualified(table)), e);
        }
        return partitions;
    }

    @Override
    public List<String> tableNames() {
        List<String> names = new ArrayList<>();
        try {
            for (GetTablesResponse page : glue.getTablesPaginator(r -> r.databaseName(database))) {
                page.tableList().forEach(table -> names.add(table.name()));
            }
        } catch (EntityNotFoundException e) {
            // No database yet: nothing was ever registered in it.
            return List.of();
        } catch (SdkException e) {
            throw new CatalogException("Cannot list the tables of Glue database %s".formatted(database), e);
        }
        names.sort(null);
        return names;
    }

    /** @return false when the table exists already (AlreadyExistsException) */
    private boolean create(TableDefinition table) {
        TableInput input = toTableInput(table);
        try {
            createTable(input);
            return true;
        } catch (AlreadyExistsException e) {
            return false;
        } catch (EntityNotFoundException e) {
            // The database is missing: on a fresh account or a fresh local catalog nothing else
            // creates it, so the first writer does, then creates the table in it. A second
            // EntityNotFound is a real error, not a race.
            createDatabase(table.name());
            try {
                createTable(input);
                return true;
            } catch (AlreadyExistsException raced) {
                return false;
            } catch (SdkException retryFailure) {
                throw new CatalogException(
                        "Cannot create table %s in Glue after creating its database".formatted(qualified(table.name())),
                        retryFailure);
            }
        } catch (SdkException e) {
            throw new CatalogException("Cannot create table %s in Glue".formatted(qualified(table.name())), e);
        }
    }

    /**
     * Brings an existing table to the definition's columns when {@link SchemaChange} allows it,
     * keeping everything else Glue holds of it (location, partition keys, serde, parameters, owner).
     * The update names the version read, so Glue refuses it when someone changed the table in
     * between (a crawler, another writer). The table is then read again, not updated again: when
     * the other writer made the same change (two invocations converting objects of the new
     * schema), the table is as wanted; otherwise this fails, and the caller's retry (the next
     * delivery of the object, the state machine's) starts from the table as it is then.
     */
    private void evolve(TableDefinition wanted, Table table) {
        SchemaChange change = change(wanted, table);
        if (asWanted(wanted, table, change)) {
            return;
        }
        Map<String, String> parameters = new HashMap<>(table.parameters());
        parameters.putAll(properties.apply(wanted));
        String what = change.isNone() ? "sets its location, format or partition projection properties" : change.describe();
        try {
            glue.updateTable(r -> r.databaseName(database)
                    .tableInput(updatedInput(table, wanted, change.columns(), parameters))
                    .versionId(table.versionId()));
        } catch (ConcurrentModificationException e) {
            Optional<Table> now = getTable(wanted.name());
            if (now.isEmpty() || !asWanted(wanted, now.get(), change(wanted, now.get()))) {
                throw new CatalogException("Cannot change table %s in Glue (%s): another writer changed it meanwhile"
                        .formatted(qualified(wanted.name()), what), e);
            }
        } catch (EntityNotFoundException e) {
            throw new CatalogException("Cannot change table %s in Glue (%s): the table no longer exists"
                    .formatted(qualified(wanted.name()), what), e);
        } catch (SdkException e) {
            throw new CatalogException("Cannot change table %s in Glue (%s)"
                    .formatted(qualified(wanted.name()), what), e);
        }
    }

    /**
     * No column to change and every property this database requires already set (a twin made
     * with another date range, for one, is not).
     */
    private boolean asWanted(TableDefinition wanted, Table table, SchemaChange change) {
        StorageDescriptor storage = storageDescriptor(wanted.name(), table);
        return change.isNone() && table.parameters().entrySet().containsAll(properties.apply(wanted).entrySet())
                && (!isTwins() || (wanted.location().equals(storage.location()) && inputFormat(wanted).equals(storage.inputFormat())));
    }

    /** The change from the table as Glue has it to the definition; a refused one fails here. */
    private SchemaChange change(TableDefinition wanted, Table table) {
        SchemaChange change = SchemaChange.between(toDefinition(wanted.name(), table), wanted);
        if (change.refusal().isPresent()) {
            throw new CatalogException("Cannot change table %s in Glue: %s"
                    .formatted(qualified(wanted.name()), change.refusal().get()), null);
        }
        return change;
    }

    /**
     * The table as Glue has it, as input, with these columns: UpdateTable replaces the whole table.
     * A registered table keeps its own location (an operator may have moved it); a twin takes the
     * wanted location and formats (a current table's twin made before it read symlink manifests
     * moves to them).
     */
    private TableInput updatedInput(Table table, TableDefinition wanted, List<CatalogColumn> columns,
            Map<String, String> parameters) {
        StorageDescriptor storage = storageDescriptor(table.name(), table).toBuilder().columns(toColumns(columns)).build();
        if (isTwins()) {
            storage = storage.toBuilder().location(wanted.location()).inputFormat(inputFormat(wanted))
                    .outputFormat(outputFormat(wanted)).build();
        }
        return TableInput.builder()
                .name(table.name())
                .description(table.description())
                .owner(table.owner())
                .lastAccessTime(table.lastAccessTime())
                .lastAnalyzedTime(table.lastAnalyzedTime())
                .retention(table.retention())
                .storageDescriptor(storage)
                .partitionKeys(table.partitionKeys())
                .viewOriginalText(table.viewOriginalText())
                .viewExpandedText(table.viewExpandedText())
                .tableType(table.tableType())
                .parameters(parameters)
                .targetTable(table.targetTable())
                .build();
    }

    private int createBatch(String table, StorageDescriptor tableStorage, List<Partition> batch) {
        return createBatch(table, tableStorage, batch, new ArrayList<>());
    }

    /** @param existing receives the values of the partitions Glue already had */
    private int createBatch(String table, StorageDescriptor tableStorage, List<Partition> batch,
            List<List<String>> existing) {
        List<PartitionInput> inputs = batch.stream()
                .map(partition -> PartitionInput.builder()
                        .values(partition.values())
                        .storageDescriptor(tableStorage.toBuilder().location(partition.location()).build())
                        .build())
                .toList();
        BatchCreatePartitionResponse response;
        try {
            response = glue.batchCreatePartition(r -> r.databaseName(database).tableName(table).partitionInputList(inputs));
        } catch (EntityNotFoundException e) {
            throw new CatalogException("Cannot register partitions of %s because the table does not exist in Glue"
                    .formatted(qualified(table)), e);
        } catch (SdkException e) {
            throw new CatalogException("Cannot register %d partitions of %s in Glue, from %s to %s".formatted(
                    batch.size(), qualified(table), batch.get(0).values(), batch.get(batch.size() - 1).values()), e);
        }

        // A partition that already exists was registered by an earlier attempt (possibly a retried
        // request whose first answer was lost) or another writer of the same data: that is the
        // outcome we want, so it counts as registered, not as created.
        List<PartitionError> errors = response.errors();
        errors.stream()
                .filter(error -> error.errorDetail() != null && ALREADY_EXISTS.equals(error.errorDetail().errorCode()))
                .forEach(error -> existing.add(error.partitionValues()));
        List<PartitionError> failures = errors.stream()
                .filter(error -> error.errorDetail() == null || !ALREADY_EXISTS.equals(error.errorDetail().errorCode()))
                .toList();
        if (!failures.isEmpty()) {
            String details = failures.stream()
                    .map(error -> error.partitionValues() + ": " + describe(error))
                    .collect(Collectors.joining("; "));
            throw new CatalogException("Glue refused partitions of %s: %s".formatted(qualified(table), details), null);
        }
        return batch.size() - errors.size();
    }

    private void updateBatch(String table, StorageDescriptor tableStorage, List<Partition> moves) {
        List<BatchUpdatePartitionRequestEntry> entries = moves.stream()
                .map(partition -> BatchUpdatePartitionRequestEntry.builder()
                        .partitionValueList(partition.values())
                        .partitionInput(PartitionInput.builder()
                                .values(partition.values())
                                .storageDescriptor(tableStorage.toBuilder().location(partition.location()).build())
                                .build())
                        .build())
                .toList();
        List<BatchUpdatePartitionFailureEntry> failures;
        try {
            failures = glue.batchUpdatePartition(r -> r.databaseName(database).tableName(table).entries(entries)).errors();
        } catch (SdkException e) {
            throw new CatalogException("Cannot move %d partitions of %s in Glue, from %s to %s".formatted(moves.size(),
                    qualified(table), moves.get(0).values(), moves.get(moves.size() - 1).values()), e);
        }
        if (!failures.isEmpty()) {
            String details = failures.stream()
                    .map(f -> f.partitionValueList() + ": " + (f.errorDetail() == null ? "no error detail"
                            : f.errorDetail().errorCode() + " (" + f.errorDetail().errorMessage() + ")"))
                    .collect(Collectors.joining("; "));
            throw new CatalogException("Glue refused to move partitions of %s: %s".formatted(qualified(table), details), null);
        }
    }

    private void deleteBatch(String table, List<List<String>> values) {
        List<PartitionValueList> entries = values.stream().map(v -> PartitionValueList.builder().values(v).build()).toList();
        List<PartitionError> errors;
        try {
            errors = glue.batchDeletePartition(r -> r.databaseName(database).tableName(table).partitionsToDelete(entries)).errors();
        } catch (SdkException e) {
            throw new CatalogException("Cannot remove %d partitions of %s in Glue, from %s to %s".formatted(values.size(),
                    qualified(table), values.get(0), values.get(values.size() - 1)), e);
        }
        // A partition that is not there was removed by an earlier attempt: the outcome we want.
        List<PartitionError> failures = errors.stream()
                .filter(error -> error.errorDetail() == null || !"EntityNotFoundException".equals(error.errorDetail().errorCode()))
                .toList();
        if (!failures.isEmpty()) {
            throw new CatalogException("Glue refused to remove partitions of %s: %s".formatted(qualified(table),
                    failures.stream().map(error -> error.partitionValues() + ": " + describe(error))
                            .collect(Collectors.joining("; "))), null);
        }
    }

    private Optional<Table> getTable(String name) {
        try {
            Table table = glue.getTable(r -> r.databaseName(database).name(name)).table();
            if (table == null) {
                throw new CatalogException("Glue answered GetTable of %s without a table".formatted(qualified(name)),
                        null);
            }
            return Optional.of(table);
        } catch (EntityNotFoundException e) {
            // The table, or its whole database, is not there.
            return Optional.empty();
        } catch (SdkException e) {
            throw new CatalogException("Cannot read table %s from Glue".formatted(qualified(name)), e);
        }
    }

    private void createTable(TableInput input) {
        glue.createTable(r -> r.databaseName(database).tableInput(input));
    }

    private void createDatabase(String forTable) {
        try {
            glue.createDatabase(r -> r.databaseInput(d -> d.name(database)));
        } catch (AlreadyExistsException e) {
            // Another writer created it between our CreateTable and this call.
        } catch (SdkException e) {
            throw new CatalogException(
                    "Cannot create Glue database %s for table %s".formatted(database, qualified(forTable)), e);
        }
    }

    private TableInput toTableInput(TableDefinition table) {
        Map<String, String> parameters = new HashMap<>(TABLE_PARAMETERS);
        parameters.putAll(properties.apply(table));
        return TableInput.builder()
                .name(table.name())
                .tableType(TABLE_TYPE)
                .parameters(parameters)
                .partitionKeys(toColumns(table.partitionKeys()))
                .storageDescriptor(StorageDescriptor.builder()
                        .location(table.location())
                        .inputFormat(inputFormat(table))
                        .outputFormat(outputFormat(table))
                        .columns(toColumns(table.columns()))
                        .serdeInfo(SerDeInfo.builder()
                                .serializationLibrary(SERDE)
                                .parameters(Map.of("serialization.format", "1"))
                                .build())
                        .build())
                .build();
    }

    private TableDefinition toDefinition(String name, Table table) {
        StorageDescriptor storage = storageDescriptor(name, table);
        if (storage.location() == null) {
            throw new CatalogException("Table %s has no location in Glue".formatted(qualified(name)), null);
        }
        return new TableDefinition(table.name(), storage.location(), fromColumns(name, storage.columns()),
                fromColumns(name, table.partitionKeys()),
                SYMLINK_INPUT_FORMAT.equals(storage.inputFormat()) ? TableDefinition.Storage.SYMLINK : TableDefinition.Storage.PARQUET);
    }

    /** Whether this is the catalog of the tenants' twins, whose tables follow their registered tables. */
    private boolean isTwins() {
        return isTwins;
    }

    private static String inputFormat(TableDefinition table) {
        return table.storage() == TableDefinition.Storage.SYMLINK ? SYMLINK_INPUT_FORMAT : INPUT_FORMAT;
    }

    private static String outputFormat(TableDefinition table) {
        return table.storage() == TableDefinition.Storage.SYMLINK ? SYMLINK_OUTPUT_FORMAT : OUTPUT_FORMAT;
    }

    /** The table's storage descriptor, a partition input's starting point. */
    private StorageDescriptor storageDescriptor(String name, Table table) {
        if (table.storageDescriptor() == null) {
            // Views and some federated tables have none; Tarn's tables always do.
            throw new CatalogException(
                    "Table %s has no storage descriptor in Glue: not a table Tarn writes".formatted(qualified(name)), null);
        }
        return table.storageDescriptor();
    }

    private static List<Column> toColumns(List<CatalogColumn> columns) {
        return columns.stream().map(column -> Column.builder().name(column.name()).type(column.type()).build()).toList();
    }

    private List<CatalogColumn> fromColumns(String table, List<Column> columns) {
        List<CatalogColumn> result = new ArrayList<>();
        for (Column column : columns) {
            if (column.name() == null || column.type() == null) {
                // Glue allows a column without a type; a table Tarn wrote never has one.
                throw new CatalogException(
                        "Table %s has a column without name or type in Glue: %s".formatted(qualified(table), column), null);
            }
            result.add(new CatalogColumn(column.name(), column.type()));
        }
        return result;
    }

    private static String describe(PartitionError error) {
        return error.errorDetail() == null
                ? "no error detail"
                : error.errorDetail().errorCode() + " (" + error.errorDetail().errorMessage() + ")";
    }

    private String qualified(String table) {
        return database + "." + table;
    }
}
