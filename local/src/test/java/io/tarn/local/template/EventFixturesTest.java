package io.tarn.local.template;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every sample event in {@code events/} (the files {@code sam local invoke -e} takes) is JSON and
 * is loaded by some test, so none can drift from what its function reads.
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
        for (Path event : events) {
            new ObjectMapper().readTree(event.toFile());
            assertThat(tests).as("a test loading events/%s", event.getFileName()).contains(event.getFileName().toString());
        }
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
