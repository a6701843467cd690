package io.tarn.embedded;

import static java.util.Objects.requireNonNull;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A function's shaded jar, as Lambda gets it: what it carries, and a class run in a JVM of its own
 * whose class path is that jar, the module's test classes and this harness only, so that a class
 * the jar lacks fails there as it would in Lambda.
 */
public final class LambdaJar {

    /** The system property a function module's failsafe configuration sets to its shaded jar. */
    public static final String JAR_PROPERTY = "tarn.lambdaJar";

    /** The system property a function module's failsafe configuration sets to its test classes. */
    public static final String TEST_CLASSES_PROPERTY = "tarn.testClasses";

    /**
     * Packages no function jar may carry: Hadoop and Spark (cold start, size), the test libraries
     * and the local stand-ins, and the HTTP clients the functions do not use.
     */
    public static final List<String> NEVER_IN_A_FUNCTION = List.of("org/apache/hadoop/", "org/apache/spark/",
            "org/junit/", "org/assertj/", "io/tarn/embedded/", "org/gaul/", "org/duckdb/", "org/h2/",
            "software/amazon/awssdk/http/apache/", "io/netty/");

    /**
     * The Parquet side of the data plane (parquet-java, Avro, the JTS it loads, the codecs): only
     * the functions that write Parquet carry it.
     */
    public static final List<String> PARQUET_WRITING = List.of("org/apache/parquet/", "org/apache/avro/",
            "org/locationtech/jts/", "com/github/luben/", "org/xerial/snappy/");

    /** A class of Hadoop and one of Spark, for {@link #exitIfLoadable}: no function may load them. */
    public static final List<String> HADOOP_AND_SPARK_CLASSES = List.of("org.apache.hadoop.conf.Configuration",
            "org.apache.spark.SparkContext");

    /**
     * A class of parquet-java and one of Avro, for {@link #exitIfLoadable}: only the functions that
     * write Parquet may load them.
     */
    public static final List<String> PARQUET_WRITING_CLASSES = List.of("org.apache.parquet.io.OutputFile",
            "org.apache.avro.Schema");

    /**
     * SDK classes a synchronous function never loads, which every function's shade step strips:
     * async clients and their builders, async paginators (publishers) and async waiters.
     */
    private static final Pattern ASYNC_SDK_CLASS = Pattern.compile(
            "software/amazon/awssdk/services/[^/]+/([^/]*AsyncClient[^/]*|paginators/[^/]*Publisher[^/]*|waiters/[^/]*AsyncWaiter[^/]*)\\.class");
    private static final Pattern SERVICE_MODULE = Pattern.compile("software/amazon/awssdk/services/([^/]+)/.+");

    /**
     * What a child JVM printed and how it ended, and the requests it sent through a recording proxy
     * ({@link #runThroughProxy}; none otherwise).
     */
    public record Run(int exitCode, List<String> stdout, String stderr, List<FaultInjectingProxy.Request> requests) {
        public Run {
            stdout = List.copyOf(stdout);
            requests = List.copyOf(requests);
        }

        /** The targets of the JSON protocol requests ({@code AWSGlue.GetTable}), in order; S3's have none. */
        public List<String> targets() {
            return requests.stream().map(FaultInjectingProxy.Request::target).filter(Objects::nonNull).toList();
        }
    }

    private LambdaJar() {}

    /**
     * A function module's shaded jar: the one its failsafe configuration names, or, when the IT
     * runs without it (from an IDE, in the module's folder), the one {@code package} writes there.
     */
    public static Path built(String artifactId) {
        requireNonNull(artifactId, "artifactId is null");
        return Path.of(System.getProperty(JAR_PROPERTY, "target/" + artifactId + "-0.1.0-SNAPSHOT-lambda.jar"));
    }

    /** The names of the jar's entries. */
    public static List<String> entries(Path jar) throws IOException {
        long size = Files.size(jar);
        System.out.printf("Lambda jar %s: %,d bytes (%.1f MiB)%n", jar.getFileName(), size, size / 1048576.0);
        return names(jar);
    }

    /**
     * What no function jar may have, one line per fault naming its kind: an entry under {@link
     * #NEVER_IN_A_FUNCTION}, an {@link #asyncSdkClasses async SDK class}, and, for each SDK service
     * module the jar carries, what the shade step stripped but the jar still needs ({@link
     * #strippingFaults}). Empty for a sound jar.
     */
    public static List<String> functionJarFaults(Path jar) throws IOException {
        List<String> entries = names(jar);
        List<String> faults = new ArrayList<>();
        under(entries, NEVER_IN_A_FUNCTION).forEach(entry -> faults.add("never in a function: " + entry));
        asyncSdkClasses(entries).forEach(entry -> faults.add("async SDK class: " + entry));
        faults.addAll(strippingFaults(jar, serviceModules(entries)));
        return faults;
    }

