import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import io.tarn.etl.PartitionRepairConfig;
import io.tarn.etl.PartitionRepairService;
import io.tarn.functions.partitionrepair.PartitionRepairHandler;
import java.util.Map;

public final class PartitionRepairProbe extends Probe {

    @Override
    RequestStreamHandler handler(String endpoint, Map<String, String> env) throws Exception {
        PartitionRepairService service = wired(PartitionRepairService.class,
                "io.tarn.functions.partitionrepair.PartitionRepairWiring", "partitionRepairService",
                PartitionRepairConfig.fromEnv(env), endpoint);
        return new PartitionRepairHandler(service::repair);
    }

    public static void main(String[] args) throws Exception {
        new PartitionRepairProbe().run("partition-repair", args);
    }
}
