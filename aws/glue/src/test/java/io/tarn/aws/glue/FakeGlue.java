package io.tarn.aws.glue;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.services.glue.GlueClient;
import software.amazon.awssdk.services.glue.model.AccessDeniedException;
import software.amazon.awssdk.services.glue.model.AlreadyExistsException;
import software.amazon.awssdk.services.glue.model.BatchCreatePartitionRequest;
import software.amazon.awssdk.services.glue.model.BatchCreatePartitionResponse;
import software.amazon.awssdk.services.glue.model.ConcurrentModificationException;
import software.amazon.awssdk.services.glue.model.CrawlerRunningException;
import software.amazon.awssdk.services.glue.model.CreateDatabaseRequest;
import software.amazon.awssdk.services.glue.model.CreateDatabaseResponse;
import software.amazon.awssdk.services.glue.model.CreateTableRequest;
import software.amazon.awssdk.services.glue.model.CreateTableResponse;
import software.amazon.awssdk.services.glue.model.EntityNotFoundException;
import software.amazon.awssdk.services.glue.model.ErrorDetail;
import software.amazon.awssdk.services.glue.model.GetCrawlerRequest;
import software.amazon.awssdk.services.glue.model.GetCrawlerResponse;
import software.amazon.awssdk.services.glue.model.GetPartitionsRequest;
import software.amazon.awssdk.services.glue.model.GetPartitionsResponse;
import software.amazon.awssdk.services.glue.model.GetTableRequest;
import software.amazon.awssdk.services.glue.model.GetTableResponse;
import software.amazon.awssdk.services.glue.model.GetTablesRequest;
import software.amazon.awssdk.services.glue.model.GetTablesResponse;
import software.amazon.awssdk.services.glue.model.GlueException;
import software.amazon.awssdk.services.glue.model.GlueRequest;
import software.amazon.awssdk.services.glue.model.Partition;
import software.amazon.awssdk.services.glue.model.PartitionError;
import software.amazon.awssdk.services.glue.model.PartitionInput;
import software.amazon.awssdk.services.glue.model.StartCrawlerRequest;
import software.amazon.awssdk.services.glue.model.StartCrawlerResponse;
import software.amazon.awssdk.services.glue.model.Table;
import software.amazon.awssdk.services.glue.model.TableInput;
import software.amazon.awssdk.services.glue.model.ThrottlingException;
import software.amazon.awssdk.services.glue.model.UpdateTableRequest;
import software.amazon.awssdk.services.glue.model.UpdateTableResponse;

/**
 * Glue in memory, as the SDK's {@link GlueClient} interface, for what moto does not do like Glue:
 * it refuses {@code BatchCreatePartition} batches over Glue's limit of 100, answers
 * {@code GetPartitions} in pages of {@code pageSize}, checks UpdateTable's {@code VersionId},
 * records every request object in order, and throws scripted errors (access denied, throttling, a
 * concurrent change) before serving a call. Only the calls Tarn makes are implemented: the
 * interface's other default methods throw {@link UnsupportedOperationException}.
 */
final class FakeGlue implements GlueClient {

    static final Instant NOW = Instant.parse("2024-03-01T12:00:00Z");

    /** Every request received, in order, scripted failures included. */
    final List<GlueRequest> requests = new ArrayList<>();

    private final int pageSize;
    private final Set<String> databases = new HashSet<>();
    private final Map<String, Table> tables = new HashMap<>();
    private final Map<String, Map<List<String>, Partition>> partitions = new HashMap<>();
    private final Map<List<String>, ErrorDetail> refusals = new HashMap<>();
    private final Map<String, Deque<Failure>> failures = new HashMap<>();
    private final Deque<GetCrawlerResponse> crawlerAnswers = new ArrayDeque<>();

    FakeGlue(int pageSize) {
        this.pageSize = pageSize;
    }

    /** Makes the next call of {@code operation} (e.g. {@code "CreateTable"}) throw {@code failure} instead. */
    FakeGlue fail(String operation, RuntimeException failure) {
        return fail(operation, failure, () -> { });
    }

    /**
     * Makes the next call of {@code operation} throw {@code failure}, after {@code meanwhile} (what
     * another writer did in the meantime) has run.
     */
    FakeGlue fail(String operation, RuntimeException failure, Runnable meanwhile) {
        failures.computeIfAbsent(operation, o -> new ArrayDeque<>()).add(new Failure(failure, meanwhile));
        return this;
    }

    /** Makes Glue answer a create of these partition values with this per-partition error. */
    void refuse(List<String> values, String errorCode, String errorMessage) {
        refusals.put(values, ErrorDetail.builder().errorCode(errorCode).errorMessage(errorMessage).build());
    }

