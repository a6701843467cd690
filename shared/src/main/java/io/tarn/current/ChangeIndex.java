package io.tarn.current;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where the refresh finds the change files added since it last ran, without listing history:
 * after each conversion RawObject writes one small entry naming its manifest under
 * {@code changes/<dataset>/<yyyy-MM-dd>/<HH>/<yyyyMMddTHHmmss.SSSZ>-<object id>.json}, timed when it
 * is written. Names sort by that time, and the hour folders let a reader list only the hours since
 * its watermark. An entry is written after the data and manifest it names; a reader that takes
 * only entries older than a settle interval (longer than a write takes) never skips one that was
 * still being written.
 */
public final class ChangeIndex {

    public static final String PREFIX = "changes/";

    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyy-MM-dd").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter HOUR = DateTimeFormatter.ofPattern("HH").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter STAMP =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'").withZone(ZoneOffset.UTC);
    private static final Pattern ENTRY = Pattern.compile("(\\d{8}T\\d{6}\\.\\d{3}Z)-([0-9a-f]+)\\.json");

    private ChangeIndex() {}

    /** The entry of one conversion of an object, written at {@code at}. */
    public static String key(String dataset, Instant at, String objectId) {
        requireNonNull(dataset, "dataset is null");
        requireNonNull(objectId, "objectId is null");
        return hourFolder(dataset, at) + STAMP.format(at) + "-" + objectId + ".json";
    }

    /** The folder of the entries written in {@code at}'s hour. */
    public static String hourFolder(String dataset, Instant at) {
        return PREFIX + dataset + "/" + DAY.format(at) + "/" + HOUR.format(at) + "/";
    }

    /** The day folder's name of {@code at}: {@code yyyy-MM-dd}. */
    public static String day(Instant at) {
        return DAY.format(at);
    }

    /** The hour folder's name of {@code at}: {@code HH}. */
    public static String hour(Instant at) {
        return HOUR.format(at);
    }

    /** When the entry was written, from its name (the last path segment of its key). */
    public static Instant writtenAt(String key) {
        Matcher matcher = ENTRY.matcher(key.substring(key.lastIndexOf('/') + 1));
        if (!matcher.matches()) {
            throw new IllegalArgumentException("Not a change index entry: " + key);
        }
        try {
            return STAMP.parse(matcher.group(1), Instant::from);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("Not a change index entry: " + key, e);
        }
    }
}
