package io.tarn.aws.glue;

import static java.util.Objects.requireNonNull;

import io.tarn.catalog.Catalog;
import io.tarn.catalog.CatalogColumn;
import io.tarn.catalog.CatalogException;
import io.tarn.catalog.Partition;
import io.tarn.catalog.TableDefinition;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.glue.GlueClient;
import software.amazon.awssdk.services.glue.model.AlreadyExistsException;
import software.amazon.awssdk.services.glue.model.BatchCreatePartitionResponse;
import software.amazon.awssdk.services.glue.model.Column;
import software.amazon.awssdk.services.glue.model.DatabaseInput;
import software.amazon.awssdk.services.glue.model.EntityNotFoundException;
import software.amazon.awssdk.services.glue.model.GetPartitionsResponse;
import software.amazon.awssdk.services.glue.model.PartitionError;
import software.amazon.awssdk.services.glue.model.PartitionInput;
import software.amazon.awssdk.services.glue.model.SerDeInfo;
import software.amazon.awssdk.services.glue.model.StorageDescriptor;
import software.amazon.awssdk.services.glue.model.Table;
import software.amazon.awssdk.services.glue.model.TableInput;

/**
 * {@link Catalog} over one database of the Glue Data Catalog. Tables are external, Hive-partitioned
 * Parquet tables that Athena, Redshift Spectrum and Glue jobs read alike.
 */
public final class GlueCatalog implements Catalog {

    /** Glue rejects a {@code BatchCreatePartition} request with more partitions than this. */
    public static final int MAX_PARTITIONS_PER_BATCH = 100;

    static final String INPUT_FORMAT = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat";
    static final String OUTPUT_FORMAT = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat";
    static final String SERDE = "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe";
    static final String TABLE_TYPE = "EXTERNAL_TABLE";
    static final Map<String, String> TABLE_PARAMETERS = Map.of("classification", "parquet", "EXTERNAL", "TRUE");

    private static final String ALREADY_EXISTS = "AlreadyExistsException";

    private final GlueClient glue;
    private final String database;

    public GlueCatalog(GlueClient glue, String database) {
        this.glue = requireNonNull(glue, "glue is null");
        this.database = requireNonNull(database, "database is null");
    }

    @Override
    public Optional<TableDefinition> table(String name) {
        requireNonNull(name, "name is null");
        return getTable(name).map(table -> toDefinition(name, table));
    }

