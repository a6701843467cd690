import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import io.tarn.functions.sqlpoller.SqlPollerHandler;
import io.tarn.poll.SqlPollerConfig;
import io.tarn.poll.SqlPollerService;
import java.util.Map;

public final class SqlPollerProbe extends Probe {

    @Override
    RequestStreamHandler handler(String endpoint, Map<String, String> env) throws Exception {
        SqlPollerService service = wired(SqlPollerService.class, "io.tarn.functions.sqlpoller.SqlPollerWiring",
                "sqlPollerService", SqlPollerConfig.fromEnv(env), endpoint);
        return new SqlPollerHandler(service::poll);
    }

    public static void main(String[] args) throws Exception {
        new SqlPollerProbe().run("sql-poller", args);
    }
}
