package io.tarn.pipeline;

import java.util.List;
import java.util.Optional;

/**
 * The whole of pipeline.yaml: the datasets, validated (names unique, raw prefixes disjoint), and
 * the joined datasets built from them (sources declared, names distinct from the datasets').
 */
public record PipelineConfig(List<Dataset> datasets, List<JoinSpec> joins) {

    public PipelineConfig {
        datasets = List.copyOf(datasets);
        joins = List.copyOf(joins);
    }

    /** A pipeline without joins. */
    public PipelineConfig(List<Dataset> datasets) {
        this(datasets, List.of());
    }

    /** The dataset whose raw prefix the key is under; prefixes are disjoint, so at most one. */
    public Optional<Dataset> datasetForKey(String rawKey) {
        return datasets.stream().filter(d -> d.matches(rawKey)).findFirst();
    }

    public Optional<Dataset> dataset(String name) {
        return datasets.stream().filter(d -> d.name().equals(name)).findFirst();
    }

    public Optional<JoinSpec> join(String name) {
        return joins.stream().filter(j -> j.name().equals(name)).findFirst();
    }
}
