package io.tarn.local.lake;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

/**
 * A repository file the tarn command reads ({@code pipeline.yaml}, {@code template.yaml}): the one
 * an option names, else the one in the working directory, else the copy in the tarn jar, written
 * under DIR so that what reads it can take a path.
 */
public final class BundledFile {

    private BundledFile() {}

    /**
     * @param option the file named by {@code optionName}, if given
     * @param name the file's name, in the working directory and in the jar
     */
    public static Path resolve(Optional<String> option, String optionName, String name, Path dir) throws IOException {
        if (option.isPresent()) {
            return Path.of(option.get());
        }
        Path local = Path.of(name);
        if (Files.exists(local)) {
            return local;
        }
        try (InputStream in = BundledFile.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalArgumentException("no " + name + " here and none in the tarn jar; name one with " + optionName);
            }
            Path copy = Files.createDirectories(dir).resolve(name);
            Files.copy(in, copy, StandardCopyOption.REPLACE_EXISTING);
            return copy;
        }
    }
}
