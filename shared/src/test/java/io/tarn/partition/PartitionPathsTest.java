package io.tarn.partition;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PartitionPathsTest {

    @ParameterizedTest
    @ValueSource(strings = {"../x", "a/b", "%2F", "..", "a=b", "x\ny", "/", "acme", "ünïcødé", "a b+c", "'; DROP TABLE x;--"})
    void hostileValuesStayInOneSegmentAndRoundTrip(String account) {
        PartitionKey key = new PartitionKey(account, Optional.of("2024-06-01"));

        String path = key.path();

        List<String> segments = List.of(path.split("/"));
        assertThat(segments).hasSize(2);
        assertThat(segments.get(0)).startsWith("account_id=");
        assertThat(segments.get(1)).isEqualTo("dt=2024-06-01");
        assertThat(segments.get(0)).doesNotContain("\n");
        assertThat(PartitionPaths.unescape(segments.get(0).substring("account_id=".length()))).isEqualTo(account);
    }

    @ParameterizedTest
    @ValueSource(strings = {"../x", "a/b", "%2F"})
    void escapesLikeHive(String value) {
        assertThat(PartitionPaths.escape("../x")).isEqualTo("..%2Fx");
        assertThat(PartitionPaths.escape("a/b")).isEqualTo("a%2Fb");
        assertThat(PartitionPaths.escape("%2F")).isEqualTo("%252F");
        assertThat(PartitionPaths.escape("a:b=c")).isEqualTo("a%3Ab%3Dc");
        assertThat(PartitionPaths.escape(value)).doesNotContain("/");
    }
}
