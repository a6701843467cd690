package io.tarn.embedded;

import static java.util.Objects.requireNonNull;

import io.tarn.aws.AwsSettings;
import java.io.IOException;
import java.net.BindException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;
import org.jclouds.filesystem.reference.FilesystemConstants;

/**
 * An S3-compatible server (S3Proxy) started in-process on 127.0.0.1, storing objects as plain
 * files under {@code <root>/<bucket>/<key>} through the jclouds {@code filesystem} provider.
 *
 * <p>Clients reach it with path-style addressing. With authorization on (the default) requests
 * must be signed with AWS Signature V4 using {@link #accessKey()} and {@link #secretKey()}; with
 * authorization off, any or no signature is accepted, which is what a rewriting proxy in front of
 * it (such as {@link FaultInjectingProxy}) needs, since it changes the signed Host header.
 */
public final class EmbeddedS3 implements AutoCloseable {

    public static final String ACCESS_KEY = "tarn-local-access-key";
    public static final String SECRET_KEY = "tarn-local-secret-key";
    /** The region clients should sign for; S3Proxy does not check it. */
    public static final String REGION = "us-east-1";

    private static final String HOST = "127.0.0.1";
    private static final long START_TIMEOUT_MILLIS = 10_000;

    private final Path root;
    private final boolean authorization;
    private final BlobStoreContext context;
    private final S3Proxy proxy;
    private final URI endpoint;

    private EmbeddedS3(Builder builder) {
        this.root = builder.root;
        this.authorization = builder.authorization;
        try {
            Files.createDirectories(root);
        } catch (IOException e) {
            throw new IllegalStateException("Cannot create the embedded S3 root folder " + root, e);
        }
        Properties properties = new Properties();
        properties.setProperty(FilesystemConstants.PROPERTY_BASEDIR, root.toAbsolutePath().toString());
        this.context = ContextBuilder.newBuilder("filesystem")
                .overrides(properties)
                .build(BlobStoreContext.class);
        this.proxy = S3Proxy.builder()
                .blobStore(context.getBlobStore())
                .endpoint(URI.create("http://%s:%d".formatted(HOST, builder.port)))
                .awsAuthentication(
                        authorization ? AuthenticationType.AWS_V4 : AuthenticationType.NONE, ACCESS_KEY, SECRET_KEY)
                // The AWS SDK sends headers (checksum modes, SDK telemetry) S3Proxy does not know.
                .ignoreUnknownHeaders(true)
                .build();
        try {
            start(builder.port);
        } catch (RuntimeException e) {
            stopQuietly(e);
            throw e;
        }
        this.endpoint = URI.create("http://%s:%d".formatted(HOST, proxy.getPort()));
    }

    /** A builder for a server rooted at {@code root}; the folder is created if missing. */
    public static Builder builder(Path root) {
        return new Builder(root);
    }

    /** Starts a server on a free port, with AWS V4 authorization. */
    public static EmbeddedS3 start(Path root) {
        return builder(root).start();
    }

    /** The base URI to give a client as its endpoint override. */
    public URI endpoint() {
        return endpoint;
    }

    public int port() {
        return endpoint.getPort();
    }

    public String accessKey() {
        return ACCESS_KEY;
    }

    public String secretKey() {
        return SECRET_KEY;
    }

    public String region() {
        return REGION;
    }

    /** How a client reaches this server: its endpoint, region and keys. */
    public AwsSettings settings() {
        return AwsSettings.local(endpoint(), region(), accessKey(), secretKey());
    }

    /** Whether requests must carry a valid V4 signature. */
    public boolean authorization() {
        return authorization;
    }

    public Path root() {
        return root;
    }

    /** The file that holds an object's bytes. */
    public Path fileOf(String bucket, String key) {
        return root.resolve(bucket).resolve(key);
    }

    /** Creates a bucket unless it exists already. */
    public void createBucket(String name) {
        requireNonNull(name, "name is null");
        context.getBlobStore().createContainerInLocation(null, name);
    }

    @Override
    public void close() {
        try {
            proxy.stop();
        } catch (Exception e) {
            throw new IllegalStateException("Cannot stop the embedded S3 server on " + endpoint, e);
        } finally {
            context.close();
        }
    }

    private void start(int port) {
        try {
            proxy.start();
        } catch (Exception e) {
            if (causedByBind(e)) {
                throw new IllegalStateException(
                        "Cannot start the embedded S3 server: port %d on %s is already in use".formatted(port, HOST), e);
            }
            throw new IllegalStateException("Cannot start the embedded S3 server on port " + port, e);
        }
        // S3Proxy starts Jetty and reports the state separately; wait for it like S3Proxy's own JUnit rule.
        long deadline = System.nanoTime() + START_TIMEOUT_MILLIS * 1_000_000;
        while (!"STARTED".equals(proxy.getState())) {
            if ("FAILED".equals(proxy.getState()) || System.nanoTime() > deadline) {
                throw new IllegalStateException(
                        "The embedded S3 server on port %d did not start: state %s".formatted(port, proxy.getState()));
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while starting the embedded S3 server", e);
            }
        }
    }

    private void stopQuietly(RuntimeException failure) {
        try {
            proxy.stop();
        } catch (Exception e) {
            failure.addSuppressed(e);
        } finally {
            context.close();
        }
    }

    private static boolean causedByBind(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof BindException) {
                return true;
            }
        }
        return false;
    }

    /** Options for an {@link EmbeddedS3}: port (0, the default, picks a free one) and authorization. */
    public static final class Builder {
        private final Path root;
        private int port;
        private boolean authorization = true;

        private Builder(Path root) {
            this.root = requireNonNull(root, "root is null");
        }

        /** The port to listen on; 0 picks a free one. */
        public Builder port(int port) {
            if (port < 0 || port > 65_535) {
                throw new IllegalArgumentException("port must be between 0 and 65535: " + port);
            }
            this.port = port;
            return this;
        }

        /** Turns signature checks off ({@code authorization none}), for use behind a rewriting proxy. */
        public Builder withoutAuthorization() {
            this.authorization = false;
            return this;
        }

        public EmbeddedS3 start() {
            return new EmbeddedS3(this);
        }
    }
}
