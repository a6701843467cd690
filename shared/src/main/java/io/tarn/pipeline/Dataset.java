package io.tarn.pipeline;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Optional;

/**
 * One dataset of pipeline.yaml: a source table that lands in raw under {@code rawPrefix} and
 * becomes the staging table {@code name}, partitioned by account (and optionally by day).
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
    /** Partition key of the optional day partition. */
    public static final String DATE_PARTITION = "dt";

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

    /** The partition keys of the staging table, in path order. */
    public List<String> partitionKeys() {
        return partitionDate.isPresent() ? List.of(ACCOUNT_PARTITION, DATE_PARTITION) : List.of(ACCOUNT_PARTITION);
    }

    public boolean matches(String rawKey) {
        return rawKey.startsWith(rawPrefix);
    }
}
