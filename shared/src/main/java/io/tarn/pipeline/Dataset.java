package io.tarn.pipeline;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Optional;

/**
 * One dataset of pipeline.yaml: a source table that lands in raw under {@code rawPrefix} and
 * becomes two staging tables: {@code <name>_changes}, every change as it came, partitioned by
 * account and the day the change landed; and {@code <name>}, the current state (one row per
 * primary key), partitioned by account (and optionally by day).
 *
 * @param accountColumn the column that names the customer account; it becomes the
 *     {@code account_id} partition key and is not repeated inside the Parquet files
 * @param partitionDate a timestamp or date column whose UTC day becomes the {@code dt} partition
 * @param poll how the SqlPoller reads the source table ({@code azuresql} datasets only)
 */
public record Dataset(
        String name,
        SourceKind source,
        String sourceTable,
        String rawPrefix,
        CsvFormat format,
        List<ColumnSpec> columns,
        List<String> primaryKey,
        String accountColumn,
        Optional<String> partitionDate,
        Optional<PollSpec> poll) {

    /** Partition key of the account, whatever the source column is called. */
    public static final String ACCOUNT_PARTITION = "account_id";
    /**
     * Partition key of the day partition: in the current table the UTC day of the
     * {@code partitionDate} column (when declared), in the change log the UTC day the raw object
     * landed, which the object alone fixes, so one object writes one file per account.
     */
    public static final String DATE_PARTITION = "dt";
    /** What a dataset's change log is called: {@code <name>_changes}. */
    public static final String CHANGES_SUFFIX = "_changes";

    public Dataset {
        requireNonNull(name, "name is null");
        requireNonNull(source, "source is null");
        requireNonNull(sourceTable, "sourceTable is null");
        requireNonNull(rawPrefix, "rawPrefix is null");
        requireNonNull(format, "format is null");
        columns = List.copyOf(columns);
        primaryKey = List.copyOf(primaryKey);
        requireNonNull(accountColumn, "accountColumn is null");
        requireNonNull(partitionDate, "partitionDate is null");
        requireNonNull(poll, "poll is null");
    }

    public ColumnSpec column(String columnName) {
        return columns.stream().filter(c -> c.name().equals(columnName)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException(
                        "dataset '" + name + "' has no column '" + columnName + "'"));
    }

    /** The columns that are fields of the CSV records, in their order for headerless files. */
    public List<ColumnSpec> csvColumns() {
        return columns.stream().filter(c -> !c.derived()).toList();
    }

    /** The change log's table: {@code <name>_changes}. */
    public String changesTable() {
        return name + CHANGES_SUFFIX;
    }

    /** The change log's partition keys: the account, then the landing day. */
    public List<String> changesPartitionKeys() {
        return List.of(ACCOUNT_PARTITION, DATE_PARTITION);
    }

    /** The partition keys of the current table, in path order. */
    public List<String> partitionKeys() {
        return partitionDate.isPresent() ? List.of(ACCOUNT_PARTITION, DATE_PARTITION) : List.of(ACCOUNT_PARTITION);
    }

    public boolean matches(String rawKey) {
        return rawKey.startsWith(rawPrefix);
    }
}
