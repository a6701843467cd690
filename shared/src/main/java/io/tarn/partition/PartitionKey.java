package io.tarn.partition;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The partition a staging row belongs to: its account and, when the table has one, its day. */
public record PartitionKey(String account, Optional<String> day) {

    public PartitionKey {
        requireNonNull(account, "account is null");
        requireNonNull(day, "day is null");
    }

    /** Values in partition-key order ({@code account_id}, then {@code dt}), unescaped. */
    public List<String> values() {
        List<String> values = new ArrayList<>(2);
        values.add(account);
        day.ifPresent(values::add);
        return values;
    }

    /**
     * A hash of the values that is the same on every JVM ({@link String#hashCode} is specified,
     * a record's is not) and costs no allocation: it decides which writer thread and which spill
     * bucket a partition goes to, so a replay must compute it identically.
     */
    public int stableHash() {
        return 31 * account.hashCode() + day.map(String::hashCode).orElse(0);
    }

    /** The relative path {@code account_id=<escaped>[/dt=<day>]}. */
    public String path() {
        String accountSegment = PartitionPaths.segment("account_id", account);
        return day.map(d -> accountSegment + "/" + PartitionPaths.segment("dt", d)).orElse(accountSegment);
    }
}
