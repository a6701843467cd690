package io.tarn.aws.glue;

import static java.util.Objects.requireNonNull;

import java.util.Optional;
import java.util.Set;

/**
 * A Glue call failed: Glue answered with an error, answered something unreadable, or did not
 * answer at all. The error type is Glue's {@code __type} without its namespace, e.g.
 * {@code EntityNotFoundException}.
 */
public final class GlueException extends RuntimeException {

    /** The error types that mean "slow down", as the SDK's retry policy counts them. */
    private static final Set<String> THROTTLING_TYPES = Set.of(
            "ThrottlingException", "Throttling", "TooManyRequestsException", "RequestLimitExceeded");

    private final String operation;
    private final int statusCode;
    private final String errorType;
    private final String errorMessage;
    private final boolean retryable;
    private final boolean throttled;

    private GlueException(String message, String operation, int statusCode, String errorType, String errorMessage,
            boolean retryable, boolean throttled, Throwable cause) {
        super(message, cause);
        this.operation = requireNonNull(operation, "operation is null");
        this.statusCode = statusCode;
        this.errorType = errorType;
        this.errorMessage = errorMessage;
        this.retryable = retryable;
        this.throttled = throttled;
    }

    /** Glue answered {@code statusCode} with this error type and message, either of which may be null. */
    static GlueException answered(String operation, int statusCode, String errorType, String errorMessage) {
        String message = "Glue %s: %s (HTTP %d)".formatted(
                operation, errorType == null ? "no error type" : errorType, statusCode);
        if (errorMessage != null && !errorMessage.isEmpty()) {
            message += ": " + errorMessage;
        }
        boolean throttled = statusCode == 429 || (errorType != null && THROTTLING_TYPES.contains(errorType));
        boolean retryable = throttled || statusCode >= 500;
        return new GlueException(message, operation, statusCode, errorType, errorMessage, retryable, throttled, null);
    }

    /** No answer (connection refused or reset, timeout): worth another attempt. */
    static GlueException unanswered(String operation, String endpoint, Throwable cause) {
        return new GlueException("Glue %s: no answer from %s".formatted(operation, endpoint),
                operation, 0, null, null, true, false, cause);
    }

    /** A success status with a body that is not the JSON object Glue sends. */
    static GlueException unreadable(String operation, int statusCode) {
        String message = "Glue %s: HTTP %d with a body that is not a JSON object".formatted(operation, statusCode);
        return new GlueException(message, operation, statusCode, null, null, false, false, null);
    }

    /** The credentials provider failed (no role, no keys): not sent, and no use trying again. */
    static GlueException unsigned(String operation, Throwable cause) {
        return new GlueException("Glue %s: no credentials to sign the request with".formatted(operation),
                operation, 0, null, null, false, false, cause);
    }

    /** The operation called, e.g. {@code GetTable}. */
    public String operation() {
        return operation;
    }

    /** The HTTP status Glue answered, or 0 when it did not answer. */
    public int statusCode() {
        return statusCode;
    }

    /** Glue's error type without namespace, when it sent one. */
    public Optional<String> errorType() {
        return Optional.ofNullable(errorType);
    }

    /** Glue's error message, when it sent one. */
    public Optional<String> errorMessage() {
        return Optional.ofNullable(errorMessage);
    }

    /** Whether Glue answered with this error type, e.g. {@code is("AlreadyExistsException")}. */
    public boolean is(String type) {
        requireNonNull(type, "type is null");
        return type.equals(errorType);
    }

    /** Throttling, a server error or no answer: the same call may succeed later. */
    boolean retryable() {
        return retryable;
    }

    /** Glue asked us to slow down (429 or a throttling error type). */
    boolean throttled() {
        return throttled;
    }
}
