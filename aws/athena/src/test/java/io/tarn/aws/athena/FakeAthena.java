package io.tarn.aws.athena;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.services.athena.AthenaClient;
import software.amazon.awssdk.services.athena.model.AthenaRequest;
import software.amazon.awssdk.services.athena.model.GetQueryExecutionRequest;
import software.amazon.awssdk.services.athena.model.GetQueryExecutionResponse;
import software.amazon.awssdk.services.athena.model.InvalidRequestException;
import software.amazon.awssdk.services.athena.model.QueryExecution;
import software.amazon.awssdk.services.athena.model.QueryExecutionStatus;
import software.amazon.awssdk.services.athena.model.StartQueryExecutionRequest;
import software.amazon.awssdk.services.athena.model.StartQueryExecutionResponse;
import software.amazon.awssdk.services.athena.model.StopQueryExecutionRequest;
import software.amazon.awssdk.services.athena.model.StopQueryExecutionResponse;
import software.amazon.awssdk.services.athena.model.TooManyRequestsException;

/**
 * Athena as the SDK's {@link AthenaClient} interface, answering scripted query states: moto runs no
 * query, so its queries never fail, and only a stop cancels them. Every request object is recorded
 * in order; a scripted error is thrown instead of a call's answer.
 */
final class FakeAthena implements AthenaClient {

    /** Every request received, in order, scripted failures included. */
    final List<AthenaRequest> requests = new ArrayList<>();

    private final Deque<String> queryIds = new ArrayDeque<>();
    private final List<QueryExecutionStatus> states = new ArrayList<>();
    private final Map<String, Deque<RuntimeException>> failures = new HashMap<>();

    /** The id the next StartQueryExecution answers. */
    FakeAthena started(String queryId) {
        queryIds.add(queryId);
        return this;
    }

    /** What the next GetQueryExecution answers: {@code state} and its reason; a null state answers no status at all. */
    FakeAthena then(String state, String reason) {
        states.add(state == null ? null : QueryExecutionStatus.builder().state(state).stateChangeReason(reason).build());
        return this;
    }

    FakeAthena then(String state) {
        return then(state, null);
    }

    /** Makes the next call of {@code operation} (e.g. {@code "StopQueryExecution"}) throw {@code failure}. */
    FakeAthena fail(String operation, RuntimeException failure) {
        failures.computeIfAbsent(operation, o -> new ArrayDeque<>()).add(failure);
        return this;
    }

    List<String> operations() {
        return requests.stream().map(FakeAthena::operation).toList();
    }

    <T extends AthenaRequest> List<T> requests(Class<T> type) {
        return requests.stream().filter(type::isInstance).map(type::cast).toList();
    }

    @Override
    public String serviceName() {
        return SERVICE_NAME;
    }

    @Override
    public void close() {}

    @Override
    public StartQueryExecutionResponse startQueryExecution(StartQueryExecutionRequest request) {
        receive(request);
        return StartQueryExecutionResponse.builder().queryExecutionId(queryIds.remove()).build();
    }

    @Override
    public GetQueryExecutionResponse getQueryExecution(GetQueryExecutionRequest request) {
        receive(request);
        return GetQueryExecutionResponse.builder()
                .queryExecution(QueryExecution.builder()
                        .queryExecutionId(request.queryExecutionId())
                        .status(states.remove(0))
                        .build())
                .build();
    }

    @Override
    public StopQueryExecutionResponse stopQueryExecution(StopQueryExecutionRequest request) {
        receive(request);
        return StopQueryExecutionResponse.builder().build();
    }

    static InvalidRequestException invalidRequest(String message) {
        return InvalidRequestException.builder().message(message).statusCode(400)
                .awsErrorDetails(AwsErrorDetails.builder().errorCode("InvalidRequestException").errorMessage(message)
                        .serviceName("Athena").build())
                .build();
    }

    static TooManyRequestsException tooManyRequests(String message) {
        return TooManyRequestsException.builder().message(message).statusCode(400)
                .awsErrorDetails(AwsErrorDetails.builder().errorCode("TooManyRequestsException").errorMessage(message)
                        .serviceName("Athena").build())
                .build();
    }

    private void receive(AthenaRequest request) {
        requests.add(request);
        Deque<RuntimeException> scripted = failures.get(operation(request));
        if (scripted != null && !scripted.isEmpty()) {
            throw scripted.remove();
        }
    }

    private static String operation(AthenaRequest request) {
        String type = request.getClass().getSimpleName();
        return type.substring(0, type.length() - "Request".length());
    }
}
