package io.tarn.local.adapters;

import static org.assertj.core.api.Assertions.assertThat;

import io.tarn.state.Watermarks;
import io.tarn.state.WatermarksContract;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link LocalWatermarks} keeps the contract DynamoDB's adapter keeps: the local lake behaves as the deployed one. */
class LocalWatermarksTest extends WatermarksContract {

    private static final Instant NOW = Instant.parse("2026-12-01T09:00:00Z");

    @TempDir
    Path dir;

    @Override
    protected Watermarks open() {
        return new LocalWatermarks(dir);
    }

    @Test
    void theLeaseIsReadAsHeldEvenAfterItExpiredUntilItIsReleased() {
        LocalWatermarks watermarks = new LocalWatermarks(dir);
        assertThat(watermarks.lease("accounts")).isEmpty();

        assertThat(watermarks.acquireLease("accounts", "poller-1", NOW, NOW.plusSeconds(900))).isTrue();
        assertThat(watermarks.lease("accounts")).contains(new LocalWatermarks.Lease("poller-1", NOW.plusSeconds(900)));
        // Taken over once expired: the new owner is what the file holds.
        assertThat(watermarks.acquireLease("accounts", "poller-2", NOW.plusSeconds(901), NOW.plusSeconds(1800))).isTrue();
        assertThat(watermarks.lease("accounts")).contains(new LocalWatermarks.Lease("poller-2", NOW.plusSeconds(1800)));

        watermarks.releaseLease("accounts", "poller-2");
        assertThat(watermarks.lease("accounts")).isEmpty();
        assertThat(watermarks.lease("invoices")).isEmpty();
    }
}
