package io.tarn.local.adapters;

import io.tarn.state.Watermarks;
import io.tarn.state.WatermarksContract;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** {@link LocalWatermarks} keeps the contract DynamoDB's adapter keeps: the local lake behaves as the deployed one. */
class LocalWatermarksTest extends WatermarksContract {

    @TempDir
    Path dir;

    @Override
    protected Watermarks open() {
        return new LocalWatermarks(dir);
    }
}