    private static List<String> names(Path jar) throws IOException {
        try (JarFile file = new JarFile(jar.toFile())) {
            return file.stream().map(JarEntry::getName).toList();
        }
    }

    /** The entries under any of the prefixes. */
    public static List<String> under(List<String> entries, List<String> prefixes) {
        return entries.stream().filter(name -> prefixes.stream().anyMatch(name::startsWith)).toList();
    }

    /** The SDK service modules the jar carries, by the package under {@code software/amazon/awssdk/services/}, sorted. */
    public static List<String> serviceModules(List<String> entries) {
        return entries.stream().map(SERVICE_MODULE::matcher).filter(Matcher::matches).map(m -> m.group(1))
                .distinct().sorted().toList();
    }

    /**
     * The event types of {@code aws-lambda-java-events} the jar carries: its top-level classes, by
     * their path under {@code com/amazonaws/services/lambda/runtime/events/}, sorted.
     */
    public static List<String> eventTypes(List<String> entries) {
        String events = "com/amazonaws/services/lambda/runtime/events/";
        return entries.stream().filter(name -> name.startsWith(events) && name.endsWith(".class"))
                .map(name -> name.substring(events.length(), name.length() - ".class".length()).split("\\$")[0])
                .distinct().sorted().toList();
    }

    /** The entries that are async SDK classes, which a function's shade step should have stripped. */
    public static List<String> asyncSdkClasses(List<String> entries) {
        return entries.stream().filter(name -> ASYNC_SDK_CLASS.matcher(name).matches()).toList();
    }

    /**
     * Runs {@code main} with {@code args} in a child JVM whose class path is the jar, the module's
     * test classes (as its failsafe configuration names them) and this harness (for {@link
     * LambdaContext}; the jar brings the Context interface). Waits two minutes at most.
     */
    public static Run run(Path jar, Class<?> main, Path temp, String... args) throws IOException, InterruptedException {
        requireNonNull(main, "main is null");
        Path testClasses = Path.of(System.getProperty(TEST_CLASSES_PROPERTY, "target/test-classes"));
        Path stdout = Files.createTempFile(temp, "stdout", ".txt");
        Path stderr = Files.createTempFile(temp, "stderr", ".log");
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                jar.toAbsolutePath() + File.pathSeparator + testClasses.toAbsolutePath() + File.pathSeparator + harness(),
                main.getName()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command)
                .redirectOutput(stdout.toFile())
                .redirectError(stderr.toFile())
                .start();
        if (!process.waitFor(2, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new IllegalStateException(main.getSimpleName() + " did not finish in two minutes");
        }
        return new Run(process.exitValue(), Files.readAllLines(stdout, StandardCharsets.UTF_8),
                Files.readString(stderr, StandardCharsets.UTF_8), List.of());
    }

    /**
     * Runs {@code main} as {@link #run} does, with a recording proxy in front of {@code endpoint}
     * whose own endpoint is the child's first argument, before {@code args}: the run carries the
     * requests the child sent.
     */
    public static Run runThroughProxy(URI endpoint, Path jar, Class<?> main, Path temp, String... args)
            throws IOException, InterruptedException {
        try (FaultInjectingProxy proxy = FaultInjectingProxy.start(endpoint)) {
            List<String> withProxy = new ArrayList<>(List.of(proxy.endpoint().toString()));
            withProxy.addAll(List.of(args));
            Run run = run(jar, main, temp, withProxy.toArray(String[]::new));
            return new Run(run.exitCode(), run.stdout(), run.stderr(), proxy.requests());
        }
    }

    /**
     * In the child JVM: exits with status 3, naming the class on standard error, when any of these
     * classes can be loaded, that is when the jar carries what it must not.
     */
    @SafeVarargs
    public static void exitIfLoadable(List<String>... classNames) {
        for (String name : Stream.of(classNames).flatMap(List::stream).toList()) {
            try {
                Class.forName(name);
                System.err.println(name + " is on the class path");
                System.exit(3);
            } catch (ClassNotFoundException expected) {
                // Kept out of the function jar.
            }
        }
    }

