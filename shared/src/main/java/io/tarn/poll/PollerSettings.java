package io.tarn.poll;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * How the SqlPoller runs.
 *
 * @param rawBucket where pages land as header CSV objects
 * @param tempDir local scratch space: a page is spooled to a file, then uploaded
 * @param safetyMargin no new page is started when less time than this remains
 * @param leaseDuration how long a poller holds a table before another may take it over; a poll cut
 *     off without giving its lease back (a Lambda timeout) keeps its tables this long
 */
public record PollerSettings(String rawBucket, Path tempDir, Duration safetyMargin, Duration leaseDuration) {

    public static final Duration DEFAULT_SAFETY_MARGIN = Duration.ofSeconds(60);
    public static final Duration DEFAULT_LEASE = Duration.ofMinutes(15);

    public PollerSettings {
        requireNonNull(rawBucket, "rawBucket is null");
        requireNonNull(tempDir, "tempDir is null");
        requireNonNull(safetyMargin, "safetyMargin is null");
        requireNonNull(leaseDuration, "leaseDuration is null");
    }

    /**
     * A new spool file in {@link #tempDir()}, named after {@code what}.
     *
     * @throws PollException when it cannot be created
     */
    Path spoolFile(String what) {
        try {
            Files.createDirectories(tempDir);
            return Files.createTempFile(tempDir, what + "-", ".csv");
        } catch (IOException e) {
            throw new PollException("cannot create a spool file for %s in %s".formatted(what, tempDir), e);
        }
    }
}
