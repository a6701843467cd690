package io.tarn.embedded;

import static java.util.Objects.requireNonNull;

import io.tarn.aws.AwsClients;
import io.tarn.aws.AwsSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.awscore.client.builder.AwsSyncClientBuilder;

/**
 * moto's server ({@code python3 -m moto.server}) as a child process on a free port of 127.0.0.1, so
 * that tests and the local command talk to AWS APIs (Glue, Athena, SNS...) over HTTP with the real
 * SDK clients.
 *
 * <p>When the machine's {@code python3} cannot import moto, moto is installed with pip into a
 * virtual environment (by default {@code target/moto-venv}) and that environment's Python runs the
 * server. Starting takes seconds: tests share one server per JVM through {@link #shared()} and keep
 * apart by unique resource names or {@link #reset()}.
 */
public final class MotoServer implements AutoCloseable {

    /** The region clients of this server sign for. */
    public static final String REGION = "us-east-1";
    /** The moto release the virtual environment gets; the same one the machine image carries. */
    public static final String MOTO_REQUIREMENT = "moto[server]==5.2.1";

    /** Where the virtual environment goes when none is named, relative to the working directory. */
    public static final Path DEFAULT_VENV = Path.of("target", "moto-venv");

    private static final String HOST = "127.0.0.1";
    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration INSTALL_TIMEOUT = Duration.ofMinutes(5);
    // Another process can take the port between our probe and moto's bind; a new port fixes that.
    private static final int START_ATTEMPTS = 3;

    private static MotoServer shared;

    private final Process process;
    private final URI endpoint;
    private final Path log;
    private final Thread shutdownHook;

