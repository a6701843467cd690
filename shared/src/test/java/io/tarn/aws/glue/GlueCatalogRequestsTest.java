package io.tarn.aws.glue;

import static io.tarn.aws.glue.GlueCatalogTest.LOCATION;
import static io.tarn.aws.glue.GlueCatalogTest.ORDERS;
import static io.tarn.aws.glue.GlueCatalogTest.accounts;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tarn.catalog.CatalogException;
import io.tarn.catalog.Partition;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.glue.model.BatchCreatePartitionRequest;
import software.amazon.awssdk.services.glue.model.GetPartitionsRequest;
import software.amazon.awssdk.services.glue.model.PartitionInput;
import software.amazon.awssdk.services.glue.model.StorageDescriptor;

/**
 * {@link GlueCatalog}'s exact requests, on a fake client: moto accepts any number of partitions per
 * batch and answers GetPartitions in one page, so it cannot show batching or paging.
 */
class GlueCatalogRequestsTest {

    private final FakeGlueClient glue = new FakeGlueClient("lake", 100);
    private final GlueCatalog catalog = new GlueCatalog(glue, "lake");

    @BeforeEach
    void createTable() {
        catalog.ensureTable(ORDERS);
    }

    @Test
    void registers250PartitionsInBatchesOf100And100And50() {
        List<Partition> partitions = accounts(0, 250);

        assertThat(catalog.registerPartitions("orders", partitions)).isEqualTo(250);

        assertThat(glue.batchRequests).extracting(request -> request.partitionInputList().size())
                .containsExactly(100, 100, 50);
        assertThat(glue.batchRequests).extracting(BatchCreatePartitionRequest::databaseName).containsOnly("lake");
        assertThat(glue.batchRequests).extracting(BatchCreatePartitionRequest::tableName).containsOnly("orders");
        List<PartitionInput> sent = glue.batchRequests.stream()
                .flatMap(request -> request.partitionInputList().stream())
                .toList();
        assertThat(sent).extracting(PartitionInput::values)
                .containsExactlyElementsOf(partitions.stream().map(Partition::values).toList());
        StorageDescriptor tableStorage =
                glue.getTable(request -> request.databaseName("lake").name("orders")).table().storageDescriptor();
        assertThat(sent.get(249).storageDescriptor())
                .isEqualTo(tableStorage.toBuilder().location(LOCATION + "account_id=acct-249/").build());
    }

    @Test
    void registersNothingAndCallsNothingForNoPartitions() {
        assertThat(catalog.registerPartitions("orders", List.of())).isZero();

        assertThat(glue.batchRequests).isEmpty();
    }

    @Test
    void alreadyExistingPartitionsCountAsRegisteredNotCreated() {
        catalog.registerPartitions("orders", accounts(90, 110));

        int created = catalog.registerPartitions("orders", accounts(0, 250));

        assertThat(created).isEqualTo(230);
        assertThat(glue.batchRequests).extracting(request -> request.partitionInputList().size())
                .containsExactly(20, 100, 100, 50);
    }

    @Test
    void anyOtherPartitionErrorFailsNamingTableValuesAndGlueError() {
        glue.refuse(List.of("acct-120"), "InvalidInputException", "Location is not a valid S3 path");
        catalog.registerPartitions("orders", accounts(0, 1));

        assertThatThrownBy(() -> catalog.registerPartitions("orders", accounts(0, 250)))
                .isInstanceOf(CatalogException.class)
                .hasMessage("Glue refused partitions of lake.orders: "
                        + "[acct-120]: InvalidInputException (Location is not a valid S3 path)");
        // The first batch stays registered; the failing batch stops the call before the third.
        assertThat(glue.batchRequests).hasSize(3);
    }

    @Test
    void listsPartitionsAcrossPages() {
        catalog.registerPartitions("orders", accounts(0, 250));

        List<Partition> listed = catalog.partitions("orders");

        assertThat(listed).containsExactlyElementsOf(accounts(0, 250));
        assertThat(glue.pageRequests).extracting(GetPartitionsRequest::nextToken)
                .containsExactly(null, "100", "200");
        assertThat(glue.pageRequests).extracting(GetPartitionsRequest::excludeColumnSchema).containsOnly(true);
    }
}
