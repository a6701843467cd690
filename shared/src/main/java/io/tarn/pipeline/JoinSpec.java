package io.tarn.pipeline;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * A joined dataset of pipeline.yaml, built by the Glue job from the staging tables and written as
 * the staging table {@code name}.
 *
 * @param sources the datasets the SQL reads; each is a view of that table's current state (latest
 *     row per primary key, deletes removed) named after the dataset
 * @param partitionBy the output's partition column; {@code account_id}, so that a join's rows for
 *     an account depend on that account's source rows only and an account can be rebuilt alone
 * @param sql a Spark SQL query over the source views whose result has a {@code partitionBy} column
 */
public record JoinSpec(String name, List<String> sources, String partitionBy, String sql) {

    public JoinSpec {
        requireNonNull(name, "name is null");
        sources = List.copyOf(sources);
        requireNonNull(partitionBy, "partitionBy is null");
        requireNonNull(sql, "sql is null");
    }
}
