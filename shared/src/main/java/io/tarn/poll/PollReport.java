package io.tarn.poll;

import java.util.List;
import java.util.Optional;

/** What one poll did, per table. */
public record PollReport(List<TableReport> tables) {

    public PollReport {
        tables = List.copyOf(tables);
    }

    /** Every raw object written by this poll, in the order written. */
    public List<String> objectKeys() {
        return tables.stream().flatMap(t -> t.objectKeys().stream()).toList();
    }

    /**
     * One table's poll.
     *
     * @param objectKeys raw keys of the pages this poll committed, in order: uploaded by it, or
     *     adopted from an earlier run that uploaded them and stopped before committing (then
     *     {@code rows} does not count their rows)
     * @param watermarkBefore the committed position when the poll started ("" if never polled)
     * @param watermarkAfter the committed position when it ended
     * @param caughtUp whether the table had no further changed rows below the upper bound
     * @param stoppedBecause why the poll stopped before catching up (time running out, lease held
     *     by another poller, a concurrent commit), if it did
     * @param keySnapshot what the poll did about the table's key snapshot, when it has one to take
     *     ("complete: 3 page(s)", "not due until ...", "incomplete after page 2: ...")
     */
    public record TableReport(
            String dataset,
            String strategy,
            int pages,
            long rows,
            List<String> objectKeys,
            String watermarkBefore,
            String watermarkAfter,
            boolean caughtUp,
            Optional<String> stoppedBecause,
            Optional<String> keySnapshot) {

        public TableReport {
            objectKeys = List.copyOf(objectKeys);
        }

        /** A table's poll that had no key snapshot to take. */
        public TableReport(String dataset, String strategy, int pages, long rows, List<String> objectKeys,
                String watermarkBefore, String watermarkAfter, boolean caughtUp, Optional<String> stoppedBecause) {
            this(dataset, strategy, pages, rows, objectKeys, watermarkBefore, watermarkAfter, caughtUp, stoppedBecause,
                    Optional.empty());
        }
    }
}
