import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import io.tarn.aws.AwsSettings;
import io.tarn.functions.partitionrepair.PartitionRepairWiring;
import io.tarn.etl.PartitionRepairConfig;
import io.tarn.functions.partitionrepair.PartitionRepairHandler;
import java.net.URI;
import java.util.Map;

public final class PartitionRepairProbe extends Probe {

    @Override
    RequestStreamHandler handler(String endpoint, Map<String, String> env) {
        AwsSettings moto = AwsSettings.local(URI.create(endpoint), "us-east-1", "test", "test");
        return new PartitionRepairHandler(PartitionRepairWiring.aws(PartitionRepairConfig.fromEnv(env), moto)::repair);
    }

    public static void main(String[] args) throws Exception {
        new PartitionRepairProbe().run("partition-repair", args);
    }
}
