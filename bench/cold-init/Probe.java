import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import io.tarn.aws.AwsSettings;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.reflect.Method;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The shared part of the probes: reads the event file and the function's environment from the
 * arguments, builds the handler as Lambda's init would (its production wiring, pointed at moto),
 * invokes it once and prints {@code answered <JVM uptime ms> <init ms> <invoke ms> <response>} on
 * the real standard output. The functions' JSON logs go to standard error.
 *
 * <p>Arguments: {@code <moto endpoint> <event file> NAME=VALUE...}.
 */
abstract class Probe {

    /** The function's handler, wired to moto at {@code endpoint}, from the function's own environment. */
    abstract RequestStreamHandler handler(String endpoint, Map<String, String> env) throws Exception;

    /**
     * The function's production service pointed at moto: {@code <wiring>.aws(config, moto)}, or, in a
     * jar built before each function had its own wiring, {@code io.tarn.aws.AwsWiring.<legacy>(config,
     * moto)}. Through reflection, because a probe compiles against the jars of both sides.
     */
    static <T> T wired(Class<T> type, String wiring, String legacy, Object config, String endpoint) throws Exception {
        AwsSettings moto = AwsSettings.local(URI.create(endpoint), "us-east-1", "test", "test");
        Method build;
        try {
            build = Class.forName(wiring).getMethod("aws", config.getClass(), AwsSettings.class);
        } catch (ClassNotFoundException e) {
            build = Class.forName("io.tarn.aws.AwsWiring").getMethod(legacy, config.getClass(), AwsSettings.class);
        }
        return type.cast(build.invoke(null, config, moto));
    }

    final void run(String function, String[] args) throws Exception {
        PrintStream answer = System.out;
        // The services log to System.out, as in Lambda; the answer line must stay alone there.
        System.setOut(System.err);
        Map<String, String> env = new LinkedHashMap<>();
        for (int i = 2; i < args.length; i++) {
            int at = args[i].indexOf('=');
            env.put(args[i].substring(0, at), args[i].substring(at + 1));
        }
        byte[] event = Files.readAllBytes(Path.of(args[1]));
        long start = System.nanoTime();
        RequestStreamHandler handler = handler(args[0], env);
        long initialised = System.nanoTime();
        ByteArrayOutputStream response = new ByteArrayOutputStream();
        String outcome;
        try {
            handler.handleRequest(new ByteArrayInputStream(event), response, new ProbeContext(function));
            outcome = response.toString(StandardCharsets.UTF_8);
        } catch (Exception e) {
            outcome = "error " + e;
        }
        long answered = System.nanoTime();
        String line = outcome.replace('\n', ' ');
        answer.println("answered " + ManagementFactory.getRuntimeMXBean().getUptime() + " "
                + (initialised - start) / 1_000_000 + " " + (answered - initialised) / 1_000_000 + " "
                + (line.length() > 160 ? line.substring(0, 160) : line));
    }
}