    /**
     * The operations of an SDK service that Tarn's classes in the jar name (by their request
     * classes, as any call does) but whose request marshaller the shade step stripped: a call of
     * one of them would fail in Lambda. Empty when the shade step keeps every operation Tarn calls.
     *
     * @param service the package under {@code software/amazon/awssdk/services/}, e.g. {@code glue}
     */
    public static List<String> strippedOperationsTarnCalls(Path jar, String service) throws IOException {
        requireNonNull(service, "service is null");
        String prefix = "software/amazon/awssdk/services/" + service + "/";
        Pattern request = Pattern.compile(Pattern.quote(prefix + "model/") + "(\\w+)Request\\b");
        List<String> missing = new ArrayList<>();
        try (JarFile file = new JarFile(jar.toFile())) {
            java.util.Set<String> named = new java.util.TreeSet<>();
            for (JarEntry entry : java.util.Collections.list(file.entries())) {
                if (entry.getName().startsWith("io/tarn/") && entry.getName().endsWith(".class")) {
                    // Class names are plain ASCII in the constant pool.
                    String bytes = new String(file.getInputStream(entry).readAllBytes(), StandardCharsets.ISO_8859_1);
                    Matcher matcher = request.matcher(bytes);
                    while (matcher.find()) {
                        named.add(matcher.group(1));
                    }
                }
            }
            for (String operation : named) {
                boolean base = operation.equalsIgnoreCase(service);
                if (!base && file.getEntry(prefix + "transform/" + operation + "RequestMarshaller.class") == null) {
                    missing.add(operation);
                }
            }
        }
        return missing;
    }

    /**
     * The classes of an SDK service module that a class of it in the jar names (in its constant
     * pool: the classes it uses and the types of its fields and methods) but the jar lacks, as
     * {@code "referrer -> missing"}, sorted: what the shade step stripped but some code path needs.
     * {@link #loadSdkClasses} shows that every kept class links; this shows that none names a
     * class that is gone, whether or not a test reaches the code that uses it. Three kinds of
     * reference may miss: those of the client interface, the default client and the delegating
     * client (they name every operation), those of the top-level class of a request whose builder
     * was stripped (loaded, never initialized, see {@link #loadSdkClasses}), and those to the async
     * classes every function's shade step strips.
     *
     * @param service the package under {@code software/amazon/awssdk/services/}, e.g. {@code s3}
     */
    public static List<String> missingSdkClasses(Path jar, String service) throws IOException {
        requireNonNull(service, "service is null");
        String prefix = "software/amazon/awssdk/services/" + service + "/";
        // A class name alone, or a type in a descriptor or signature; a resource path has a dot.
        Pattern named = Pattern.compile("(?:^|\\[|L)(" + Pattern.quote(prefix) + "[^;<>\\[.]+)(?:;|<|$)");
        java.util.Set<String> missing = new java.util.TreeSet<>();
        try (JarFile file = new JarFile(jar.toFile())) {
            java.util.Set<String> present = new java.util.HashSet<>();
            file.stream().map(JarEntry::getName).filter(n -> n.startsWith(prefix) && n.endsWith(".class"))
                    .forEach(present::add);
            for (String entry : present) {
                String local = entry.substring(prefix.length(), entry.length() - ".class".length());
                boolean client = local.matches("(Default|Delegating)?[A-Za-z0-9]+Client") && !local.contains("Async");
                boolean stub = local.startsWith("model/") && local.endsWith("Request") && !local.contains("$")
                        && !present.contains(entry.replace(".class", "$BuilderImpl.class"));
                if (client || stub) {
                    continue;
                }
                for (String name : constantPoolStrings(file.getInputStream(file.getEntry(entry)).readAllBytes())) {
                    Matcher matcher = named.matcher(name);
                    while (matcher.find()) {
                        String target = matcher.group(1) + ".class";
                        if (!present.contains(target) && !ASYNC_SDK_CLASS.matcher(target).matches()) {
                            String gone = target.substring(prefix.length(), target.length() - ".class".length());
                            missing.add(local + " -> " + gone);
                        }
                    }
                }
            }
        }
        return List.copyOf(missing);
    }

    /** The UTF-8 entries of a class file's constant pool: class names, descriptors, signatures, strings. */
    private static List<String> constantPoolStrings(byte[] classFile) throws IOException {
        java.io.DataInputStream in = new java.io.DataInputStream(new ByteArrayInputStream(classFile));
        in.skipBytes(8); // magic, minor and major version
        int count = in.readUnsignedShort();
        List<String> strings = new ArrayList<>();
        for (int i = 1; i < count; i++) {
            int tag = in.readUnsignedByte();
            switch (tag) {
                case 1 -> strings.add(in.readUTF());
                case 7, 8, 16, 19, 20 -> in.skipBytes(2);
                case 15 -> in.skipBytes(3);
                case 3, 4, 9, 10, 11, 12, 17, 18 -> in.skipBytes(4);
                case 5, 6 -> {
                    in.skipBytes(8);
                    i++; // a long or double takes two entries
                }
                default -> throw new IOException("Unknown constant pool tag " + tag);
            }
        }
        return strings;
    }

