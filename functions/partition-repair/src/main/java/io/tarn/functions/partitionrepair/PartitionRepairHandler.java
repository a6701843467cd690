package io.tarn.functions.partitionrepair;

import static java.util.Objects.requireNonNull;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tarn.etl.EtlEvents;
import io.tarn.etl.PartitionRepairConfig;
import io.tarn.etl.PartitionRepairReport;
import io.tarn.etl.PartitionRepairRequest;
import io.tarn.events.InvalidEventException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.function.Function;

/**
 * PartitionRepair, a step of the ETL state machine: {@code {"runId": "...", "tables": [...]}} in,
 * the {@link PartitionRepairReport} out.
 */
public final class PartitionRepairHandler implements RequestStreamHandler {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Function<PartitionRepairRequest, PartitionRepairReport> service;

    /** Lambda's constructor: real AWS clients, built once per container. */
    public PartitionRepairHandler() {
        this(PartitionRepairWiring.aws(PartitionRepairConfig.fromEnv(System.getenv()))::repair);
    }

    public PartitionRepairHandler(Function<PartitionRepairRequest, PartitionRepairReport> service) {
        this.service = requireNonNull(service, "service is null");
    }

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        PartitionRepairRequest request;
        try {
            request = EtlEvents.partitionRepair(input);
        } catch (InvalidEventException e) {
            throw new IllegalArgumentException("PartitionRepair cannot handle this event: " + e.getMessage(), e);
        }
        JSON.writeValue(output, service.apply(request));
    }
}
