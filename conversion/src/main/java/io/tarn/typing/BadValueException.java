package io.tarn.typing;

/**
 * A CSV field does not parse as its column's type. The message says what was expected and shows
 * the value (truncated to 100 characters), e.g. {@code not a date: '2024-02-30'}; the caller adds
 * the line and column.
 *
 * <p>Carries no stack trace: on a dirty file it is thrown once per bad cell, and the trace would
 * cost more than the parse while saying nothing the message does not.
 */
public class BadValueException extends RuntimeException {
    public BadValueException(String message) {
        super(message, null, false, false);
    }
}
