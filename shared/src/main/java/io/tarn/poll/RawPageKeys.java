package io.tarn.poll;

import io.tarn.pipeline.Dataset;
import java.util.Optional;

/**
 * Names of page objects: {@code <raw_prefix><strategy>/<start>__<end>.csv}, where start is the
 * committed position the page was read after and end the position of its last row. Position
 * components never contain {@code _} (it is escaped), so {@code <start>__} is a prefix that only
 * pages read from that start have.
 */
public final class RawPageKeys {

    static final String SEPARATOR = "__";
    static final String SUFFIX = ".csv";

    private RawPageKeys() {}

    public static String key(Dataset dataset, String strategy, String start, String end) {
        return startPrefix(dataset, strategy, start) + end + SUFFIX;
    }

    /** The prefix every page read from {@code start} has, whatever its end. */
    public static String startPrefix(Dataset dataset, String strategy, String start) {
        return strategyPrefix(dataset, strategy) + start + SEPARATOR;
    }

    /** The prefix of every page of the dataset read with {@code strategy}. */
    static String strategyPrefix(Dataset dataset, String strategy) {
        return dataset.rawPrefix() + strategy + "/";
    }

    /** The end position of a page key under {@code startPrefix}, if the key is one. */
    static Optional<String> end(String startPrefix, String key) {
        if (!key.startsWith(startPrefix) || !key.endsWith(SUFFIX)) {
            return Optional.empty();
        }
        String end = key.substring(startPrefix.length(), key.length() - SUFFIX.length());
        return end.isEmpty() || end.contains(SEPARATOR) || end.contains("/") ? Optional.empty() : Optional.of(end);
    }
}