    @Override
    public void ensureTable(TableDefinition table) {
        requireNonNull(table, "table is null");
        TableInput input = toTableInput(table);
        try {
            createTable(input);
        } catch (EntityNotFoundException e) {
            // The database is missing: on a fresh account or a fresh local catalog nothing else
            // creates it, so the first writer does. Retried once only: a second EntityNotFound is a
            // real error, not a race.
            createDatabase(table.name());
            try {
                createTable(input);
            } catch (SdkException retryFailure) {
                throw new CatalogException(
                        "Cannot create table %s in Glue after creating its database".formatted(qualified(table.name())),
                        retryFailure);
            }
        } catch (SdkException e) {
            throw new CatalogException("Cannot create table %s in Glue".formatted(qualified(table.name())), e);
        }
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

    @Override
    public List<Partition> partitions(String table) {
        requireNonNull(table, "table is null");
        List<Partition> partitions = new ArrayList<>();
        String nextToken = null;
        try {
            do {
                String token = nextToken;
                // The column schema is the table's for every partition here: leave it out of the pages.
                GetPartitionsResponse page = glue.getPartitions(request -> request
                        .databaseName(database)
                        .tableName(table)
                        .excludeColumnSchema(true)
                        .nextToken(token));
                for (software.amazon.awssdk.services.glue.model.Partition partition : page.partitions()) {
                    String location = partition.storageDescriptor() == null
                            ? null
                            : partition.storageDescriptor().location();
                    if (location == null) {
                        throw new CatalogException("Partition %s of %s has no location in Glue"
                                .formatted(partition.values(), qualified(table)), null);
                    }
                    partitions.add(new Partition(partition.values(), location));
                }
                nextToken = page.nextToken();
            } while (nextToken != null && !nextToken.isEmpty());
        } catch (EntityNotFoundException e) {
            throw new CatalogException(
                    "Cannot list partitions of %s because the table does not exist in Glue".formatted(qualified(table)), e);
        } catch (SdkException e) {
            throw new CatalogException("Cannot list partitions of %s in Glue".formatted(qualified(table)), e);
        }
        return partitions;
    }

    private int createBatch(String table, StorageDescriptor tableStorage, List<Partition> batch) {
        List<PartitionInput> inputs = batch.stream()
                .map(partition -> PartitionInput.builder()
                        .values(partition.values())
                        .storageDescriptor(tableStorage.toBuilder().location(partition.location()).build())
                        .build())
                .toList();
        BatchCreatePartitionResponse response;
        try {
            response = glue.batchCreatePartition(request -> request
                    .databaseName(database)
                    .tableName(table)
                    .partitionInputList(inputs));
        } catch (EntityNotFoundException e) {
            throw new CatalogException(
                    "Cannot register partitions of %s because the table does not exist in Glue".formatted(qualified(table)),
                    e);
        } catch (SdkException e) {
            throw new CatalogException("Cannot register %d partitions of %s in Glue, from %s to %s".formatted(
                    batch.size(), qualified(table), batch.get(0).values(), batch.get(batch.size() - 1).values()), e);
        }

        // A partition that already exists was registered by an earlier attempt or another writer of
        // the same data: that is the outcome we want, so it counts as registered, not as created.
        List<PartitionError> failures = response.errors().stream()
                .filter(error -> error.errorDetail() == null || !ALREADY_EXISTS.equals(error.errorDetail().errorCode()))
                .toList();
        if (!failures.isEmpty()) {
            String details = failures.stream()
                    .map(error -> error.partitionValues() + ": " + describe(error))
                    .collect(Collectors.joining("; "));
            throw new CatalogException(
                    "Glue refused partitions of %s: %s".formatted(qualified(table), details), null);
        }
        return batch.size() - response.errors().size();
    }

    private Optional<Table> getTable(String name) {
        try {
            return Optional.of(glue.getTable(request -> request.databaseName(database).name(name)).table());
        } catch (EntityNotFoundException e) {
            return Optional.empty();
        } catch (SdkException e) {
            throw new CatalogException("Cannot read table %s from Glue".formatted(qualified(name)), e);
        }
    }

    private void createTable(TableInput input) {
        try {
            glue.createTable(request -> request.databaseName(database).tableInput(input));
        } catch (AlreadyExistsException e) {
            // A concurrent creator (another invocation registering the same table) won the race, or
            // an earlier attempt succeeded before its response was lost: the table exists, as wanted.
        }
    }

    private void createDatabase(String forTable) {
        try {
            glue.createDatabase(request -> request.databaseInput(DatabaseInput.builder().name(database).build()));
        } catch (AlreadyExistsException e) {
            // Another writer created it between our CreateTable and this call.
        } catch (SdkException e) {
            throw new CatalogException(
                    "Cannot create Glue database %s for table %s".formatted(database, qualified(forTable)), e);
        }
    }

    private TableInput toTableInput(TableDefinition table) {
        return TableInput.builder()
                .name(table.name())
                .tableType(TABLE_TYPE)
                .parameters(TABLE_PARAMETERS)
                .partitionKeys(toColumns(table.partitionKeys()))
                .storageDescriptor(StorageDescriptor.builder()
                        .location(table.location())
                        .columns(toColumns(table.columns()))
                        .inputFormat(INPUT_FORMAT)
                        .outputFormat(OUTPUT_FORMAT)
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
        return new TableDefinition(
                table.name(), storage.location(), fromColumns(storage.columns()), fromColumns(table.partitionKeys()));
    }

    private StorageDescriptor storageDescriptor(String name, Table table) {
        if (table.storageDescriptor() == null) {
            // Views and some federated tables have none; Tarn's tables always do.
            throw new CatalogException(
                    "Table %s has no storage descriptor in Glue: not a table Tarn writes".formatted(qualified(name)), null);
        }
        return table.storageDescriptor();
    }

    private static List<Column> toColumns(List<CatalogColumn> columns) {
        return columns.stream()
                .map(column -> Column.builder().name(column.name()).type(column.type()).build())
                .toList();
    }

    private static List<CatalogColumn> fromColumns(List<Column> columns) {
        return columns.stream().map(column -> new CatalogColumn(column.name(), column.type())).toList();
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
