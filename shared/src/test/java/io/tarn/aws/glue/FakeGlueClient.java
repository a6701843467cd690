package io.tarn.aws.glue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.glue.GlueClient;
import software.amazon.awssdk.services.glue.model.BatchCreatePartitionRequest;
import software.amazon.awssdk.services.glue.model.BatchCreatePartitionResponse;
import software.amazon.awssdk.services.glue.model.CreateTableRequest;
import software.amazon.awssdk.services.glue.model.CreateTableResponse;
import software.amazon.awssdk.services.glue.model.EntityNotFoundException;
import software.amazon.awssdk.services.glue.model.ErrorDetail;
import software.amazon.awssdk.services.glue.model.GetPartitionsRequest;
import software.amazon.awssdk.services.glue.model.GetPartitionsResponse;
import software.amazon.awssdk.services.glue.model.GetTableRequest;
import software.amazon.awssdk.services.glue.model.GetTableResponse;
import software.amazon.awssdk.services.glue.model.Partition;
import software.amazon.awssdk.services.glue.model.PartitionError;
import software.amazon.awssdk.services.glue.model.PartitionInput;
import software.amazon.awssdk.services.glue.model.Table;
import software.amazon.awssdk.services.glue.model.TableInput;

/**
 * A Glue catalog of one table, for what moto does not do like Glue: it takes any number of
 * partitions per {@code BatchCreatePartition} and returns {@code GetPartitions} in one page. This
 * one records every request, refuses batches over Glue's limit of 100 and pages by {@code pageSize}.
 */
final class FakeGlueClient implements GlueClient {

    final List<BatchCreatePartitionRequest> batchRequests = new ArrayList<>();
    final List<GetPartitionsRequest> pageRequests = new ArrayList<>();

    private final String database;
    private final int pageSize;
    private Table table;
    private final Map<List<String>, PartitionInput> partitions = new LinkedHashMap<>();
    private final Map<List<String>, ErrorDetail> refusals = new HashMap<>();

    FakeGlueClient(String database, int pageSize) {
        this.database = database;
        this.pageSize = pageSize;
    }

    /** Makes Glue answer a create of these values with this per-partition error. */
    void refuse(List<String> values, String errorCode, String errorMessage) {
        refusals.put(values, ErrorDetail.builder().errorCode(errorCode).errorMessage(errorMessage).build());
    }

    @Override
    public CreateTableResponse createTable(CreateTableRequest request) {
        if (table != null) {
            throw new AssertionError("This fake holds one table; already has " + table.name());
        }
        TableInput input = request.tableInput();
        table = Table.builder()
                .databaseName(request.databaseName())
                .name(input.name())
                .tableType(input.tableType())
                .parameters(input.parameters())
                .partitionKeys(input.partitionKeys())
                .storageDescriptor(input.storageDescriptor())
                .build();
        return CreateTableResponse.builder().build();
    }

    @Override
    public GetTableResponse getTable(GetTableRequest request) {
        if (table == null || !request.name().equals(table.name()) || !request.databaseName().equals(database)) {
            throw EntityNotFoundException.builder().message("Table " + request.name() + " not found.").build();
        }
        return GetTableResponse.builder().table(table).build();
    }

    @Override
    public BatchCreatePartitionResponse batchCreatePartition(BatchCreatePartitionRequest request) {
        batchRequests.add(request);
        if (request.partitionInputList().size() > 100) {
            throw new AssertionError("Glue refuses more than 100 partitions per BatchCreatePartition, got "
                    + request.partitionInputList().size());
        }
        List<PartitionError> errors = new ArrayList<>();
        for (PartitionInput input : request.partitionInputList()) {
            ErrorDetail refusal = refusals.get(input.values());
            if (refusal == null && partitions.containsKey(input.values())) {
                refusal = ErrorDetail.builder()
                        .errorCode("AlreadyExistsException")
                        .errorMessage("Partition already exists.")
                        .build();
            }
            if (refusal != null) {
                errors.add(PartitionError.builder().partitionValues(input.values()).errorDetail(refusal).build());
            } else {
                partitions.put(input.values(), input);
            }
        }
        return BatchCreatePartitionResponse.builder().errors(errors).build();
    }

    @Override
    public GetPartitionsResponse getPartitions(GetPartitionsRequest request) {
        pageRequests.add(request);
        int from = request.nextToken() == null ? 0 : Integer.parseInt(request.nextToken());
        List<PartitionInput> all = new ArrayList<>(partitions.values());
        int to = Math.min(from + pageSize, all.size());
        List<Partition> page = all.subList(from, to).stream()
                .map(input -> Partition.builder()
                        .databaseName(table.databaseName())
                        .tableName(table.name())
                        .values(input.values())
                        .storageDescriptor(input.storageDescriptor())
                        .build())
                .toList();
        return GetPartitionsResponse.builder()
                .partitions(page)
                .nextToken(to < all.size() ? Integer.toString(to) : null)
                .build();
    }

    @Override
    public String serviceName() {
        return SERVICE_NAME;
    }

    @Override
    public void close() {}
}
