package io.tarn.csv;

/**
 * The input cannot be read as CSV any further (as opposed to one bad record, which {@link
 * CsvReader} hands to the caller flagged as {@linkplain CsvReader#malformed() malformed}). The
 * message names the line where the trouble starts.
 */
public class CsvException extends RuntimeException {
    public CsvException(String message) {
        super(message);
    }
}
