package io.tarn.poll;

import static java.util.Objects.requireNonNull;

import io.tarn.current.KeySnapshot;
import io.tarn.log.JsonLogger;
import io.tarn.pipeline.ColumnType;
import io.tarn.pipeline.Dataset;
import io.tarn.pipeline.PollSpec;
import io.tarn.state.Watermark;
import io.tarn.state.Watermarks;
import io.tarn.storage.ObjectStore;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * Lands the key snapshots from which the refresh deletes the rows a source deleted (see
 * {@link KeySnapshot}), and announces each one only once it is complete.
 *
 * <p>A cursor dataset with {@code delete_detection} gets a snapshot at most every {@code every}:
 * once every table of the poll has been read (so a long snapshot never holds back another
 * table's rows) and its own poll caught up, under its lease, keyset pages of its primary keys. A
 * snapshot that runs out of time resumes on the next poll where it stopped, under its first start
 * time, so a long table is snapshotted over several polls (one left for longer than
 * {@link #MAX_AGE} starts over); only its last page writes the pointer. A
 * change_tracking re-snapshot (the whole table, when the stored version is older than the
 * retention allows) is announced when its sync settles, with the data pages it wrote.
 *
 * <p>Progress is kept in the state table as the watermark {@code <dataset>#key-snapshot},
 * committed with the same conditional writes as the table's own:
 * <ul>
 *   <li>{@code cursor|<started>|<pages>|<key>}: a cursor snapshot, done up to that key;
 *   <li>{@code change_tracking|<started>|<first page key>}: a re-snapshot under way;
 *   <li>{@code done|<started>}: the last snapshot is complete and announced.
 * </ul>
 */
final class KeySnapshots {

    static final String STATE_SUFFIX = "#key-snapshot";
    private static final String CURSOR = "cursor";
    private static final String CHANGE_TRACKING = "change_tracking";
    private static final String DONE = "done";
    /** How long an unfinished snapshot may resume; well inside the 7 days its pages are kept. */
    static final Duration MAX_AGE = Duration.ofDays(3);

    private final ObjectStore store;
    private final Watermarks watermarks;
    private final PollerSettings settings;
    private final Clock clock;
    private final JsonLogger log;

    KeySnapshots(ObjectStore store, Watermarks watermarks, PollerSettings settings, Clock clock, JsonLogger log) {
        this.store = requireNonNull(store, "store is null");
        this.watermarks = requireNonNull(watermarks, "watermarks is null");
        this.settings = requireNonNull(settings, "settings is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.log = requireNonNull(log, "log is null");
    }

    /**
     * Continues or starts the dataset's key snapshot when one is due (or {@code dueOrNot}), page by
     * page while time and the lease last, and says what it did.
     */
    String snapshotKeys(Connection connection, Dataset dataset, Instant now, boolean dueOrNot, Deadline deadline,
            BooleanSupplier leaseHeld) throws SQLException {
        PollSpec poll = dataset.poll().orElseThrow();
        String name = dataset.name() + STATE_SUFFIX;
        Optional<Watermark> mark = watermarks.watermark(name);
        Progress progress = mark.map(w -> Progress.parse(w.position(), dataset)).orElse(null);
        if (!dueOrNot && progress != null && progress.kind().equals(DONE)) {
            Instant due = progress.startedAt().plus(poll.deleteDetection().orElseThrow());
            if (due.isAfter(now)) {
                return "not due until " + due;
            }
        }
        // A snapshot left unfinished for long starts over: its pages expire from the raw bucket
        // (ExpireKeySnapshots, 7 days), and a pointer must never name a page that is gone.
        if (progress == null || !progress.kind().equals(CURSOR) || progress.startedAt().plus(MAX_AGE).isBefore(now)) {
            progress = new Progress(CURSOR, now, 0, Optional.empty(), "");
        }
        SqlServerDialect dialect = SqlServerDialect.forDataset(dataset);
        ColumnType[] types = dataset.primaryKey().stream().map(k -> dataset.column(k).type()).toArray(ColumnType[]::new);
        long sequence = mark.map(Watermark::sequence).orElse(Watermark.NONE);
        while (true) {
            if (deadline.remaining().compareTo(settings.safetyMargin()) < 0) {
                return "incomplete after page " + progress.pages() + ": less than the safety margin left";
            }
            if (!leaseHeld.getAsBoolean()) {
                return "incomplete after page " + progress.pages() + ": lease taken over by another poller";
            }
            int page = progress.pages() + 1;
            String key = KeySnapshot.pageKey(dataset.name(), progress.startedAt(), page);
            Path file = settings.spoolFile("keys-" + dataset.name());
            long rows = 0;
            String last = null;
            try {
                try (RawCsvWriter csv = RawCsvWriter.keys(
                                new OutputStreamWriter(Files.newOutputStream(file), StandardCharsets.UTF_8), dataset);
                        PreparedStatement statement = dialect.keyPage(poll.pageSize(), progress.afterKey(types))
                                .prepare(connection)) {
                    statement.setFetchSize(poll.fetchSize());
                    csv.header();
                    try (ResultSet result = statement.executeQuery()) {
                        while (result.next()) {
                            csv.row(result);
                            last = keyText(result, types);
                            rows++;
                        }
                    }
                } catch (IOException e) {
                    throw new PollException("dataset '%s': cannot spool a key snapshot page to %s"
                            .formatted(dataset.name(), file), e);
                }
                // Every page is uploaded, the last one even when empty: an empty table's snapshot
                // has one page with its header only. A page written again after a crash replaces
                // the first write (the same key and range), and nothing converts these objects.
                store.put(settings.rawBucket(), key, file, SqlPollerService.CONTENT_TYPE);
            } finally {
                deleteSpool(file, dataset);
            }
            if (rows < poll.pageSize()) {
                List<String> pages = new ArrayList<>();
                for (int i = 1; i <= page; i++) {
                    pages.add(KeySnapshot.pageKey(dataset.name(), progress.startedAt(), i));
                }
                announce(new KeySnapshot(dataset.name(), progress.startedAt(), pages));
                if (!commit(name, sequence, Progress.done(progress.startedAt()))) {
                    return "complete, but its progress was moved by another poller";
                }
                return "complete: " + pages.size() + " page(s)";
            }
            Progress next = new Progress(CURSOR, progress.startedAt(), page, Optional.of(last), "");
            if (!commit(name, sequence, next.text())) {
                return "incomplete after page " + progress.pages() + ": progress moved by another poller";
            }
            sequence++;
            progress = next;
            log.info("key snapshot page committed", Map.of("dataset", dataset.name(), "key", key, "keys", rows));
        }
    }

    /**
     * Notes that a change_tracking re-snapshot of the dataset began with {@code firstPage}, before
     * that page's position is committed; {@code startedAt} is when the poll that read it began.
     */
    void changeTrackingBegun(Dataset dataset, String firstPage, Instant startedAt) {
        String name = dataset.name() + STATE_SUFFIX;
        Optional<Watermark> mark = watermarks.watermark(name);
        long sequence = mark.map(Watermark::sequence).orElse(Watermark.NONE);
        Progress begun = new Progress(CHANGE_TRACKING, startedAt, 0, Optional.empty(), firstPage);
        if (mark.map(w -> w.position().equals(begun.text())).orElse(false)) {
            return; // the page is adopted after a crash: already noted
        }
        if (!commit(name, sequence, begun.text())) {
            log.warn("cannot note a key snapshot's first page", Map.of("dataset", dataset.name(), "key", firstPage));
        }
    }

    /**
     * Announces the change_tracking re-snapshot as of {@code version} once its sync has read its
     * last page: its first page as noted, then every page read after another of the snapshot.
     */
    void changeTrackingComplete(Dataset dataset, String version) {
        String name = dataset.name() + STATE_SUFFIX;
        Optional<Watermark> mark = watermarks.watermark(name);
        Optional<Progress> progress = mark.map(w -> Progress.parse(w.position(), dataset))
                .filter(p -> p.kind().equals(CHANGE_TRACKING));
        if (progress.isEmpty()) {
            log.warn("a change_tracking re-snapshot ended whose first page was not noted; it is not taken as a"
                    + " key snapshot", Map.of("dataset", dataset.name(), "version", version));
            return;
        }
        List<String> pages = new ArrayList<>();
        pages.add(progress.get().firstPage());
        String prefix = RawPageKeys.strategyPrefix(dataset, ChangeTrackingStrategy.NAME)
                + ChangeTrackingStrategy.SNAPSHOT + "-" + version + ".";
        store.list(settings.rawBucket(), prefix).stream()
                .filter(key -> key.endsWith(RawPageKeys.SUFFIX)).sorted().forEach(pages::add);
        announce(new KeySnapshot(dataset.name(), progress.get().startedAt(), pages));
        commit(name, mark.get().sequence(), Progress.done(progress.get().startedAt()));
    }

    private void announce(KeySnapshot snapshot) {
        store.put(settings.rawBucket(), KeySnapshot.latestKey(snapshot.dataset()), snapshot.toJson(),
                "application/json");
        log.info("key snapshot complete", Map.of("dataset", snapshot.dataset(), "snapshot", snapshot.name(),
                "pages", snapshot.pages().size()));
    }

    private boolean commit(String name, long expected, String position) {
        Watermark next = new Watermark(name, position, expected + 1, clock.instant());
        if (watermarks.advanceWatermark(name, expected, next)) {
            return true;
        }
        Optional<Watermark> stored = watermarks.watermark(name);
        return stored.isPresent() && stored.get().sequence() == next.sequence() && stored.get().position().equals(position);
    }

    private static String keyText(ResultSet row, ColumnType[] types) throws SQLException {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < types.length; i++) {
            if (i > 0) {
                text.append('.');
            }
            text.append(PositionText.keyValue(row, i + 1, types[i]));
        }
        return text.toString();
    }

    private void deleteSpool(Path file, Dataset dataset) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            log.warn("cannot delete a spooled page", Map.of("dataset", dataset.name(), "file", file.toString()));
        }
    }

    /** A snapshot's progress as the state table keeps it (see the class comment). */
    private record Progress(String kind, Instant startedAt, int pages, Optional<String> lastKey, String firstPage) {

        static String done(Instant startedAt) {
            return DONE + "|" + startedAt;
        }

        String text() {
            return switch (kind) {
                case CURSOR -> CURSOR + "|" + startedAt + "|" + pages + "|" + lastKey.orElseThrow();
                case CHANGE_TRACKING -> CHANGE_TRACKING + "|" + startedAt + "|" + firstPage;
                default -> done(startedAt);
            };
        }

        Optional<List<Object>> afterKey(ColumnType[] types) {
            return lastKey.map(text -> {
                String[] components = text.split("\\.", -1);
                List<Object> key = new ArrayList<>(types.length);
                for (int i = 0; i < types.length; i++) {
                    key.add(PositionText.parseKeyValue(components[i], types[i]));
                }
                return key;
            });
        }

        static Progress parse(String text, Dataset dataset) {
            String[] parts = text.split("\\|", 4);
            try {
                return switch (parts[0]) {
                    case CURSOR -> {
                        if (parts.length != 4 || parts[3].split("\\.", -1).length != dataset.primaryKey().size()) {
                            throw new IllegalArgumentException("expected cursor|<started>|<pages>|<key>");
                        }
                        yield new Progress(CURSOR, Instant.parse(parts[1]), Integer.parseInt(parts[2]),
                                Optional.of(parts[3]), "");
                    }
                    case CHANGE_TRACKING -> {
                        if (parts.length != 3) {
                            throw new IllegalArgumentException("expected change_tracking|<started>|<first page>");
                        }
                        yield new Progress(CHANGE_TRACKING, Instant.parse(parts[1]), 0, Optional.empty(), parts[2]);
                    }
                    case DONE -> new Progress(DONE, Instant.parse(parts[1]), 0, Optional.empty(), "");
                    default -> throw new IllegalArgumentException("unknown kind '" + parts[0] + "'");
                };
            } catch (ArrayIndexOutOfBoundsException | DateTimeParseException | NumberFormatException e) {
                throw new IllegalArgumentException("dataset '" + dataset.name() + "': key snapshot progress '" + text
                        + "' in the state table is not one Tarn writes", e);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("dataset '" + dataset.name() + "': key snapshot progress '" + text
                        + "' in the state table: " + e.getMessage(), e);
            }
        }
    }
}
