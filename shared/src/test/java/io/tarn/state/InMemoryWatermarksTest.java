package io.tarn.state;

/** The in-memory double keeps the contract the real adapters keep, so tests that use it stay honest. */
class InMemoryWatermarksTest extends WatermarksContract {

    private Watermarks watermarks;

    @Override
    protected void createEmpty() {
        watermarks = new InMemoryWatermarks();
    }

    @Override
    protected Watermarks open() {
        return watermarks;
    }
}
