package io.tarn.pipeline;

import java.util.List;
import java.util.Optional;

/** The whole of pipeline.yaml: the datasets, validated (names unique, raw prefixes disjoint). */
public record PipelineConfig(List<Dataset> datasets) {

    public PipelineConfig {
        datasets = List.copyOf(datasets);
    }

    /** The dataset whose raw prefix the key is under; prefixes are disjoint, so at most one. */
    public Optional<Dataset> datasetForKey(String rawKey) {
        return datasets.stream().filter(d -> d.matches(rawKey)).findFirst();
    }

    public Optional<Dataset> dataset(String name) {
        return datasets.stream().filter(d -> d.name().equals(name)).findFirst();
    }
}
