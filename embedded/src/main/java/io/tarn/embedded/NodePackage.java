package io.tarn.embedded;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An npm package at a pinned version, installed into a folder of its own under {@code target/}
 * (once: a later call finds it there), and Node scripts run beside it. Tests use it for the checkers
 * written by others that only exist for Node ({@code aws-local-stepfunctions}, a second ASL
 * interpreter), so that a rule is proven by code we did not write.
 *
 * <p>Needs {@code node} and {@code npm} on the PATH and the npm registry reachable on first use.
 */
public final class NodePackage {

    private static final Duration INSTALL_TIMEOUT = Duration.ofMinutes(5);
    private static final Pattern VERSION = Pattern.compile("\"version\"\\s*:\\s*\"([^\"]+)\"");

    private final Path prefix;
    private final String name;
    private final String version;

    private NodePackage(Path prefix, String name, String version) {
        this.prefix = prefix;
        this.name = name;
        this.version = version;
    }

    /** What a script printed and how it ended. */
    public record Result(int exitCode, String stdout, String stderr) {}

    /**
     * The package {@code name@version} under {@code prefix/node_modules}, installed there unless that
     * exact version already is.
     */
    public static NodePackage installed(Path prefix, String name, String version) {
        requireNonNull(prefix, "prefix is null");
        requireNonNull(name, "name is null");
        requireNonNull(version, "version is null");
        NodePackage pkg = new NodePackage(prefix.toAbsolutePath(), name, version);
        if (!version.equals(pkg.installedVersion())) {
            pkg.install();
        }
        return pkg;
    }

    /** Where {@code import '<name>'} resolves from: a script must live in this folder. */
    public Path folder() {
        return prefix;
    }

    /**
     * Copies {@code script} into the package's folder (ES modules resolve packages from the
     * script's own location, not from NODE_PATH) and runs it with {@code node}, {@code stdin} as its
     * standard input.
     */
    public Result run(Path script, String stdin, Duration timeout) {
        requireNonNull(script, "script is null");
        requireNonNull(stdin, "stdin is null");
        try {
            Path copy = prefix.resolve(script.getFileName());
            Files.copy(script, copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            Path in = Files.createTempFile(prefix, "stdin", ".json");
            Path out = Files.createTempFile(prefix, "stdout", ".txt");
            Path err = Files.createTempFile(prefix, "stderr", ".txt");
            try {
                Files.writeString(in, stdin, StandardCharsets.UTF_8);
                int exit = exec(List.of("node", copy.toString()), in, out, err, timeout);
                return new Result(exit, Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
            } finally {
                Files.deleteIfExists(in);
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot run " + script + " with node", e);
        }
    }

    private String installedVersion() {
        Path manifest = prefix.resolve("node_modules").resolve(name).resolve("package.json");
        if (!Files.isRegularFile(manifest)) {
            return null;
        }
        try {
            Matcher matcher = VERSION.matcher(Files.readString(manifest, StandardCharsets.UTF_8));
            return matcher.find() ? matcher.group(1) : null;
        } catch (IOException e) {
            return null;
        }
    }

    private void install() {
        try {
            Files.createDirectories(prefix);
            Path log = Files.createTempFile(prefix, "npm-install", ".log");
            List<String> command = new ArrayList<>(List.of("npm", "install", "--no-audit", "--no-fund", "--no-save",
                    "--prefix", prefix.toString(), name + "@" + version));
            int exit = exec(command, null, log, log, INSTALL_TIMEOUT);
            if (exit != 0 || !version.equals(installedVersion())) {
                throw new IllegalStateException("npm could not install %s@%s into %s (exit %d):%n%s"
                        .formatted(name, version, prefix, exit, Files.readString(log, StandardCharsets.UTF_8)));
            }
            Files.deleteIfExists(log);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot install " + name + "@" + version + " with npm", e);
        }
    }

    private int exec(List<String> command, Path stdin, Path stdout, Path stderr, Duration timeout) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command).directory(prefix.toFile());
        builder.redirectInput(stdin == null ? ProcessBuilder.Redirect.from(new java.io.File("/dev/null")) : ProcessBuilder.Redirect.from(stdin.toFile()));
        if (stdout.equals(stderr)) {
            builder.redirectErrorStream(true).redirectOutput(stdout.toFile());
        } else {
            builder.redirectOutput(stdout.toFile()).redirectError(stderr.toFile());
        }
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new IllegalStateException("Cannot start '" + command.get(0) + "': Node.js 20 or later (node and npm)"
                    + " must be on the PATH for this check", e);
        }
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " did not finish in " + timeout);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while running " + String.join(" ", command), e);
        }
        return process.exitValue();
    }
}
