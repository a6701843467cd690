package io.tarn.current;

import static java.util.Objects.requireNonNull;

import io.tarn.catalog.StagingLayout;
import io.tarn.pipeline.Dataset;
import io.tarn.pipeline.SourceKind;
import java.util.ArrayList;
import java.util.List;

/**
 * Which of a key's changes is its current state: the first in this order, latest first. The one
 * definition of the rule: the refresh (Spark) renders it from here, and what reads current state
 * (the joins, Athena, Redshift) reads the current tables the refresh writes.
 *
 * <p>A DMS dataset that declares {@code change_seq} orders by {@code $AR_H_CHANGE_SEQ} first: a
 * sequence over the whole task, the only exact order across CDC files (two commits in one
 * microsecond still differ in it); full-load rows have none and rank by their commit timestamp in
 * the sequence's form, so a reload is newer than the changes before it. Then, and for DMS
 * rows without a sequence: DMS does not keep transaction order across CDC files, so the commit
 * timestamp decides (a row without one counts as oldest), then the raw object's name (DMS names
 * CDC files by time), then the line within it.
 *
 * <p>Azure SQL rows have no commit timestamp. The poller is serial (one lease per table), so the
 * landing time of its pages ({@code _ingested_at}, the raw object's S3 last-modified time) is the
 * order it read them in. That comes before the object's name because page keys
 * ({@code <strategy>/<start>__<end>.csv}) do not always sort in poll order: a change-tracking
 * resync's {@code snapshot-...} start sorts after every numeric version, so it would beat the syncs
 * that follow it. Pages that land within the same second come from one poll run, where a primary
 * key is read at most once (or, with the timestamp strategy, re-read unchanged), so their name
 * order cannot pick a wrong version.
 *
 * @param terms the order's columns, each descending
 */
public record ChangeOrder(List<Term> terms) {

    /**
     * One column of the order, descending; {@code nullsLast} when a null means "oldest".
     * {@code orCommitTimestamp}: a row without a value (a DMS full-load row has no change
     * sequence) ranks by {@code _commit_ts} written in the sequence's own form
     * ({@link #SEQUENCE_TIME}, then a zero change number).
     */
    public record Term(String column, boolean nullsLast, boolean orCommitTimestamp) {
        public Term {
            requireNonNull(column, "column is null");
        }

        public Term(String column, boolean nullsLast) {
            this(column, nullsLast, false);
        }
    }

    /**
     * The time part of {@code $AR_H_CHANGE_SEQ} as a datetime pattern (UTC, to the hundredth of a
     * second); {@link #SEQUENCE_COUNTER_ZERO} follows it.
     */
    public static final String SEQUENCE_TIME = "yyyyMMddHHmmssSS";
    public static final String SEQUENCE_COUNTER_ZERO = "0000000000000000000";

    public ChangeOrder {
        terms = List.copyOf(terms);
    }

    public static ChangeOrder of(Dataset dataset) {
        requireNonNull(dataset, "dataset is null");
        List<Term> terms = new ArrayList<>();
        if (dataset.format().changeSeq()) {
            terms.add(new Term(StagingLayout.CHANGE_SEQ, true, true));
        }
        terms.add(new Term(StagingLayout.COMMIT_TS, true));
        if (dataset.source() == SourceKind.AZURESQL) {
            terms.add(new Term(StagingLayout.INGESTED_AT, false));
        }
        terms.add(new Term(StagingLayout.SOURCE_KEY, false));
        terms.add(new Term(StagingLayout.SOURCE_LINE, false));
        return new ChangeOrder(terms);
    }

    /** The columns of the order. */
    public List<String> columns() {
        return terms.stream().map(Term::column).toList();
    }
}
