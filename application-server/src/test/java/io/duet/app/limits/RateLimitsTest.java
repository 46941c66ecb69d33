package io.duet.app.limits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.duet.settings.Settings;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RateLimitsTest {
    @Test
    void ratesParse() {
        assertThat(Rate.parse("30/1m")).isEqualTo(Rate.of(30, Duration.ofMinutes(1)));
        assertThat(Rate.parse(" 50 / 1s ")).isEqualTo(Rate.of(50, Duration.ofSeconds(1)));
        assertThat(Rate.parse("10/2h")).isEqualTo(Rate.of(10, Duration.ofHours(2)));
        assertThat(Rate.parse("5/500ms")).isEqualTo(Rate.of(5, Duration.ofMillis(500)));
        assertThatThrownBy(() -> Rate.parse("30 per minute")).hasMessageContaining("<tokens>/<duration>");
        assertThatThrownBy(() -> Rate.parse("0/1m")).hasMessageContaining("tokens");
        assertThatThrownBy(() -> Rate.parse("1/0s")).hasMessageContaining("period");
    }

    @Test
    void settingsOverrideTheDefaults() {
        RateLimits limits = RateLimits.from(Settings.of(Map.of(
                "limits.log-in.per-address", "5/1m",
                "limits.max-tracked-keys", "1000")));
        assertThat(limits.rate(Limit.LOG_IN_PER_ADDRESS)).isEqualTo(Rate.of(5, Duration.ofMinutes(1)));
        assertThat(limits.rate(Limit.SIGN_UP_PER_ADDRESS)).isEqualTo(Limit.SIGN_UP_PER_ADDRESS.defaultRate());
        assertThat(limits.maxTrackedKeys()).isEqualTo(1000);
        assertThatThrownBy(() -> RateLimits.from(Settings.of(Map.of("limits.send.per-device", "fast"))))
                .hasMessageContaining("limits.send.per-device");
    }

    @Test
    void sourceAddressKeys() {
        assertThat(SourceAddress.keyOf("/203.0.113.7:51234")).isEqualTo("203.0.113.7");
        assertThat(SourceAddress.keyOf("client.example/203.0.113.7:51234")).isEqualTo("203.0.113.7");
        assertThat(SourceAddress.keyOf("/2001:db8:1:2:3:4:5:6:51234")).isEqualTo("2001:db8:1:2::/64");
        assertThat(SourceAddress.keyOf("[2001:db8:1:2:3:4:5:6]:51234")).isEqualTo("2001:db8:1:2::/64");
        assertThat(SourceAddress.keyOf(null)).isEmpty();
        assertThat(SourceAddress.keyOf("")).isEmpty();
    }
}
