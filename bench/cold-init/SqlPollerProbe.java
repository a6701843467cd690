import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import io.tarn.aws.AwsSettings;
import io.tarn.functions.sqlpoller.SqlPollerWiring;
import io.tarn.functions.sqlpoller.SqlPollerHandler;
import io.tarn.poll.SqlPollerConfig;
import java.net.URI;
import java.util.Map;

public final class SqlPollerProbe extends Probe {

    @Override
    RequestStreamHandler handler(String endpoint, Map<String, String> env) {
        AwsSettings moto = AwsSettings.local(URI.create(endpoint), "us-east-1", "test", "test");
        return new SqlPollerHandler(SqlPollerWiring.aws(SqlPollerConfig.fromEnv(env), moto)::poll);
    }

    public static void main(String[] args) throws Exception {
        new SqlPollerProbe().run("sql-poller", args);
    }
}
