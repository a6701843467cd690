package io.tarn.functions.rawobject;

import io.tarn.aws.AwsSettings;
import io.tarn.embedded.LambdaJar;
import io.tarn.ingest.RawObjectConfig;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs in a JVM of its own with only the shaded Lambda jar and this class's folder on the class
 * path (see {@link ShadedJarIT}) and converts raw objects through the function's production
 * wiring, against the moto server (S3, DynamoDB, Glue) the IT reaches through a recording proxy:
 * the orders full load with the bundled pipeline.yaml (its Glue database does not exist yet), the
 * accounts sample likewise, then a later accounts page with a pipeline.yaml whose accounts gained
 * a column (UpdateTable). Prints the handler's response to each event, one per line, then whether
 * every Glue class in the jar loads ({@link LambdaJar#loadSdkClasses}). Exits 3 when Hadoop is on
 * the class path: the conversion has to run without it.
 *
 * <p>Arguments: the endpoint, the staging bucket, the state table, the Glue database, the
 * function's /tmp, the pipeline.yaml with the added column, then the three event files.
 */
public final class ShadedJarMain {

    private ShadedJarMain() {}

    public static void main(String[] args) throws Exception {
        LambdaJar.exitIfLoadable(LambdaJar.HADOOP_AND_SPARK_CLASSES);
        PrintStream answers = LambdaJar.answers();
        AwsSettings moto = AwsSettings.local(URI.create(args[0]), "us-east-1", "test", "test");
        Map<String, String> env = new HashMap<>(Map.of(
                RawObjectConfig.AWS_REGION, "us-east-1", RawObjectConfig.STAGING_BUCKET, args[1],
                RawObjectConfig.STATE_TABLE, args[2], RawObjectConfig.GLUE_DATABASE, args[3],
                RawObjectConfig.TMPDIR, args[4], RawObjectConfig.PARQUET_CODEC, "zstd"));
        RawObjectHandler bundled = new RawObjectHandler(RawObjectWiring.aws(RawObjectConfig.fromEnv(env), moto));
        env.put(RawObjectConfig.PIPELINE_CONFIG, args[5]);
        RawObjectHandler changed = new RawObjectHandler(RawObjectWiring.aws(RawObjectConfig.fromEnv(env), moto));

        answers.println(LambdaJar.invoke(bundled, Path.of(args[6]), 900_000));
        answers.println(LambdaJar.invoke(bundled, Path.of(args[7]), 900_000));
        answers.println(LambdaJar.invoke(changed, Path.of(args[8]), 900_000));

        // Every class of the stripped SDK modules loads: what was stripped is never needed.
        LambdaJar.sdkClassesLoad(RawObjectHandler.class, List.of("glue")).forEach(answers::println);
    }

}
