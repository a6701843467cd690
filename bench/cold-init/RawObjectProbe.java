import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import io.tarn.functions.rawobject.RawObjectHandler;
import io.tarn.ingest.RawObjectConfig;
import io.tarn.ingest.RawObjectEventProcessor;
import java.util.Map;

public final class RawObjectProbe extends Probe {

    @Override
    RequestStreamHandler handler(String endpoint, Map<String, String> env) throws Exception {
        RawObjectEventProcessor service = wired(RawObjectEventProcessor.class,
                "io.tarn.functions.rawobject.RawObjectWiring", "rawObjectProcessor",
                RawObjectConfig.fromEnv(env), endpoint);
        return new RawObjectHandler(service);
    }

    public static void main(String[] args) throws Exception {
        new RawObjectProbe().run("raw-object", args);
    }
}
