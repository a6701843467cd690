package io.tarn.state;

/** The in-memory double keeps the contract the real adapters keep, so tests that use it stay honest. */
class InMemorySchemaFingerprintsTest extends SchemaFingerprintsContract {

    private SchemaFingerprints fingerprints;

    @Override
    protected void createEmpty() {
        fingerprints = new InMemorySchemaFingerprints();
    }

    @Override
    protected SchemaFingerprints open() {
        return fingerprints;
    }
}
