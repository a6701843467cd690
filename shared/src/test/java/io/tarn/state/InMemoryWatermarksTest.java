package io.tarn.state;

/** The in-memory double keeps the contract the real adapters keep, so tests that use it stay honest. */
class InMemoryWatermarksTest extends WatermarksContract {

    private final InMemoryWatermarks store = new InMemoryWatermarks();

    @Override
    protected Watermarks open() {
        return store;
    }
}