    private MotoServer(Process process, URI endpoint, Path log) {
        this.process = process;
        this.endpoint = endpoint;
        this.log = log;
        this.shutdownHook = new Thread(this::stop, "moto-server-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /** Starts a server, installing moto into {@link #DEFAULT_VENV} first if needed. */
    public static MotoServer start() {
        return start(DEFAULT_VENV);
    }

    /**
     * Starts a server, installing moto into a virtual environment at {@code venv} first if the
     * machine's {@code python3} cannot import it.
     */
    public static MotoServer start(Path venv) {
        requireNonNull(venv, "venv is null");
        String python = python(venv);
        IllegalStateException failure = null;
        for (int attempt = 0; attempt < START_ATTEMPTS; attempt++) {
            try {
                return launch(python, freePort());
            } catch (IllegalStateException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        throw failure;
    }

    /**
     * One server for the whole JVM, started on first use and stopped when the JVM exits. Never close
     * it: other tests in the same JVM use it too.
     */
    public static synchronized MotoServer shared() {
        if (shared == null || !shared.process.isAlive()) {
            shared = start();
        }
        return shared;
    }

    /** The server's base URI, e.g. {@code http://127.0.0.1:41234}, for an SDK endpoint override. */
    public URI endpoint() {
        return endpoint;
    }

    /** How a client reaches this server: its endpoint, a region, and keys moto accepts (any). */
    public AwsSettings settings() {
        return AwsSettings.local(endpoint, REGION, "test", "test");
    }

    /** A client of any service on this server, built as the functions build theirs ({@link AwsClients}). */
    public <B extends AwsClientBuilder<B, C> & AwsSyncClientBuilder<B, C>, C> C client(B builder) {
        return new AwsClients(settings()).build(builder);
    }

    /** Forgets every resource of every service, as a fresh server would. */
    public void reset() {
        try {
            HttpURLConnection connection =
                    (HttpURLConnection) endpoint.resolve("/moto-api/reset").toURL().openConnection();
            try {
                connection.setRequestMethod("POST");
                connection.setDoOutput(true);
                connection.getOutputStream().close();
                int status = connection.getResponseCode();
                if (status != 200) {
                    throw new IllegalStateException("moto at " + endpoint + " answered reset with HTTP " + status);
                }
            } finally {
                connection.disconnect();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot reset moto at " + endpoint, e);
        }
    }

    /**
     * Sets how moto's state manager moves a model on, e.g. {@code glue::crawl} or
     * {@code athena::execution} with {@code {"progression": "manual", "times": 3}}: a state then
     * advances only after that many reads. The setting is the server's, for every client: undo it
     * with {@link #unsetTransition(String)}.
     */
    public void setTransition(String model, String transitionJson) {
        setTransition(endpoint, model, transitionJson);
    }

    /** Back to moto's default for the model (most move to their last state on the first read). */
    public void unsetTransition(String model) {
        unsetTransition(endpoint, model);
    }

    /** {@link #setTransition(String, String)} of the moto server at {@code endpoint}, e.g. from a child JVM. */
    public static void setTransition(URI endpoint, String model, String transitionJson) {
        requireNonNull(model, "model is null");
        requireNonNull(transitionJson, "transitionJson is null");
        post(endpoint, "/moto-api/state-manager/set-transition",
                "{\"model_name\": \"" + model + "\", \"transition\": " + transitionJson + "}");
    }

    /** {@link #unsetTransition(String)} of the moto server at {@code endpoint}. */
    public static void unsetTransition(URI endpoint, String model) {
        requireNonNull(model, "model is null");
        post(endpoint, "/moto-api/state-manager/unset-transition", "{\"model_name\": \"" + model + "\"}");
    }

    private static void post(URI endpoint, String path, String body) {
        requireNonNull(endpoint, "endpoint is null");
        try {
            HttpURLConnection connection = (HttpURLConnection) endpoint.resolve(path).toURL().openConnection();
            try {
                connection.setRequestMethod("POST");
                connection.setDoOutput(true);
                try (var out = connection.getOutputStream()) {
                    out.write(body.getBytes(StandardCharsets.UTF_8));
                }
                int status = connection.getResponseCode();
                if (status / 100 != 2) {
                    throw new IllegalStateException("moto at " + endpoint + " answered " + path + " with HTTP " + status);
                }
            } finally {
                connection.disconnect();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot call " + path + " of moto at " + endpoint, e);
        }
    }

    /** Stops the server. */
    @Override
    public void close() {
        stop();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // The JVM is already shutting down: the hook runs (or ran) stop() itself.
        }
    }

    private void stop() {
        // pyenv-style shims may leave a wrapper between us and Python: stop the whole tree.
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private static MotoServer launch(String python, int port) {
        Path log;
        Process process;
        try {
            log = Files.createTempFile("moto-server-" + port + "-", ".log");
            log.toFile().deleteOnExit();
            process = new ProcessBuilder(python, "-m", "moto.server", "-H", HOST, "-p", Integer.toString(port))
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
        } catch (IOException e) {
            throw new IllegalStateException("Cannot start moto's server with " + python, e);
        }
        URI endpoint = URI.create("http://" + HOST + ":" + port);
        MotoServer server = new MotoServer(process, endpoint, log);
        try {
            server.awaitReady();
            return server;
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
    }

    private void awaitReady() {
        long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("moto's server exited with code " + process.exitValue()
                        + " before answering on " + endpoint + ":\n" + logTail());
            }
            if (answers()) {
                return;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while waiting for moto on " + endpoint, e);
            }
        }
        throw new IllegalStateException(
                "moto's server did not answer on " + endpoint + " within " + STARTUP_TIMEOUT + ":\n" + logTail());
    }

    private boolean answers() {
        try {
            HttpURLConnection connection =
                    (HttpURLConnection) endpoint.resolve("/moto-api/").toURL().openConnection();
            connection.setConnectTimeout(500);
            connection.setReadTimeout(2000);
            try {
                return connection.getResponseCode() == 200;
            } finally {
                connection.disconnect();
            }
        } catch (IOException e) {
            return false;
        }
    }

    private String logTail() {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "(log " + log + " unreadable: " + e + ")";
        }
    }

    /** The machine's python3 if it has moto, else the virtual environment's, installed if needed. */
    private static String python(Path venv) {
        if (succeeds(List.of("python3", "-c", "import moto"), Duration.ofSeconds(30))) {
            return "python3";
        }
        Path venvPython = venvPython(venv);
        if (Files.isExecutable(venvPython)
                && succeeds(List.of(venvPython.toString(), "-c", "import moto"), Duration.ofSeconds(30))) {
            return venvPython.toString();
        }
        run(List.of("python3", "-m", "venv", venv.toString()), INSTALL_TIMEOUT);
        run(List.of(venvPython.toString(), "-m", "pip", "install", "--quiet", MOTO_REQUIREMENT), INSTALL_TIMEOUT);
        return venvPython.toString();
    }

    private static Path venvPython(Path venv) {
        boolean windows = System.getProperty("os.name", "").toLowerCase().startsWith("windows");
        return windows ? venv.resolve("Scripts").resolve("python.exe") : venv.resolve("bin").resolve("python");
    }

    private static boolean succeeds(List<String> command, Duration timeout) {
        try {
            return exec(command, timeout).exitCode == 0;
        } catch (IllegalStateException e) {
            return false;
        }
    }

    private static void run(List<String> command, Duration timeout) {
        Result result = exec(command, timeout);
        if (result.exitCode != 0) {
            throw new IllegalStateException(
                    "'" + String.join(" ", command) + "' failed with code " + result.exitCode + ":\n" + result.output);
        }
    }

    private static Result exec(List<String> command, Duration timeout) {
        try {
            Path output = Files.createTempFile("moto-setup-", ".log");
            try {
                Process process = new ProcessBuilder(new ArrayList<>(command))
                        .redirectErrorStream(true)
                        .redirectOutput(output.toFile())
                        .start();
                if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    process.destroyForcibly();
                    throw new IllegalStateException("'" + String.join(" ", command) + "' did not finish within " + timeout);
                }
                return new Result(process.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
            } finally {
                Files.deleteIfExists(output);
            }
        } catch (IOException e) {
            throw new IllegalStateException("Cannot run '" + String.join(" ", command) + "'", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while running '" + String.join(" ", command) + "'", e);
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot find a free port on " + HOST, e);
        }
    }

    private record Result(int exitCode, String output) {}
}
