package io.tarn.etl;

/** The crawler that brings the catalog's table schemas up to date (a Glue crawler in AWS). */
public interface Crawler {

    /**
     * Starts a crawl.
     *
     * @return {@code false} when a crawl is already running: not a failure, that crawl is waited for
     * @throws CrawlerException when the crawler cannot be started
     */
    boolean start();

    /** The crawler's state, and the outcome and start of its last crawl. */
    CrawlerState status();
}