    /** What the next GetCrawler answers. */
    void answer(GetCrawlerResponse response) {
        crawlerAnswers.add(response);
    }

    /** Puts a table as another writer (a crawler, a console user) would have made it. */
    void putTable(String database, TableInput input) {
        databases.add(database);
        store(database, input, "1");
        partitions.put(database + "." + input.name(), new LinkedHashMap<>());
    }

    /** Changes a table's columns as another writer's UpdateTable would, keeping its partitions. */
    void changeColumns(String database, String table, List<software.amazon.awssdk.services.glue.model.Column> columns) {
        Table current = tableOrFail(database, table);
        store(database, TableInput.builder()
                        .name(current.name())
                        .tableType(current.tableType())
                        .parameters(current.parameters())
                        .partitionKeys(current.partitionKeys())
                        .storageDescriptor(current.storageDescriptor().toBuilder().columns(columns).build())
                        .build(),
                Integer.toString(Integer.parseInt(current.versionId()) + 1));
    }

    /** The operations received, e.g. {@code [GetTable, CreateTable]}. */
    List<String> operations() {
        return requests.stream().map(FakeGlue::operation).toList();
    }

    /** The requests of one kind, in order. */
    <T extends GlueRequest> List<T> requests(Class<T> type) {
        return requests.stream().filter(type::isInstance).map(type::cast).toList();
    }

    Table table(String database, String name) {
        return tableOrFail(database, name);
    }

    @Override
    public String serviceName() {
        return SERVICE_NAME;
    }

    @Override
    public void close() {}

    @Override
    public CreateDatabaseResponse createDatabase(CreateDatabaseRequest request) {
        receive(request);
        if (!databases.add(request.databaseInput().name())) {
            throw alreadyExists("Database " + request.databaseInput().name() + " already exists.");
        }
        return CreateDatabaseResponse.builder().build();
    }

    @Override
    public CreateTableResponse createTable(CreateTableRequest request) {
        receive(request);
        if (!databases.contains(request.databaseName())) {
            throw notFound("Database " + request.databaseName() + " not found.");
        }
        String key = request.databaseName() + "." + request.tableInput().name();
        if (tables.containsKey(key)) {
            throw alreadyExists("Table already exists.");
        }
        store(request.databaseName(), request.tableInput(), "1");
        partitions.put(key, new LinkedHashMap<>());
        return CreateTableResponse.builder().build();
    }

    @Override
    public GetTableResponse getTable(GetTableRequest request) {
        receive(request);
        return GetTableResponse.builder().table(tableOrFail(request.databaseName(), request.name())).build();
    }

    @Override
    public UpdateTableResponse updateTable(UpdateTableRequest request) {
        receive(request);
        Table current = tableOrFail(request.databaseName(), request.tableInput().name());
        if (request.versionId() != null && !request.versionId().equals(current.versionId())) {
            throw concurrentModification("Table version " + request.versionId() + " is not the latest.");
        }
        store(request.databaseName(), request.tableInput(), Integer.toString(Integer.parseInt(current.versionId()) + 1));
        return UpdateTableResponse.builder().build();
    }

    @Override
    public BatchCreatePartitionResponse batchCreatePartition(BatchCreatePartitionRequest request) {
        receive(request);
        tableOrFail(request.databaseName(), request.tableName());
        if (request.partitionInputList().size() > 100) {
            throw new AssertionError("Glue refuses more than 100 partitions per BatchCreatePartition, got "
                    + request.partitionInputList().size());
        }
        Map<List<String>, Partition> existing = partitions.get(request.databaseName() + "." + request.tableName());
        List<PartitionError> errors = new ArrayList<>();
        for (PartitionInput input : request.partitionInputList()) {
            ErrorDetail refusal = refusals.get(input.values());
            if (refusal == null && existing.containsKey(input.values())) {
                refusal = ErrorDetail.builder()
                        .errorCode("AlreadyExistsException").errorMessage("Partition already exists.").build();
            }
            if (refusal != null) {
                errors.add(PartitionError.builder().partitionValues(input.values()).errorDetail(refusal).build());
            } else {
                existing.put(input.values(), Partition.builder()
                        .databaseName(request.databaseName())
                        .tableName(request.tableName())
                        .values(input.values())
                        .storageDescriptor(input.storageDescriptor())
                        .creationTime(NOW)
                        .build());
            }
        }
        return BatchCreatePartitionResponse.builder().errors(errors).build();
    }

