package io.tarn.embedded;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The embedded S3 server as a process of its own: {@code EmbeddedS3Main ROOT [PORT]}. Prints
 * {@code endpoint <uri>} once listening and stops when its standard input closes, so a parent
 * (a benchmark measuring its own heap, say) can run S3 beside it as it runs beside a Lambda.
 */
public final class EmbeddedS3Main {

    private EmbeddedS3Main() {}

    public static void main(String[] args) throws IOException {
        if (args.length < 1 || args.length > 2) {
            System.err.println("usage: EmbeddedS3Main ROOT [PORT]");
            System.exit(2);
        }
        int port = args.length == 2 ? Integer.parseInt(args[1]) : 0;
        try (EmbeddedS3 server = EmbeddedS3.builder(Path.of(args[0])).port(port).start()) {
            System.out.println("endpoint " + server.endpoint());
            System.out.flush();
            while (System.in.read() >= 0) {
                // Runs until the parent closes our standard input (or dies).
            }
        }
    }
}
