package io.tarn.catalog;

/** A catalog request failed; the message names the table (and partition) concerned. */
public class CatalogException extends RuntimeException {
    public CatalogException(String message, Throwable cause) {
        super(message, cause);
    }
}
