package io.tarn.etl.trigger;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tarn.catalog.StagingLayout;
import io.tarn.log.JsonLogger;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Starts the ETL when staging changed, so new data reaches the ETL tables without waiting for the
 * schedule, and starts it once per window of changes however often a change is announced.
 *
 * <p>Time is cut into windows of {@link EtlTriggerConfig#window()}. All changes that land in one
 * window belong to one execution, named after the window ({@code auto-20240601T120000Z-60s}), whose
 * input tells the state machine to start the job only after the window's end (plus
 * {@link EtlTriggerConfig#settle()}). So:
 * <ul>
 *   <li>a notice delivered twice, or two batches of one window, name the same execution: Step
 *       Functions refuses the second start ({@code ExecutionAlreadyExists}), which is success here,
 *       and nothing runs twice;</li>
 *   <li>a change is never lost to a run in progress: the run of its window starts its job after
 *       the change landed, whenever the notice arrives (even after that run finished), and a change
 *       landing while an earlier window's job runs belongs to a later window, whose job Glue queues
 *       behind the running one.</li>
 * </ul>
 * The names carry the window's length, so changing it never reuses the name of a run that covered
 * a different span. The window is the latency the trigger adds, at most; the schedule stays as a
 * backstop.
 */
public final class EtlTriggerService {

    /** The prefix of the notices that count: RawObject's manifests, each written after its parts. */
    public static final String NOTICE_PREFIX = StagingLayout.MANIFEST_PREFIX;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter NAME_TIME =
            DateTimeFormatter.ofPattern("uuuuMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    /** RFC 3339 in UTC with an upper-case Z, to the second: what a Wait state's TimestampPath takes. */
    private static final DateTimeFormatter WAIT_TIME =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss'Z'").withZone(ZoneOffset.UTC);

    private final EtlExecutions executions;
    private final EtlTriggerConfig config;
    private final JsonLogger log;

    public EtlTriggerService(EtlExecutions executions, EtlTriggerConfig config, JsonLogger log) {
        this.executions = requireNonNull(executions, "executions is null");
        this.config = requireNonNull(config, "config is null");
        this.log = requireNonNull(log, "log is null");
    }

    /**
     * Starts the execution of every window the changes fall in, unless it exists.
     *
     * @param undecodable why each message of the batch that was not a notice could not be read;
     *     they are logged here and delivered again by their queue, which moves them to its
     *     dead-letter queue in the end
     */
    public EtlTriggerReport trigger(List<StagingChange> changes, List<String> undecodable) {
        requireNonNull(changes, "changes is null");
        requireNonNull(undecodable, "undecodable is null");
        undecodable.forEach(reason -> log.error("not a staging notice", Map.of("error", reason)));
        Map<Long, List<StagingChange>> byWindow = new TreeMap<>();
        int ignored = 0;
        for (StagingChange change : changes) {
            if (!change.key().startsWith(NOTICE_PREFIX)) {
                ignored++;
                continue;
            }
            byWindow.computeIfAbsent(windowStart(change.landedAt()), start -> new ArrayList<>()).add(change);
        }
        List<EtlTriggerReport.Run> runs = new ArrayList<>();
        List<String> failed = new ArrayList<>();
        byWindow.forEach((start, inWindow) -> {
            String name = name(start);
            String startAfter = WAIT_TIME.format(Instant.ofEpochSecond(start).plus(config.window()).plus(config.settle()));
            EtlTriggerReport.Run run;
            try {
                boolean started = executions.start(name, input(startAfter));
                run = new EtlTriggerReport.Run(name, startAfter, inWindow.size(), started, Optional.empty());
            } catch (EtlTriggerException e) {
                inWindow.forEach(change -> failed.add(change.id()));
                run = new EtlTriggerReport.Run(name, startAfter, inWindow.size(), false, Optional.of(e.getMessage()));
            }
            runs.add(run);
            log(run);
        });
        return new EtlTriggerReport(runs, failed, ignored);
    }

    /** The name of the execution of the window starting at {@code start} (epoch seconds). */
    String name(long start) {
        return "auto-" + NAME_TIME.format(Instant.ofEpochSecond(start)) + "-" + config.window().toSeconds() + "s";
    }

    private long windowStart(Instant landedAt) {
        long seconds = landedAt.getEpochSecond();
        return seconds - Math.floorMod(seconds, config.window().toSeconds());
    }

    /** The same for every notice of a window: Step Functions takes a start with the same name and input as a duplicate. */
    private static String input(String startAfter) {
        ObjectNode input = JSON.createObjectNode().put("mode", "join").put("datasets", "all").put("startAfter", startAfter);
        return input.toString();
    }

    private void log(EtlTriggerReport.Run run) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("execution", run.name());
        fields.put("startAfter", run.startAfter());
        fields.put("changes", run.changes());
        if (run.error().isPresent()) {
            fields.put("error", run.error().get());
            log.error("ETL execution not started; its notices will be delivered again", fields);
        } else {
            log.info(run.started() ? "ETL execution started" : "ETL execution exists already", fields);
        }
    }
}
