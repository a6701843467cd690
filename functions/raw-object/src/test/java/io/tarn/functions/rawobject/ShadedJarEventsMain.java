package io.tarn.functions.rawobject;

import io.tarn.aws.AwsSettings;
import io.tarn.embedded.LambdaJar;
import io.tarn.ingest.RawObjectConfig;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;

/**
 * Runs in a JVM of its own with only the shaded Lambda jar and this class's folder on the class
 * path (see {@link ShadedJarIT}) and hands each event file to the handler with its production
 * wiring against moto: the events library's serializer loads the event classes (and Joda's
 * DateTime) by name from the function's class loader, so only the jar itself shows they are there.
 * Prints the response to each event, one per line.
 *
 * <p>Arguments: the endpoint, the staging bucket, the state table, the Glue database, the
 * function's /tmp, then the event files.
 */
public final class ShadedJarEventsMain {

    private ShadedJarEventsMain() {}

    public static void main(String[] args) throws Exception {
        PrintStream answers = LambdaJar.answers();
        RawObjectConfig config = RawObjectConfig.fromEnv(Map.of(RawObjectConfig.AWS_REGION, "us-east-1",
                RawObjectConfig.STAGING_BUCKET, args[1], RawObjectConfig.STATE_TABLE, args[2],
                RawObjectConfig.GLUE_DATABASE, args[3], RawObjectConfig.TMPDIR, args[4]));
        RawObjectHandler handler = new RawObjectHandler(RawObjectWiring.aws(config,
                AwsSettings.local(URI.create(args[0]), "us-east-1", "test", "test")));
        for (int i = 5; i < args.length; i++) {
            answers.println(LambdaJar.invoke(handler, Path.of(args[i]), 900_000));
        }
    }
}
