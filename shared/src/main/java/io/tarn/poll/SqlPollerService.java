package io.tarn.poll;

import static java.util.Objects.requireNonNull;

import io.tarn.log.JsonLogger;
import io.tarn.metrics.EmfMetrics;
import io.tarn.metrics.Metric;
import io.tarn.metrics.TarnMetrics;
import io.tarn.pipeline.Dataset;
import io.tarn.pipeline.PipelineConfig;
import io.tarn.pipeline.PollSpec;
import io.tarn.pipeline.SourceKind;
import io.tarn.poll.PollReport.TableReport;
import io.tarn.poll.PollStrategy.UpperBound;
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
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * Pulls changed rows of Azure SQL tables into the raw bucket, one header CSV object per page, and
 * keeps a durable watermark per table.
 *
 * <p>Per table: take the table's lease (a conditional write, so a duplicated schedule event or an
 * overlapping run backs off), read the committed watermark, capture the strategy's upper bound,
 * then page until caught up or until less than {@link PollerSettings#safetyMargin()} remains.
 * Each page is spooled to a file, uploaded, and only then committed as the new watermark with a
 * conditional write on the watermark's sequence, so a commit never covers data that is not in S3,
 * and two pollers can neither both commit the same range nor move the watermark backwards.
 * A strategy whose position is more than its last row (change_tracking's sync version) gets a
 * commit without a page once no rows remain.
 *
 * <p>Each call of {@link #poll} leases its tables under an owner of its own, drawn from the
 * injected supplier when the call starts, never one fixed when the service is built: with Lambda
 * SnapStart every environment is restored from one snapshot of the initialised service, and a
 * lease accepts its own owner again (so that a retried conditional write, or the lease's extension
 * per page, succeeds), so an owner made at init would let two restored environments poll one
 * table at once. Within a call the owner stays the same: the retries of that call's writes, and
 * its extensions, are still its own.
 */
public final class SqlPollerService {

    static final String CONTENT_TYPE = "text/csv; charset=utf-8";

    private final PipelineConfig pipeline;
    private final ConnectionFactory connections;
    private final ObjectStore store;
    private final Watermarks watermarks;
    private final PollerSettings settings;
    private final Supplier<String> leaseOwners;
    private final Clock clock;
    private final JsonLogger log;
    private final KeySnapshots keySnapshots;
    private final EmfMetrics metrics;
    private final Map<String, Dataset> polled = new LinkedHashMap<>();

    public SqlPollerService(
            PipelineConfig pipeline,
            ConnectionFactory connections,
            ObjectStore store,
            Watermarks watermarks,
            PollerSettings settings,
            Supplier<String> leaseOwners,
            Clock clock,
            JsonLogger log) {
        this.pipeline = requireNonNull(pipeline, "pipeline is null");
        this.connections = requireNonNull(connections, "connections is null");
        this.store = requireNonNull(store, "store is null");
        this.watermarks = requireNonNull(watermarks, "watermarks is null");
        this.settings = requireNonNull(settings, "settings is null");
        this.leaseOwners = requireNonNull(leaseOwners, "leaseOwners is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.log = requireNonNull(log, "log is null");
        this.keySnapshots = new KeySnapshots(store, watermarks, settings, clock, log);
        this.metrics = new EmfMetrics(log, clock);
        for (Dataset dataset : pipeline.datasets()) {
            if (dataset.source() == SourceKind.AZURESQL) {
                // Fail at construction on an unsafe identifier: a bad pipeline.yaml should stop the
                // function before it talks to any database.
                if (dataset.poll().isPresent()) {
                    PollStrategy.forDataset(dataset);
                }
                polled.put(dataset.name(), dataset);
            }
        }
    }

    /**
     * Lease owners {@code <prefix>-<random UUID>}, a new one for each call. {@link UUID#randomUUID()}
     * draws from {@link java.security.SecureRandom}, which Lambda's Java runtimes reseed when they
     * restore a SnapStart snapshot, so environments restored from one snapshot draw different ids.
     */
    public static Supplier<String> randomLeaseOwners(String prefix) {
        requireNonNull(prefix, "prefix is null");
        return () -> prefix + "-" + UUID.randomUUID();
    }

    /**
     * Polls the requested tables (all azuresql datasets when the request names none), one after
     * the other, and reports how far each got.
     *
     * @throws IllegalArgumentException when a requested name is not an azuresql dataset
     * @throws PollException when the database, the store or the state table fails; what was
     *     committed before stays committed
     */
    public PollReport poll(PollRequest request, Deadline deadline) {
        requireNonNull(request, "request is null");
        requireNonNull(deadline, "deadline is null");
        List<Dataset> datasets = new ArrayList<>();
        for (String name : request.datasets().isEmpty() ? List.copyOf(polled.keySet()) : request.datasets()) {
            Dataset dataset = polled.get(name);
            if (dataset == null) {
                String what = pipeline.dataset(name).isPresent() ? "is not an azuresql dataset" : "is not a dataset";
                throw new IllegalArgumentException("'" + name + "' " + what + " of the pipeline; azuresql datasets: "
                        + String.join(", ", polled.keySet()));
            }
            datasets.add(dataset);
        }
        // Resolve every strategy before any work, so a bad one fails the whole request up front.
        List<PollStrategy> strategies = datasets.stream().map(PollStrategy::forDataset).toList();
        String owner = requireNonNull(leaseOwners.get(), "leaseOwners gave a null owner");
        List<TableReport> reports = new ArrayList<>();
        for (int i = 0; i < datasets.size(); i++) {
            reports.add(pollTable(datasets.get(i), strategies.get(i), owner, deadline));
        }
        // Key snapshots come after every table's changes: a long one never holds another table's
        // rows back, it only continues on the next poll.
        for (int i = 0; i < datasets.size(); i++) {
            Dataset dataset = datasets.get(i);
            TableReport report = reports.get(i);
            boolean cursor = !(strategies.get(i) instanceof ChangeTrackingStrategy);
            if (report.caughtUp() && cursor
                    && (request.snapshotKeys() || dataset.poll().orElseThrow().deleteDetection().isPresent())) {
                String outcome = snapshotKeys(dataset, owner, request.snapshotKeys(), deadline);
                log.info("key snapshot", Map.of("dataset", dataset.name(), "outcome", outcome));
                reports.set(i, new TableReport(report.dataset(), report.strategy(), report.pages(), report.rows(),
                        report.objectKeys(), report.watermarkBefore(), report.watermarkAfter(), report.caughtUp(),
                        report.stoppedBecause(), Optional.of(outcome)));
            }
        }
        publishMetrics(reports);
        return new PollReport(reports);
    }

    /**
     * Each table's rows and pages, then the poll's success: published only when every table was
     * polled without an error, so an alarm on successes sees a poll that failed as one missing.
     */
    private void publishMetrics(List<TableReport> reports) {
        for (TableReport report : reports) {
            Map<Metric, Number> values = new LinkedHashMap<>();
            values.put(TarnMetrics.POLLED_ROWS, report.rows());
            values.put(TarnMetrics.POLLED_PAGES, report.pages());
            metrics.publishForDataset(report.dataset(), values);
        }
        metrics.publish(Map.of(TarnMetrics.FUNCTION, TarnMetrics.SQL_POLLER), Map.of(TarnMetrics.POLLS_SUCCEEDED, 1));
    }

    /** The table's key snapshot, under its lease, as far as time allows; says what became of it. */
    private String snapshotKeys(Dataset dataset, String owner, boolean now, Deadline deadline) {
        String name = dataset.name();
        Instant at = clock.instant();
        if (!watermarks.acquireLease(name, owner, at, at.plus(settings.leaseDuration()))) {
            return "not taken: lease held by another poller";
        }
        try (Connection connection = connections.open()) {
            return keySnapshots.snapshotKeys(connection, dataset, clock.instant(), now, deadline, () -> {
                Instant page = clock.instant();
                return watermarks.acquireLease(name, owner, page, page.plus(settings.leaseDuration()));
            });
        } catch (SQLException e) {
            throw new PollException("dataset '%s': reading the primary keys of %s failed".formatted(name,
                    dataset.sourceTable()), e);
        } finally {
            release(name, owner);
        }
    }

    private TableReport pollTable(Dataset dataset, PollStrategy strategy, String owner, Deadline deadline) {
        String name = dataset.name();
        Progress progress = new Progress(dataset, strategy);
        Instant now = clock.instant();
        if (!watermarks.acquireLease(name, owner, now, now.plus(settings.leaseDuration()))) {
            log.info("table leased by another poller", Map.of("dataset", name, "owner", owner));
            return progress.report("", "", false, Optional.of("lease held by another poller"));
        }
        try {
            Optional<Watermark> watermark = watermarks.watermark(name);
            String before = watermark.map(Watermark::position).orElse("");
            try (Connection connection = connections.open()) {
                UpperBound upper = strategy.upperBound(connection, clock.instant());
                Optional<String> stopped = Optional.empty();
                boolean caughtUp = false;
                while (true) {
                    if (deadline.remaining().compareTo(settings.safetyMargin()) < 0) {
                        stopped = Optional.of("less than the safety margin of " + settings.safetyMargin() + " left");
                        break;
                    }
                    Instant pageStart = clock.instant();
                    if (!watermarks.acquireLease(name, owner, pageStart, pageStart.plus(settings.leaseDuration()))) {
                        stopped = Optional.of("lease taken over by another poller");
                        break;
                    }
                    Page page = nextPage(connection, dataset, strategy, upper, watermark);
                    if (page == null) {
                        caughtUp = true;
                        break;
                    }
                    if (strategy instanceof ChangeTrackingStrategy) {
                        noteKeySnapshot(dataset, watermark.map(Watermark::position).orElse(strategy.initialPosition()),
                                page, now);
                    }
                    long expected = watermark.map(Watermark::sequence).orElse(Watermark.NONE);
                    Watermark next = new Watermark(name, page.end(), expected + 1, clock.instant());
                    if (!commit(name, expected, next)) {
                        stopped = Optional.of("watermark moved by another poller");
                        break;
                    }
                    watermark = Optional.of(next);
                    if (page.key() == null) {
                        log.info("position settled", Map.of("dataset", name, "watermark", page.end(),
                                "sequence", next.sequence(), "upperBound", upper.text()));
                        caughtUp = true;
                        break;
                    }
                    progress.add(page);
                    log.info("page committed", Map.of("dataset", name, "key", page.key(), "rows", page.rows(),
                            "adopted", page.adopted(), "watermark", page.end(), "sequence", next.sequence(),
                            "upperBound", upper.text()));
                    // A short page was the last one, unless the strategy settles after it (one more
                    // read, empty, then commits where the table stands).
                    if (!page.adopted() && page.rows() < dataset.poll().orElseThrow().pageSize()
                            && strategy.settled(page.end(), upper).isEmpty()) {
                        caughtUp = true;
                        break;
                    }
                }
                if (!connection.getAutoCommit()) {
                    // A strategy's read transaction (change_tracking's snapshot): it only read.
                    connection.commit();
                }
                String after = watermark.map(Watermark::position).orElse("");
                return progress.report(before, after, caughtUp, stopped);
            } catch (SQLException e) {
                throw new PollException("dataset '%s': reading %s failed after %d page(s)"
                        .formatted(name, dataset.sourceTable(), progress.pages), e);
            }
        } finally {
            release(name, owner);
        }
    }

    /**
     * A change_tracking re-snapshot is a key snapshot too: its first page is noted before it is
     * committed, and the snapshot announced when its sync settles, before that is committed.
     */
    private void noteKeySnapshot(Dataset dataset, String start, Page page, Instant pollStarted) {
        // A snapshot begins after a sync, or restarts at a newer version when the retention passed
        // the one it had begun at: either way this page is its first.
        boolean first = page.key() != null && ChangeTrackingStrategy.inSnapshot(page.end())
                && (!ChangeTrackingStrategy.inSnapshot(start) || !ChangeTrackingStrategy.snapshotVersion(start)
                        .equals(ChangeTrackingStrategy.snapshotVersion(page.end())));
        if (first) {
            keySnapshots.changeTrackingBegun(dataset, page.key(), pollStarted);
        } else if (page.key() == null && ChangeTrackingStrategy.inSnapshot(start)) {
            keySnapshots.changeTrackingComplete(dataset, page.end());
        }
    }

    private void release(String dataset, String owner) {
        try {
            watermarks.releaseLease(dataset, owner);
        } catch (RuntimeException e) {
            // The lease expires by itself; failing here would hide the poll's own outcome or error.
            log.warn("cannot release the table lease", Map.of("dataset", dataset, "error", String.valueOf(e)));
        }
    }

    /**
     * The next page from the committed watermark, uploaded; a page without a key when no rows
     * remain and the strategy settles at another position; {@code null} when there is nothing to
     * read or commit below the upper bound.
     *
     * <p>The unknown-outcome path: a poller that crashed (or timed out) after uploading a page and
     * before committing it left an object whose key starts with the committed position. Reading
     * the page again would give other rows (the table moved on) and a re-upload to the same key
     * would add an object version that RawObject ingests a second time, duplicating rows
     * downstream. So before querying, look for such an object and commit its end as it is.
     */
    private Page nextPage(Connection connection, Dataset dataset, PollStrategy strategy, UpperBound upper,
            Optional<Watermark> watermark) throws SQLException {
        String start = watermark.map(Watermark::position).orElse(strategy.initialPosition());
        String startPrefix = RawPageKeys.startPrefix(dataset, strategy.name(), start);
        for (String key : store.list(settings.rawBucket(), startPrefix)) {
            Optional<String> end = RawPageKeys.end(startPrefix, key);
            if (end.isPresent()) {
                log.warn("adopting a page uploaded but not committed", Map.of("dataset", dataset.name(), "key", key));
                return new Page(key, end.get(), 0, true);
            }
        }
        PollSpec poll = dataset.poll().orElseThrow();
        Path file = settings.spoolFile("page-" + dataset.name());
        try {
            long rows = 0;
            String end = null;
            try (RawCsvWriter csv = new RawCsvWriter(
                            new OutputStreamWriter(Files.newOutputStream(file), StandardCharsets.UTF_8), dataset);
                    PreparedStatement statement = strategy.page(start, upper, poll.pageSize()).prepare(connection)) {
                statement.setFetchSize(poll.fetchSize());
                csv.header();
                try (ResultSet result = statement.executeQuery()) {
                    while (result.next()) {
                        csv.row(strategy.operation(start, upper, result), result);
                        end = strategy.position(start, upper, result);
                        rows++;
                    }
                }
            } catch (IOException e) {
                throw new PollException("dataset '%s': cannot spool a page to %s".formatted(dataset.name(), file), e);
            }
            if (rows == 0) {
                return strategy.settled(start, upper).map(position -> new Page(null, position, 0, false)).orElse(null);
            }
            String key = RawPageKeys.key(dataset, strategy.name(), start, end);
            store.put(settings.rawBucket(), key, file, CONTENT_TYPE);
            return new Page(key, end, rows, false);
        } finally {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                log.warn("cannot delete a spooled page", Map.of("dataset", dataset.name(), "file", file.toString()));
            }
        }
    }

    /**
     * Commits {@code next}; a refused commit is checked against the stored watermark, because the
     * SDK may have retried a commit whose first attempt succeeded (then the store holds ours).
     */
    private boolean commit(String dataset, long expected, Watermark next) {
        if (watermarks.advanceWatermark(dataset, expected, next)) {
            return true;
        }
        Optional<Watermark> stored = watermarks.watermark(dataset);
        return stored.isPresent() && stored.get().sequence() == next.sequence()
                && stored.get().position().equals(next.position());
    }

    /**
     * A page in S3: read and uploaded by this poll, or adopted from an earlier one's upload; or,
     * with a {@code null} key, a position to commit without a page.
     */
    private record Page(String key, String end, long rows, boolean adopted) {}

    private static final class Progress {
        private final Dataset dataset;
        private final PollStrategy strategy;
        private final List<String> keys = new ArrayList<>();
        private int pages;
        private long rows;

        Progress(Dataset dataset, PollStrategy strategy) {
            this.dataset = dataset;
            this.strategy = strategy;
        }

        void add(Page page) {
            keys.add(page.key());
            pages++;
            rows += page.rows();
        }

        TableReport report(String before, String after, boolean caughtUp, Optional<String> stopped) {
            return new TableReport(dataset.name(), strategy.name(), pages, rows, keys, before, after, caughtUp, stopped);
        }
    }
}
