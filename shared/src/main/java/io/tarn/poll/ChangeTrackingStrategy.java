package io.tarn.poll;

import static java.util.Objects.requireNonNull;

import io.tarn.pipeline.ColumnType;
import io.tarn.pipeline.Dataset;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * SQL Server Change Tracking. A poll reads in one snapshot transaction: the table's
 * {@code CHANGE_TRACKING_MIN_VALID_VERSION} and the database's
 * {@code CHANGE_TRACKING_CURRENT_VERSION()}, then pages by primary key either the changes since
 * the stored version ({@code _op} I, U or D; a delete carries only its key) or, when there is no
 * stored version or it is older than the minimum valid one (retention cleaned up the changes
 * after it), the whole table ({@code _op} I). The version captured at the start is committed only
 * after the sync's last page is in S3; pages in between commit where the sync stands, so a crash
 * or the deadline resumes it mid-way.
 *
 * <p>Positions ({@code V} is a version, 19 zero-padded digits; {@code K} the last key's
 * components, as {@link PositionText} writes them):
 * <ul>
 *   <li>{@code 0}: never synced;
 *   <li>{@code V}: synced through version V;
 *   <li>{@code F-T.K}: a sync of the changes after F up to T, done up to key K;
 *   <li>{@code snapshot-T.K}: a full snapshot as of version T, done up to key K.
 * </ul>
 */
final class ChangeTrackingStrategy implements PollStrategy {

    static final String NAME = "change_tracking";
    static final String INITIAL = "0";
    static final String SNAPSHOT = "snapshot";
    private static final Pattern SYNCED = Pattern.compile("[0-9]{19}");
    private static final Pattern MID_SYNC = Pattern.compile("(snapshot|[0-9]{19})-([0-9]{19})");

    private final String table;
    private final ChangeTrackingDialect dialect;
    private final int[] keyIndexes;
    private final ColumnType[] keyTypes;
    private final int operationIndex;

    ChangeTrackingStrategy(Dataset dataset) {
        requireNonNull(dataset, "dataset is null");
        this.table = SqlServerDialect.quoteTable(dataset);
        this.dialect = ChangeTrackingDialect.sqlServer(dataset);
        this.keyIndexes = dialect.keyIndexes();
        this.keyTypes = dataset.primaryKey().stream().map(k -> dataset.column(k).type()).toArray(ColumnType[]::new);
        this.operationIndex = dialect.operationIndex();
    }

    /** The versions a poll works with, read at its start in its snapshot transaction. */
    record Versions(long minValid, long current) {}

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String initialPosition() {
        return INITIAL;
    }

    /**
     * Opens the poll's snapshot transaction on {@code connection} and reads the versions in it.
     * The transaction stays open for the pages; the poller ends it.
     */
    @Override
    public UpperBound upperBound(Connection connection, Instant now) throws SQLException {
        try (PreparedStatement statement = dialect.snapshotIsolation().prepare(connection)) {
            statement.execute();
        }
        connection.setAutoCommit(false);
        try (PreparedStatement statement = dialect.versions().prepare(connection);
                ResultSet result = statement.executeQuery()) {
            if (!result.next()) {
                throw new SQLException("reading the change tracking versions of " + table + " returned no row");
            }
            long minValid = result.getLong(1);
            if (result.wasNull()) {
                throw new SQLException("change tracking is not enabled on table " + table
                        + " (CHANGE_TRACKING_MIN_VALID_VERSION is NULL)");
            }
            long current = result.getLong(2);
            if (result.wasNull()) {
                throw new SQLException("change tracking is not enabled on the database of " + table
                        + " (CHANGE_TRACKING_CURRENT_VERSION() is NULL)");
            }
            return new UpperBound(new Versions(minValid, current),
                    "version " + current + " (min valid " + minValid + ")");
        }
    }

    @Override
    public SqlQuery page(String position, UpperBound upper, int pageSize) {
        Sync sync = sync(position, versions(upper));
        return sync.snapshot()
                ? dialect.snapshotPage(pageSize, sync.afterKey())
                : dialect.changesPage(pageSize, sync.from(), sync.to(), sync.afterKey());
    }

