package io.tarn.local.adapters;

import static java.util.Objects.requireNonNull;

import io.tarn.etl.Crawler;
import io.tarn.etl.CrawlerState;
import io.tarn.etl.RunManifest;
import io.tarn.storage.ObjectStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The Glue crawler of the local lake. A real crawler reads the files under its targets and
 * updates the tables' schemas in the catalog; this one takes the schema of each of its tables (the
 * CRAWLER_TABLES its targets cover) from the newest run manifest that wrote it (the job derived it
 * from the same files) and crawls at once, so its crawl has finished by the first status check. When its last crawl started is kept in a file, as
 * Glue keeps it with the crawler: {@code tarn invoke} starts and asks for the status in separate
 * processes.
 */
public final class LocalCrawler implements Crawler {

    private final ObjectStore store;
    private final String stagingBucket;
    private final LocalCatalog catalog;
    private final List<String> tables;
    private final Path lastCrawlFile;
    private final Clock clock;

    /**
     * @param tables the tables under the crawler's targets
     * @param lastCrawlFile holds the instant the last crawl started; none there means it never crawled
     */
    public LocalCrawler(ObjectStore store, String stagingBucket, LocalCatalog catalog, List<String> tables, Path lastCrawlFile,
            Clock clock) {
        this.store = requireNonNull(store, "store is null");
        this.stagingBucket = requireNonNull(stagingBucket, "stagingBucket is null");
        this.catalog = requireNonNull(catalog, "catalog is null");
        this.tables = List.copyOf(tables);
        this.lastCrawlFile = requireNonNull(lastCrawlFile, "lastCrawlFile is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    @Override
    public boolean start() {
        Instant startedAt = clock.instant();
        Map<String, RunManifest.TableOutput> newest = new HashMap<>();
        Map<String, String> finishedAt = new HashMap<>();
        for (String key : store.list(stagingBucket, RunManifest.PREFIX)) {
            RunManifest manifest = read(key);
            for (RunManifest.TableOutput table : manifest.tables()) {
                if (!tables.contains(table.table())) {
                    continue;
                }
                // ISO-8601 instants of one clock sort as text.
                if (Comparator.<String>naturalOrder().compare(manifest.finishedAt(),
                        finishedAt.getOrDefault(table.table(), "")) >= 0) {
                    newest.put(table.table(), table);
                    finishedAt.put(table.table(), manifest.finishedAt());
                }
            }
        }
        newest.values().forEach(table -> catalog.defineTable(table.definition()));
        try {
            Files.createDirectories(lastCrawlFile.getParent());
            Files.writeString(lastCrawlFile, startedAt.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot record the local crawl in " + lastCrawlFile, e);
        }
        return true;
    }

    @Override
    public CrawlerState status() {
        Optional<Instant> lastCrawlStartedAt = lastCrawlStartedAt();
        return new CrawlerState(CrawlerState.READY,
                lastCrawlStartedAt.map(at -> CrawlerState.SUCCEEDED), lastCrawlStartedAt, Optional.empty());
    }

    private Optional<Instant> lastCrawlStartedAt() {
        if (!Files.exists(lastCrawlFile)) {
            return Optional.empty();
        }
        try {
            return Optional.of(Instant.parse(Files.readString(lastCrawlFile).strip()));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the local crawl in " + lastCrawlFile, e);
        }
    }

    private RunManifest read(String key) {
        try (InputStream in = store.open(stagingBucket, key, Optional.empty())) {
            return RunManifest.fromJson(in.readAllBytes(), "s3://" + stagingBucket + "/" + key);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read run manifest s3://" + stagingBucket + "/" + key, e);
        }
    }
}
