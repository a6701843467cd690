package io.tarn.current;

import static org.assertj.core.api.Assertions.assertThat;

import io.tarn.pipeline.PipelineConfig;
import io.tarn.pipeline.PipelineLoader;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ChangeOrderTest {

    private static final PipelineConfig PIPELINE = PipelineLoader.load(Path.of("../pipeline.yaml"));

    @Test
    void dmsChangesWithAChangeSequenceAreOrderedByItFirst() {
        assertThat(ChangeOrder.of(PIPELINE.dataset("orders").orElseThrow()).terms()).containsExactly(
                new ChangeOrder.Term("_change_seq", true, true),
                new ChangeOrder.Term("_commit_ts", true),
                new ChangeOrder.Term("_source_key", false),
                new ChangeOrder.Term("_source_line", false));
    }

    @Test
    void dmsChangesWithoutOneAreOrderedByCommitTimeThenObjectThenLine() {
        assertThat(ChangeOrder.of(PIPELINE.dataset("events").orElseThrow()).terms()).containsExactly(
                new ChangeOrder.Term("_commit_ts", true),
                new ChangeOrder.Term("_source_key", false),
                new ChangeOrder.Term("_source_line", false));
    }

    @Test
    void azureSqlPagesAreOrderedByWhenTheyLandedBeforeTheirNames() {
        assertThat(ChangeOrder.of(PIPELINE.dataset("accounts").orElseThrow()).columns())
                .containsExactly("_commit_ts", "_ingested_at", "_source_key", "_source_line");
    }
}
