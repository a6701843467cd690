import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.amazonaws.services.lambda.runtime.serialization.PojoSerializer;
import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;
import io.tarn.etl.trigger.EtlTriggerConfig;
import io.tarn.etl.trigger.EtlTriggerService;
import io.tarn.functions.etltrigger.EtlTriggerHandler;
import java.util.Map;

/** EtlTrigger is a handler of event types: the event decoded and the answer encoded as the Java runtime does. */
public final class EtlTriggerProbe extends Probe {

    @Override
    RequestStreamHandler handler(String endpoint, Map<String, String> env) throws Exception {
        EtlTriggerService service = wired(EtlTriggerService.class, "io.tarn.functions.etltrigger.EtlTriggerWiring",
                "etlTriggerService", EtlTriggerConfig.fromEnv(env), endpoint);
        EtlTriggerHandler handler = new EtlTriggerHandler(service);
        ClassLoader loader = EtlTriggerProbe.class.getClassLoader();
        PojoSerializer<SQSEvent> in = LambdaEventSerializers.serializerFor(SQSEvent.class, loader);
        PojoSerializer<SQSBatchResponse> out = LambdaEventSerializers.serializerFor(SQSBatchResponse.class, loader);
        return (input, output, context) -> out.toJson(handler.handleRequest(in.fromJson(input), context), output);
    }

    public static void main(String[] args) throws Exception {
        new EtlTriggerProbe().run("etl-trigger", args);
    }
}
