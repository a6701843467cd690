package io.tarn.state;

/** The in-memory double keeps the contract the real adapters keep, so tests that use it stay honest. */
class InMemoryLedgerTest extends LedgerContract {

    private Ledger ledger;

    @Override
    protected void createEmpty() {
        ledger = new InMemoryLedger();
    }

    @Override
    protected Ledger open() {
        return ledger;
    }
}
