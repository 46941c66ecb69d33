package io.duet.presentation.drain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.duet.settings.Settings;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DrainSettingsTest {
    @Test
    void defaultsAreNamed() {
        DrainSettings defaults = DrainSettings.defaults();
        assertThat(defaults.window()).isEqualTo(DrainSettings.DEFAULT_WINDOW).isEqualTo(Duration.ofSeconds(10));
        assertThat(defaults.deadline()).isEqualTo(DrainSettings.DEFAULT_DEADLINE).isEqualTo(Duration.ofSeconds(30));
        assertThat(defaults.maxReconnectSpread()).isEqualTo(DrainSettings.DEFAULT_MAX_RECONNECT_SPREAD);
    }

    @Test
    void windowAndDeadlineComeFromTheirKeys() {
        DrainSettings read = DrainSettings.from(Settings.of(Map.of("drain.window", "2s", "drain.deadline", "5s")));
        assertThat(read.window()).isEqualTo(Duration.ofSeconds(2));
        assertThat(read.deadline()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void aDeadlineBeforeTheWindowEndsOrANegativeWindowIsRefused() {
        assertThatThrownBy(() -> DrainSettings.builder().window(Duration.ofSeconds(10)).deadline(Duration.ofSeconds(5))
                .build()).hasMessageContaining("deadline: PT5S (expected: >= the delay and the window, PT10S)");
        assertThatThrownBy(() -> DrainSettings.builder().window(Duration.ofSeconds(-1)).build())
                .hasMessageContaining("window: PT-1S (expected: >= 0)");
    }

    @Test
    void theDelayIsReadAndCountsAgainstTheDeadline() {
        assertThat(DrainSettings.defaults().delay()).isZero();
        assertThat(DrainSettings.from(io.duet.settings.Settings.of(java.util.Map.of("drain.delay", "10s",
                "drain.window", "10s", "drain.deadline", "30s"))).delay()).isEqualTo(Duration.ofSeconds(10));
        assertThatThrownBy(() -> DrainSettings.builder().delay(Duration.ofSeconds(25)).window(Duration.ofSeconds(10))
                .deadline(Duration.ofSeconds(30)).build()).hasMessageContaining("expected: >= the delay and the window, PT35S");
        assertThatThrownBy(() -> DrainSettings.builder().delay(Duration.ofSeconds(-1)).build())
                .hasMessageContaining("delay: PT-1S");
    }
}