    @Override
    public GetPartitionsResponse getPartitions(GetPartitionsRequest request) {
        receive(request);
        tableOrFail(request.databaseName(), request.tableName());
        List<Partition> all = new ArrayList<>(partitions.get(request.databaseName() + "." + request.tableName()).values());
        int from = request.nextToken() == null ? 0 : Integer.parseInt(request.nextToken());
        int to = Math.min(from + pageSize, all.size());
        List<Partition> page = all.subList(from, to).stream()
                .map(p -> Boolean.TRUE.equals(request.excludeColumnSchema())
                        ? p.toBuilder().storageDescriptor(p.storageDescriptor().toBuilder().columns(List.of()).build()).build()
                        : p)
                .toList();
        return GetPartitionsResponse.builder()
                .partitions(page)
                .nextToken(to < all.size() ? Integer.toString(to) : null)
                .build();
    }

    /** All tables in one page: paging is shown on GetPartitions. */
    @Override
    public GetTablesResponse getTables(GetTablesRequest request) {
        receive(request);
        if (!databases.contains(request.databaseName())) {
            throw notFound("Database " + request.databaseName() + " not found.");
        }
        return GetTablesResponse.builder()
                .tableList(tables.values().stream().filter(t -> t.databaseName().equals(request.databaseName())).toList())
                .build();
    }

    @Override
    public StartCrawlerResponse startCrawler(StartCrawlerRequest request) {
        receive(request);
        return StartCrawlerResponse.builder().build();
    }

    @Override
    public GetCrawlerResponse getCrawler(GetCrawlerRequest request) {
        receive(request);
        if (crawlerAnswers.isEmpty()) {
            throw new AssertionError("no GetCrawler answer scripted");
        }
        return crawlerAnswers.remove();
    }

    static EntityNotFoundException notFound(String message) {
        return EntityNotFoundException.builder()
                .message(message).statusCode(400).awsErrorDetails(details("EntityNotFoundException", message)).build();
    }

    static AlreadyExistsException alreadyExists(String message) {
        return AlreadyExistsException.builder()
                .message(message).statusCode(400).awsErrorDetails(details("AlreadyExistsException", message)).build();
    }

    static AccessDeniedException accessDenied(String message) {
        return AccessDeniedException.builder()
                .message(message).statusCode(400).awsErrorDetails(details("AccessDeniedException", message)).build();
    }

    static ConcurrentModificationException concurrentModification(String message) {
        return ConcurrentModificationException.builder().message(message)
                .statusCode(400).awsErrorDetails(details("ConcurrentModificationException", message)).build();
    }

    static ThrottlingException throttling(String message) {
        return ThrottlingException.builder()
                .message(message).statusCode(400).awsErrorDetails(details("ThrottlingException", message)).build();
    }

    static CrawlerRunningException crawlerRunning(String message) {
        return CrawlerRunningException.builder()
                .message(message).statusCode(400).awsErrorDetails(details("CrawlerRunningException", message)).build();
    }

    /** An error of Glue's without a modelled class of its own, e.g. {@code InternalServiceException}. */
    static GlueException error(String code, int status, String message) {
        return (GlueException) GlueException.builder()
                .message(message).statusCode(status).awsErrorDetails(details(code, message)).build();
    }

    private static AwsErrorDetails details(String code, String message) {
        return AwsErrorDetails.builder().errorCode(code).errorMessage(message).serviceName("Glue").build();
    }

    private void receive(GlueRequest request) {
        requests.add(request);
        Deque<Failure> scripted = failures.get(operation(request));
        if (scripted != null && !scripted.isEmpty()) {
            Failure failure = scripted.remove();
            failure.meanwhile().run();
            throw failure.error();
        }
    }

    /** Glue answers a table with what its input had, plus fields of its own. */
    private void store(String database, TableInput input, String versionId) {
        tables.put(database + "." + input.name(), Table.builder()
                .name(input.name())
                .databaseName(database)
                .description(input.description())
                .owner(input.owner())
                .retention(input.retention())
                .storageDescriptor(input.storageDescriptor())
                .partitionKeys(input.partitionKeys())
                .tableType(input.tableType())
                .parameters(input.parameters())
                .createTime(NOW)
                .updateTime(NOW)
                .versionId(versionId)
                .catalogId("123456789012")
                .isRegisteredWithLakeFormation(false)
                .build());
    }

    private Table tableOrFail(String database, String name) {
        Table table = tables.get(database + "." + name);
        if (table == null) {
            throw notFound(databases.contains(database)
                    ? "Table " + name + " not found." : "Database " + database + " not found.");
        }
        return table;
    }

    private static String operation(GlueRequest request) {
        String type = request.getClass().getSimpleName();
        return type.substring(0, type.length() - "Request".length());
    }

    private record Failure(RuntimeException error, Runnable meanwhile) {}
}
