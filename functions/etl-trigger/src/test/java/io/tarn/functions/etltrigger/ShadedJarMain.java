package io.tarn.functions.etltrigger;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;
import io.tarn.aws.AwsSettings;
import io.tarn.embedded.LambdaContext;
import io.tarn.embedded.LambdaJar;
import io.tarn.etl.trigger.EtlTriggerConfig;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Runs in a JVM of its own with only the shaded Lambda jar and this class's folder on the class
 * path (see {@link ShadedJarIT}): decodes the event file into an {@link SQSEvent} as Lambda's Java
 * runtime does for a POJO handler, runs the handler with its production wiring against the
 * Step Functions endpoint given (moto), and prints the response as the runtime would send it, then
 * whether every Step Functions class in the jar loads ({@link LambdaJar#loadSdkClasses}).
 * Exits 3 when a Hadoop, Spark, Parquet or S3 class is on the class path.
 *
 * <p>Arguments: the event file, the endpoint, the state machine's ARN.
 */
public final class ShadedJarMain {

    private ShadedJarMain() {}

    public static void main(String[] args) throws Exception {
        LambdaJar.exitIfLoadable(LambdaJar.HADOOP_AND_SPARK_CLASSES, LambdaJar.PARQUET_WRITING_CLASSES,
                List.of("software.amazon.awssdk.services.s3.S3Client", "software.amazon.awssdk.services.glue.GlueClient"));
        AwsSettings moto = AwsSettings.local(URI.create(args[1]), "us-east-1", "test", "test");
        EtlTriggerHandler handler = new EtlTriggerHandler(EtlTriggerWiring.aws(EtlTriggerConfig.fromEnv(Map.of(
                EtlTriggerConfig.AWS_REGION, "us-east-1", EtlTriggerConfig.STATE_MACHINE_ARN, args[2])), moto));
        ClassLoader loader = ShadedJarMain.class.getClassLoader();
        SQSEvent event;
        try (InputStream in = Files.newInputStream(Path.of(args[0]))) {
            event = LambdaEventSerializers.serializerFor(SQSEvent.class, loader).fromJson(in);
        }
        SQSBatchResponse response = handler.handleRequest(event, LambdaContext.withRemaining(() -> 60_000));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        LambdaEventSerializers.serializerFor(SQSBatchResponse.class, loader).toJson(response, out);
        System.out.println(out.toString(StandardCharsets.UTF_8));

        // Every Step Functions class in the jar loads: what the shade step stripped is never needed.
        LambdaJar.sdkClassesLoad(EtlTriggerHandler.class, List.of("sfn")).forEach(System.out::println);
    }
}
