package io.tarn.jobs.etl;

import static org.assertj.core.api.Assertions.assertThat;

import io.tarn.partition.PartitionPaths;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.catalyst.catalog.ExternalCatalogUtils;
import org.junit.jupiter.api.Test;

/**
 * The join writes account folders with Spark's escaping, the RawObject conversion with
 * {@link PartitionPaths}: a tenant's prefix policy and the catalog need them to agree.
 */
class PartitionPathsAgreementTest {

    @Test
    void sparkAndTarnEscapeAccountIdsAlike() {
        List<String> values = new ArrayList<>(List.of("acme", "a/b", "../x", "a=b", "100%", "tab\there", "ünïcode", "a b",
                "x:y?z#w", "[a]{b}^c", "'q\"", "back\\slash", "del\u007F"));
        for (char c = 1; c < 128; c++) {
            values.add("k" + c);
        }

        for (String value : values) {
            assertThat(ExternalCatalogUtils.escapePathName(value)).as(value).isEqualTo(PartitionPaths.escape(value));
            assertThat(ExternalCatalogUtils.unescapePathName(PartitionPaths.escape(value))).as(value).isEqualTo(value);
        }
    }

    @Test
    void onlyNulIsEscapedDifferently() {
        // Spark leaves NUL as it is; Tarn escapes it (no file system takes it in a name). The
        // staging conversion writes such an account to %00; a join would fail to write it.
        assertThat(PartitionPaths.escape("a\u0000b")).isEqualTo("a%00b");
        assertThat(ExternalCatalogUtils.escapePathName("a\u0000b")).isEqualTo("a\u0000b");
    }
}
