package io.tarn.local.adapters;

import io.tarn.state.Ledger;
import io.tarn.state.LedgerContract;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** {@link LocalLedger} keeps the contract DynamoDB's adapter keeps: the local lake behaves as the deployed one. */
class LocalLedgerTest extends LedgerContract {

    @TempDir
    Path dir;

    @Override
    protected Ledger open() {
        return new LocalLedger(dir);
    }
}
