package io.tarn.stack;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every sample event in {@code events/} (the files {@code sam local invoke -e} takes) is JSON and
 * is loaded by some test, so none can drift from what its function reads. The ones AWS sends (S3,
 * SQS, EventBridge) are loaded by aws-lambda-java-tests into their types of the events library,
 * so none can drift from what AWS sends either.
 */
class EventFixturesTest {

    private static final Path ROOT = Path.of("..");

    @Test
    void everySampleEventIsJsonAndLoadedByATest() throws IOException {
        List<Path> events;
        try (Stream<Path> files = Files.list(ROOT.resolve("events"))) {
            events = files.filter(f -> f.toString().endsWith(".json")).sorted().toList();
        }
        assertThat(events).hasSizeGreaterThanOrEqualTo(12);
        String tests = testSources();
        List<String> awsEvents = new ArrayList<>();
        for (Path event : events) {
            JsonNode json = new ObjectMapper().readTree(event.toFile());
            String name = event.getFileName().toString();
            assertThat(tests).as("a test loading events/%s", name).contains(name);
            if (isAwsEvent(json)) {
                awsEvents.add(name);
                assertThat(tests).as("a test loading events/%s with aws-lambda-java-tests", name)
                        .containsPattern("(@Event\\(value = |EventLoader\\.load\\w*\\()\"" + Pattern.quote(name) + "\"");
            }
        }
        assertThat(awsEvents).contains("s3-put.json", "eventbridge-object-created.json", "sqs-eventbridge-batch.json",
                "schedule.json");
    }

    /** An event of an AWS service: records with an {@code eventSource} (S3, SQS) or an EventBridge {@code detail-type}. */
    private static boolean isAwsEvent(JsonNode event) {
        return event.has("detail-type") || event.path("Records").path(0).has("eventSource");
    }

    /** The text of every test source of the repository, but this one. */
    private static String testSources() throws IOException {
        StringBuilder all = new StringBuilder();
        try (Stream<Path> files = Files.walk(ROOT)) {
            files.filter(f -> f.toString().endsWith(".java") && f.toString().contains("/src/test/")
                            && !f.toString().contains("/target/") && !f.getFileName().toString().equals("EventFixturesTest.java"))
                    .forEach(f -> {
                        try {
                            all.append(Files.readString(f));
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    });
        }
        return all.toString();
    }
}