    @Override
    public String position(String start, UpperBound upper, ResultSet row) throws SQLException {
        Sync sync = sync(start, versions(upper));
        StringBuilder position = new StringBuilder(sync.snapshot() ? SNAPSHOT : version(sync.from()))
                .append('-').append(version(sync.to()));
        for (int i = 0; i < keyIndexes.length; i++) {
            position.append('.').append(PositionText.keyValue(row, keyIndexes[i], keyTypes[i]));
        }
        return position.toString();
    }

    @Override
    public String operation(String start, UpperBound upper, ResultSet row) throws SQLException {
        if (sync(start, versions(upper)).snapshot()) {
            return "I";
        }
        String operation = row.getString(operationIndex);
        if (operation == null || !(operation.equals("I") || operation.equals("U") || operation.equals("D"))) {
            throw new SQLException("SYS_CHANGE_OPERATION of " + table + " is not I, U or D: " + operation);
        }
        return operation;
    }

    /**
     * A sync that has read all its rows ends at its version; one that had nothing to read (no
     * change since the stored version) moves it to the current one, so that a quiet table's
     * version does not fall behind the retention period and force a snapshot.
     */
    @Override
    public Optional<String> settled(String position, UpperBound upper) {
        String to = version(sync(position, versions(upper)).to());
        return to.equals(position) ? Optional.empty() : Optional.of(to);
    }

    /** What a poll reads from {@code position}: resumes a sync, starts one, or restarts as a snapshot. */
    private Sync sync(String position, Versions versions) {
        if (position.equals(INITIAL)) {
            return Sync.snapshot(versions.current());
        }
        if (SYNCED.matcher(position).matches()) {
            long synced = Long.parseLong(position);
            return synced < versions.minValid() ? Sync.snapshot(versions.current())
                    : new Sync(false, synced, versions.current(), Optional.empty());
        }
        String[] components = position.split("\\.", -1);
        Matcher range = MID_SYNC.matcher(components[0]);
        if (!range.matches() || components.length != keyTypes.length + 1) {
            throw new IllegalArgumentException("not a change_tracking position of this table (0, a version, or a sync"
                    + " range and " + keyTypes.length + " key values): '" + position + "'");
        }
        boolean snapshot = range.group(1).equals(SNAPSHOT);
        long from = snapshot ? -1 : Long.parseLong(range.group(1));
        long to = Long.parseLong(range.group(2));
        // Retention may have passed the sync's start while it was interrupted: its changes are
        // gone (or, for a snapshot, its version would be stale on arrival), so start over.
        if ((snapshot ? to : from) < versions.minValid()) {
            return Sync.snapshot(versions.current());
        }
        List<Object> key = new ArrayList<>(keyTypes.length);
        for (int i = 0; i < keyTypes.length; i++) {
            key.add(PositionText.parseKeyValue(components[i + 1], keyTypes[i]));
        }
        return new Sync(snapshot, from, to, Optional.of(key));
    }

    private static Versions versions(UpperBound upper) {
        if (!(upper.value() instanceof Versions versions)) {
            throw new IllegalArgumentException("not a change_tracking upper bound: " + upper.text());
        }
        return versions;
    }

    /** Whether {@code position} is inside a full snapshot ({@code snapshot-T.K}). */
    static boolean inSnapshot(String position) {
        return position.startsWith(SNAPSHOT + "-");
    }

    /** The version {@code T} of a position inside a full snapshot ({@code snapshot-T.K}). */
    static String snapshotVersion(String position) {
        int dot = position.indexOf('.');
        return position.substring(SNAPSHOT.length() + 1, dot < 0 ? position.length() : dot);
    }

    static String version(long version) {
        return "%019d".formatted(version);
    }

    /** A sync's range ({@code from} is unused by a snapshot) and the last key read, if any. */
    private record Sync(boolean snapshot, long from, long to, Optional<List<Object>> afterKey) {
        static Sync snapshot(long to) {
            return new Sync(true, -1, to, Optional.empty());
        }
    }
}
