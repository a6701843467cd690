package io.tarn.events;

/** An invocation's event is not of a shape the function accepts; the message says what is wrong. */
public class InvalidEventException extends Exception {
    public InvalidEventException(String message) {
        super(message);
    }
}
