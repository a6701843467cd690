package io.tarn.aws.glue;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tarn.aws.json.AwsJsonException;
import io.tarn.catalog.Catalog;
import io.tarn.catalog.CatalogColumn;
import io.tarn.catalog.CatalogException;
import io.tarn.catalog.Partition;
import io.tarn.catalog.TableDefinition;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

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
    private static final String NOT_FOUND = "EntityNotFoundException";

    /**
     * The members of Glue's StorageDescriptor. A partition gets the table's descriptor with its own
     * location; only these are copied, so that anything else in an answer (a field newer than this
     * list, a local server's extra) is not sent back to Glue as input.
     */
    private static final Set<String> STORAGE_DESCRIPTOR_MEMBERS = Set.of(
            "AdditionalLocations", "BucketColumns", "Columns", "Compressed", "InputFormat", "Location",
            "NumberOfBuckets", "OutputFormat", "Parameters", "SchemaReference", "SerdeInfo", "SkewedInfo",
            "SortColumns", "StoredAsSubDirectories");

    private final GlueApi api;
    private final String database;

    public GlueCatalog(GlueApi api, String database) {
        this.api = requireNonNull(api, "api is null");
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
        ObjectNode input = toTableInput(table);
        try {
            createTable(input);
        } catch (AwsJsonException e) {
            if (!e.is(NOT_FOUND)) {
                throw new CatalogException("Cannot create table %s in Glue".formatted(qualified(table.name())), e);
            }
            // The database is missing: on a fresh account or a fresh local catalog nothing else
            // creates it, so the first writer does. Retried once only: a second EntityNotFound is a
            // real error, not a race.
            createDatabase(table.name());
            try {
                createTable(input);
            } catch (AwsJsonException retryFailure) {
                throw new CatalogException(
                        "Cannot create table %s in Glue after creating its database".formatted(qualified(table.name())),
                        retryFailure);
            }
        }
    }

    @Override
    public int registerPartitions(String table, List<Partition> partitions) {
        requireNonNull(table, "table is null");
        requireNonNull(partitions, "partitions is null");
        if (partitions.isEmpty()) {
            return 0;
        }
        ObjectNode glueTable = getTable(table).orElseThrow(() -> new CatalogException(
                "Cannot register partitions of %s because the table does not exist in Glue".formatted(qualified(table)),
                null));
        ObjectNode tableStorage = storageDescriptor(table, glueTable);
        int keys = glueTable.path("PartitionKeys").size();
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
                ObjectNode request = GlueApi.object()
                        .put("DatabaseName", database)
                        .put("TableName", table)
                        // The column schema is the table's for every partition here: leave it out of the pages.
                        .put("ExcludeColumnSchema", true);
                if (nextToken != null) {
                    request.put("NextToken", nextToken);
                }
                ObjectNode page = api.call("GetPartitions", request);
                for (JsonNode partition : page.path("Partitions")) {
                    List<String> values = strings(partition.path("Values"));
                    String location = text(partition.path("StorageDescriptor"), "Location");
                    if (location == null) {
                        throw new CatalogException("Partition %s of %s has no location in Glue"
                                .formatted(values, qualified(table)), null);
                    }
                    partitions.add(new Partition(values, location));
                }
                nextToken = text(page, "NextToken");
            } while (nextToken != null && !nextToken.isEmpty());
        } catch (AwsJsonException e) {
            if (e.is(NOT_FOUND)) {
                throw new CatalogException("Cannot list partitions of %s because the table does not exist in Glue"
                        .formatted(qualified(table)), e);
            }
            throw new CatalogException("Cannot list partitions of %s in Glue".formatted(qualified(table)), e);
        }
        return partitions;
    }

    @Override
    public List<String> tableNames() {
        List<String> names = new ArrayList<>();
        String nextToken = null;
        try {
            do {
                ObjectNode request = GlueApi.object().put("DatabaseName", database);
                if (nextToken != null) {
                    request.put("NextToken", nextToken);
                }
                ObjectNode page = api.call("GetTables", request);
                for (JsonNode table : page.path("TableList")) {
                    names.add(table.path("Name").asText());
                }
                nextToken = text(page, "NextToken");
            } while (nextToken != null && !nextToken.isEmpty());
        } catch (AwsJsonException e) {
            if (e.is(NOT_FOUND)) {
                // No database yet: nothing was ever registered in it.
                return List.of();
            }
            throw new CatalogException("Cannot list the tables of Glue database %s".formatted(database), e);
        }
        names.sort(null);
        return names;
    }

    private int createBatch(String table, ObjectNode tableStorage, List<Partition> batch) {
        ObjectNode request = GlueApi.object().put("DatabaseName", database).put("TableName", table);
        ArrayNode inputs = request.putArray("PartitionInputList");
        for (Partition partition : batch) {
            ObjectNode input = inputs.addObject();
            input.set("Values", stringArray(partition.values()));
            input.set("StorageDescriptor", tableStorage.deepCopy().put("Location", partition.location()));
        }
        ObjectNode response;
        try {
            response = api.call("BatchCreatePartition", request);
        } catch (AwsJsonException e) {
            if (e.is(NOT_FOUND)) {
                throw new CatalogException("Cannot register partitions of %s because the table does not exist in Glue"
                        .formatted(qualified(table)), e);
            }
            throw new CatalogException("Cannot register %d partitions of %s in Glue, from %s to %s".formatted(
                    batch.size(), qualified(table), batch.get(0).values(), batch.get(batch.size() - 1).values()), e);
        }

        // A partition that already exists was registered by an earlier attempt (possibly a retried
        // request whose first answer was lost) or another writer of the same data: that is the
        // outcome we want, so it counts as registered, not as created.
        JsonNode errors = response.path("Errors");
        List<JsonNode> failures = new ArrayList<>();
        for (JsonNode error : errors) {
            if (!ALREADY_EXISTS.equals(text(error.path("ErrorDetail"), "ErrorCode"))) {
                failures.add(error);
            }
        }
        if (!failures.isEmpty()) {
            String details = failures.stream()
                    .map(error -> strings(error.path("PartitionValues")) + ": " + describe(error.path("ErrorDetail")))
                    .collect(Collectors.joining("; "));
            throw new CatalogException(
                    "Glue refused partitions of %s: %s".formatted(qualified(table), details), null);
        }
        return batch.size() - errors.size();
    }

    private Optional<ObjectNode> getTable(String name) {
        try {
            JsonNode table = api.call("GetTable", GlueApi.object().put("DatabaseName", database).put("Name", name))
                    .path("Table");
            if (!table.isObject()) {
                throw new CatalogException("Glue answered GetTable of %s without a table".formatted(qualified(name)),
                        null);
            }
            return Optional.of((ObjectNode) table);
        } catch (AwsJsonException e) {
            if (e.is(NOT_FOUND)) {
                return Optional.empty();
            }
            throw new CatalogException("Cannot read table %s from Glue".formatted(qualified(name)), e);
        }
    }

    private void createTable(ObjectNode input) {
        try {
            ObjectNode request = GlueApi.object().put("DatabaseName", database);
            request.set("TableInput", input);
            api.call("CreateTable", request);
        } catch (AwsJsonException e) {
            if (!e.is(ALREADY_EXISTS)) {
                throw e;
            }
            // A concurrent creator (another invocation registering the same table) won the race, or
            // an earlier attempt succeeded before its response was lost: the table exists, as wanted.
        }
    }

    private void createDatabase(String forTable) {
        try {
            ObjectNode request = GlueApi.object();
            request.putObject("DatabaseInput").put("Name", database);
            api.call("CreateDatabase", request);
        } catch (AwsJsonException e) {
            if (e.is(ALREADY_EXISTS)) {
                // Another writer created it between our CreateTable and this call.
                return;
            }
            throw new CatalogException(
                    "Cannot create Glue database %s for table %s".formatted(database, qualified(forTable)), e);
        }
    }

    private static ObjectNode toTableInput(TableDefinition table) {
        ObjectNode input = GlueApi.object().put("Name", table.name()).put("TableType", TABLE_TYPE);
        ObjectNode parameters = input.putObject("Parameters");
        TABLE_PARAMETERS.forEach(parameters::put);
        input.set("PartitionKeys", toColumns(table.partitionKeys()));
        ObjectNode storage = input.putObject("StorageDescriptor")
                .put("Location", table.location())
                .put("InputFormat", INPUT_FORMAT)
                .put("OutputFormat", OUTPUT_FORMAT);
        storage.set("Columns", toColumns(table.columns()));
        storage.putObject("SerdeInfo")
                .put("SerializationLibrary", SERDE)
                .putObject("Parameters")
                .put("serialization.format", "1");
        return input;
    }

    private TableDefinition toDefinition(String name, ObjectNode table) {
        ObjectNode storage = storageDescriptor(name, table);
        String location = text(storage, "Location");
        if (location == null) {
            throw new CatalogException("Table %s has no location in Glue".formatted(qualified(name)), null);
        }
        return new TableDefinition(
                text(table, "Name"),
                location,
                fromColumns(name, storage.path("Columns")),
                fromColumns(name, table.path("PartitionKeys")));
    }

    /** The table's storage descriptor, as a partition input's starting point. */
    private ObjectNode storageDescriptor(String name, ObjectNode table) {
        JsonNode storage = table.path("StorageDescriptor");
        if (!storage.isObject()) {
            // Views and some federated tables have none; Tarn's tables always do.
            throw new CatalogException(
                    "Table %s has no storage descriptor in Glue: not a table Tarn writes".formatted(qualified(name)), null);
        }
        ObjectNode copy = GlueApi.object();
        storage.properties().forEach(member -> {
            if (STORAGE_DESCRIPTOR_MEMBERS.contains(member.getKey())) {
                copy.set(member.getKey(), member.getValue().deepCopy());
            }
        });
        return copy;
    }

    private static ArrayNode toColumns(List<CatalogColumn> columns) {
        ArrayNode array = GlueApi.object().arrayNode();
        columns.forEach(column -> array.addObject().put("Name", column.name()).put("Type", column.type()));
        return array;
    }

    private List<CatalogColumn> fromColumns(String table, JsonNode columns) {
        List<CatalogColumn> result = new ArrayList<>();
        for (JsonNode column : columns) {
            String name = text(column, "Name");
            String type = text(column, "Type");
            if (name == null || type == null) {
                // Glue allows a column without a type; a table Tarn wrote never has one.
                throw new CatalogException(
                        "Table %s has a column without name or type in Glue: %s".formatted(qualified(table), column), null);
            }
            result.add(new CatalogColumn(name, type));
        }
        return result;
    }

    private static String describe(JsonNode errorDetail) {
        return errorDetail.isObject()
                ? text(errorDetail, "ErrorCode") + " (" + text(errorDetail, "ErrorMessage") + ")"
                : "no error detail";
    }

    private static ArrayNode stringArray(List<String> values) {
        ArrayNode array = GlueApi.object().arrayNode();
        values.forEach(array::add);
        return array;
    }

    private static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(value -> values.add(value.asText()));
        return values;
    }

    /** A member's text, or null when it is missing or JSON null. */
    private static String text(JsonNode node, String member) {
        JsonNode value = node.get(member);
        return value == null || value.isNull() ? null : value.asText();
    }

    private String qualified(String table) {
        return database + "." + table;
    }
}
