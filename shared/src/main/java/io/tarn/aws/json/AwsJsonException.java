package io.tarn.aws.json;

import static java.util.Objects.requireNonNull;

import java.util.Optional;
import java.util.Set;

/**
 * A call of an AWS JSON API (Glue, Athena) failed: the service answered with an error, answered
 * something unreadable, or did not answer at all. The error type is the service's {@code __type}
 * without its namespace, e.g. {@code EntityNotFoundException}. Messages start with the service's
 * name and the operation: {@code Glue GetTable: EntityNotFoundException (HTTP 400): ...}.
 */
public final class AwsJsonException extends RuntimeException {

    /** The error types that mean "slow down", as the SDK's retry policy counts them. */
    private static final Set<String> THROTTLING_TYPES = Set.of(
            "ThrottlingException", "Throttling", "TooManyRequestsException", "RequestLimitExceeded");

    private final String operation;
    private final int statusCode;
    private final String errorType;
    private final String errorMessage;
    private final boolean retryable;
    private final boolean throttled;

    private AwsJsonException(String message, String operation, int statusCode, String errorType, String errorMessage,
            boolean retryable, boolean throttled, Throwable cause) {
        super(message, cause);
        this.operation = requireNonNull(operation, "operation is null");
        this.statusCode = statusCode;
        this.errorType = errorType;
        this.errorMessage = errorMessage;
        this.retryable = retryable;
        this.throttled = throttled;
    }

    /** The service answered {@code statusCode} with this error type and message, either of which may be null. */
    static AwsJsonException answered(
            String service, String operation, int statusCode, String errorType, String errorMessage) {
        String message = "%s %s: %s (HTTP %d)".formatted(
                service, operation, errorType == null ? "no error type" : errorType, statusCode);
        if (errorMessage != null && !errorMessage.isEmpty()) {
            message += ": " + errorMessage;
        }
        boolean throttled = statusCode == 429 || (errorType != null && THROTTLING_TYPES.contains(errorType));
        boolean retryable = throttled || statusCode >= 500;
        return new AwsJsonException(message, operation, statusCode, errorType, errorMessage, retryable, throttled, null);
    }

    /** No answer (connection refused or reset, timeout): worth another attempt. */
    static AwsJsonException unanswered(String service, String operation, String endpoint, Throwable cause) {
        return new AwsJsonException("%s %s: no answer from %s".formatted(service, operation, endpoint),
                operation, 0, null, null, true, false, cause);
    }

    /** A success status with a body that is not a JSON object. */
    static AwsJsonException unreadable(String service, String operation, int statusCode) {
        String message = "%s %s: HTTP %d with a body that is not a JSON object".formatted(service, operation, statusCode);
        return new AwsJsonException(message, operation, statusCode, null, null, false, false, null);
    }

    /** The credentials provider failed (no role, no keys): not sent, and no use trying again. */
    static AwsJsonException unsigned(String service, String operation, Throwable cause) {
        return new AwsJsonException("%s %s: no credentials to sign the request with".formatted(service, operation),
                operation, 0, null, null, false, false, cause);
    }

    /** The operation called, e.g. {@code GetTable}. */
    public String operation() {
        return operation;
    }

    /** The HTTP status The service answered, or 0 when it did not answer. */
    public int statusCode() {
        return statusCode;
    }

    /** The service's error type without namespace, when it sent one. */
    public Optional<String> errorType() {
        return Optional.ofNullable(errorType);
    }

    /** The service's error message, when it sent one. */
    public Optional<String> errorMessage() {
        return Optional.ofNullable(errorMessage);
    }

    /** Whether The service answered with this error type, e.g. {@code is("AlreadyExistsException")}. */
    public boolean is(String type) {
        requireNonNull(type, "type is null");
        return type.equals(errorType);
    }

    /** Throttling, a server error or no answer: the same call may succeed later. */
    boolean retryable() {
        return retryable;
    }

    /** The service asked us to slow down (429 or a throttling error type). */
    boolean throttled() {
        return throttled;
    }
}
