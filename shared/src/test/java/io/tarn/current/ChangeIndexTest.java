package io.tarn.current;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class ChangeIndexTest {

    @Test
    void anEntryIsFiledUnderItsDayAndHourAndNamedByItsTime() {
        Instant at = Instant.parse("2024-06-01T13:05:07.123Z");

        String key = ChangeIndex.key("orders", at, "8334b0cda0de3aaadb2b78f0434e4b5e");

        assertThat(key).isEqualTo("changes/orders/2024-06-01/13/20240601T130507.123Z-8334b0cda0de3aaadb2b78f0434e4b5e.json");
        assertThat(ChangeIndex.writtenAt(key)).isEqualTo(at);
        assertThat(key).startsWith(ChangeIndex.hourFolder("orders", at));
    }

    @Test
    void namesSortByTimeAcrossHoursAndDays() {
        String late = ChangeIndex.key("orders", Instant.parse("2024-06-02T00:00:00.001Z"), "aa");
        String early = ChangeIndex.key("orders", Instant.parse("2024-06-01T23:59:59.999Z"), "ff");

        assertThat(early).isLessThan(late);
    }

    @Test
    void aKeyThatIsNoEntryIsRefused() {
        assertThatThrownBy(() -> ChangeIndex.writtenAt("changes/orders/2024-06-01/13/notes.txt"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Not a change index entry: changes/orders/2024-06-01/13/notes.txt");
    }
}
