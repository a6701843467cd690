package io.tarn.state;

/** The in-memory double keeps the contract the real adapters keep, so tests that use it stay honest. */
class InMemorySchemaFingerprintsTest extends SchemaFingerprintsContract {

    private final InMemorySchemaFingerprints store = new InMemorySchemaFingerprints();

    @Override
    protected SchemaFingerprints open() {
        return store;
    }
}
