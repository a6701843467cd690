package io.tarn.events;

/** An invocation's event is not of a shape the function accepts; the message says what is wrong. */
public class InvalidEventException extends Exception {

    public InvalidEventException(String message) {
        super(message);
    }

    /**
     * An event a decoding library refused: {@code what} (the shape it was taken for), then the first
     * line of the innermost cause's message. The libraries wrap the parser's exception (in
     * reflection or I/O exceptions) that alone says what was wrong and where.
     */
    public static InvalidEventException undecodable(String what, Throwable failure) {
        Throwable cause = failure;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        String reason = String.valueOf(cause.getMessage()).lines().findFirst().orElse("");
        InvalidEventException e = new InvalidEventException(what + " does not decode: " + reason);
        e.initCause(failure);
        return e;
    }
}