    /**
     * In the child JVM: loads every class of an SDK service module that the jar carries, as the
     * JVM would when the function uses it, to show that what the shade step stripped is never
     * needed. Each class is initialized (loaded, linked, verified, its static initializer run),
     * which loads every class its fields, method signatures and static initializer need, and fails
     * if one is missing. The exception: the top-level class of a request whose builder was
     * stripped (an operation the function never calls) is only loaded, as the verifier does when
     * it links the default client; initializing it would run its field table, which names the
     * stripped model.
     *
     * @param service the package under {@code software/amazon/awssdk/services/}, e.g. {@code glue}
     * @return one line per class that failed, with its error; empty when all loaded
     */
    public static List<String> loadSdkClasses(Path jar, String service) throws IOException {
        requireNonNull(service, "service is null");
        String prefix = "software/amazon/awssdk/services/" + service + "/";
        List<String> entries = new ArrayList<>();
        try (JarFile file = new JarFile(jar.toFile())) {
            file.stream().map(JarEntry::getName).filter(n -> n.startsWith(prefix) && n.endsWith(".class"))
                    .forEach(entries::add);
        }
        List<String> failures = new ArrayList<>();
        int initialized = 0;
        int loadedOnly = 0;
        for (String entry : entries) {
            String name = entry.substring(0, entry.length() - ".class".length()).replace('/', '.');
            boolean stub = entry.startsWith(prefix + "model/") && entry.endsWith("Request.class") && !entry.contains("$")
                    && !entries.contains(entry.replace(".class", "$BuilderImpl.class"));
            try {
                Class.forName(name, !stub, LambdaJar.class.getClassLoader());
                if (stub) {
                    loadedOnly++;
                } else {
                    initialized++;
                }
            } catch (ClassNotFoundException | LinkageError e) {
                failures.add(name + ": " + e);
            }
        }
        System.err.printf("%s: %d classes initialized, %d request classes loaded only, %d failed%n",
                service, initialized, loadedOnly, failures.size());
        return failures;
    }

    /**
     * In the child JVM: {@code "<service> classes: all load"}, or after the colon the classes of the
     * service in the jar that failed to load ({@link #loadSdkClasses}), for the parent to assert.
     */
    public static String sdkClassesLoad(Path jar, String service) throws IOException {
        List<String> failures = loadSdkClasses(jar, service);
        return service + " classes: " + (failures.isEmpty() ? "all load" : String.join("; ", failures));
    }

    /**
     * What the shade step stripped from each of the services that the jar still needs: the
     * operations Tarn's classes call whose marshaller is gone ({@link #strippedOperationsTarnCalls})
     * and the classes a kept class names that are gone ({@link #missingSdkClasses}), each line
     * naming its service. Empty when every service keeps what it needs.
     */
    public static List<String> strippingFaults(Path jar, List<String> services) throws IOException {
        List<String> faults = new ArrayList<>();
        for (String service : services) {
            strippedOperationsTarnCalls(jar, service).forEach(operation ->
                    faults.add(service + ": operation " + operation + " is called but its marshaller was stripped"));
            missingSdkClasses(jar, service).forEach(reference ->
                    faults.add(service + ": " + reference + " (named but stripped)"));
        }
        return faults;
    }

    /**
     * In the child JVM: {@link #sdkClassesLoad} for each of the services, in the jar that holds
     * {@code inJar} (one of the function's own classes).
     */
    public static List<String> sdkClassesLoad(Class<?> inJar, List<String> services) throws IOException {
        Path jar = location(inJar);
        List<String> lines = new ArrayList<>();
        for (String service : services) {
            lines.add(sdkClassesLoad(jar, service));
        }
        return lines;
    }

    /**
     * In the child JVM: the standard output, for the answers the parent reads; {@code System.out}
     * goes to standard error from here on, since the function logs JSON lines to standard output,
     * as in Lambda, and they would mix with the answers.
     */
    public static PrintStream answers() {
        PrintStream answers = System.out;
        System.setOut(System.err);
        return answers;
    }

    /** In the child JVM: the handler's response to an event file, with {@code remainingMillis} of the invocation left. */
    public static String invoke(RequestStreamHandler handler, Path event, int remainingMillis) throws IOException {
        ByteArrayOutputStream response = new ByteArrayOutputStream();
        handler.handleRequest(new ByteArrayInputStream(Files.readAllBytes(event)), response,
                LambdaContext.withRemaining(() -> remainingMillis));
        return response.toString(StandardCharsets.UTF_8);
    }

    private static Path harness() {
        return location(LambdaJar.class);
    }

    /** The jar or folder a class was loaded from. */
    private static Path location(Class<?> loaded) {
        try {
            return Path.of(loaded.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException("The location of " + loaded.getName() + " is a file URI", e);
        }
    }
}
