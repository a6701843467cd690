import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import io.tarn.aws.AwsSettings;
import io.tarn.functions.rawobject.RawObjectWiring;
import io.tarn.functions.rawobject.RawObjectHandler;
import io.tarn.ingest.RawObjectConfig;
import java.net.URI;
import java.util.Map;

public final class RawObjectProbe extends Probe {

    @Override
    RequestStreamHandler handler(String endpoint, Map<String, String> env) {
        AwsSettings moto = AwsSettings.local(URI.create(endpoint), "us-east-1", "test", "test");
        return new RawObjectHandler(RawObjectWiring.aws(RawObjectConfig.fromEnv(env), moto));
    }

    public static void main(String[] args) throws Exception {
        new RawObjectProbe().run("raw-object", args);
    }
}
