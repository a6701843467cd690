package io.tarn.catalog;

/**
 * What Tarn adds to the staging layer besides the datasets' own data: the columns it appends to
 * every staging row, and the prefixes of the staging bucket that hold its bookkeeping beside the
 * tables. The conversion writes them, and the trigger, the refresh and the catalog read them, so
 * they are named once here.
 */
public final class StagingLayout {

    /** The CDC operation: {@code I}, {@code U} or {@code D}. */
    public static final String OP = "_op";
    /** When the change committed at the source (DMS TimestampColumnName); null when unknown. */
    public static final String COMMIT_TS = "_commit_ts";
    /** {@code s3://bucket/key} of the raw object the row came from. */
    public static final String SOURCE_KEY = "_source_key";
    /** The physical line of the raw object the row starts on: orders rows of one commit instant. */
    public static final String SOURCE_LINE = "_source_line";
    /** When the raw object landed (its S3 last-modified time), so replays write identical rows. */
    public static final String INGESTED_AT = "_ingested_at";
    /**
     * DMS's {@code $AR_H_CHANGE_SEQ}, for a dataset whose format declares it: a task-wide
     * increasing sequence ({@code YYYYMMDDHHmmSShh} and a 19-digit change number), so its text
     * sorts in change order; null for full-load rows, which have none.
     */
    public static final String CHANGE_SEQ = "_change_seq";

    /** Staging prefix of quarantined rows: {@code quarantine/<table>/<object id>.csv}. */
    public static final String QUARANTINE_PREFIX = "quarantine/";
    /** Staging prefix of per-object manifests: {@code manifests/<table>/<object id>.json}. */
    public static final String MANIFEST_PREFIX = "manifests/";
    /**
     * Staging prefix of the refresh's state per dataset, {@code refresh/<dataset>.json}: the last
     * change index entry applied to its current table ({@code watermark}) and the run that applied
     * it ({@code runId}), among the refresh's own bookkeeping.
     */
    public static final String REFRESH_STATE_PREFIX = "refresh/";

    private StagingLayout() {}
}
