package io.tarn.state;

/** The in-memory double keeps the contract the real adapters keep, so tests that use it stay honest. */
class InMemoryLedgerTest extends LedgerContract {

    private final InMemoryLedger store = new InMemoryLedger();

    @Override
    protected Ledger open() {
        return store;
    }
}
