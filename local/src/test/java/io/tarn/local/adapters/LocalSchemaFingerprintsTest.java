package io.tarn.local.adapters;

import io.tarn.state.SchemaFingerprints;
import io.tarn.state.SchemaFingerprintsContract;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** {@link LocalSchemaFingerprints} keeps the contract DynamoDB's adapter keeps: the local lake behaves as the deployed one. */
class LocalSchemaFingerprintsTest extends SchemaFingerprintsContract {

    @TempDir
    Path dir;

    @Override
    protected SchemaFingerprints open() {
        return new LocalSchemaFingerprints(dir);
    }
}
