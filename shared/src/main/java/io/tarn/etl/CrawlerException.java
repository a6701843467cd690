package io.tarn.etl;

/** The crawler could not be started or read; the message names the crawler. */
public class CrawlerException extends RuntimeException {
    public CrawlerException(String message, Throwable cause) {
        super(message, cause);
    }
}
