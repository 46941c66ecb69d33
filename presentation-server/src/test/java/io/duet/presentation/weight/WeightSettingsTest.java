package io.duet.presentation.weight;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.duet.settings.Settings;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WeightSettingsTest {
    @Test
    void defaultsAreNamed() {
        WeightSettings settings = WeightSettings.from(Settings.of(Map.of()));
        assertThat(settings.capacity()).isEqualTo(WeightSettings.DEFAULT_CAPACITY);
        assertThat(settings.floorPercent()).isEqualTo(WeightSettings.DEFAULT_FLOOR_PERCENT);
        assertThat(settings.cpuWindow()).isEqualTo(WeightSettings.DEFAULT_CPU_WINDOW);
        assertThat(settings.agentEnabled()).isTrue();
        assertThat(settings.agentHost()).isEqualTo("127.0.0.1");
        assertThat(settings.agentPort()).isZero();
    }

    @Test
    void readsItsKeysAndListensOnTheAdminHostUnlessToldOtherwise() {
        WeightSettings settings = WeightSettings.from(Settings.of(Map.of("weight.capacity", "200",
                "weight.floor-percent", "5", "weight.cpu-window", "3s", "admin.host", "10.1.2.3",
                "agent.port", "7440", "agent.enabled", "false")));
        assertThat(settings.capacity()).isEqualTo(200);
        assertThat(settings.floorPercent()).isEqualTo(5);
        assertThat(settings.cpuWindow()).isEqualTo(Duration.ofSeconds(3));
        assertThat(settings.agentHost()).isEqualTo("10.1.2.3");
        assertThat(settings.agentPort()).isEqualTo(7440);
        assertThat(settings.agentEnabled()).isFalse();
        assertThat(WeightSettings.from(Settings.of(Map.of("admin.host", "10.1.2.3", "agent.host", "0.0.0.0")))
                .agentHost()).isEqualTo("0.0.0.0");
    }

    @Test
    void refusesValuesOutOfRange() {
        assertThatThrownBy(() -> WeightSettings.builder().capacity(0).build())
                .hasMessage("capacity: 0 (expected: > 0)");
        assertThatThrownBy(() -> WeightSettings.builder().floorPercent(0).build())
                .hasMessage("floorPercent: 0 (expected: 1..100)");
        assertThatThrownBy(() -> WeightSettings.builder().floorPercent(101).build())
                .hasMessage("floorPercent: 101 (expected: 1..100)");
        assertThatThrownBy(() -> WeightSettings.builder().agentPort(70000).build())
                .hasMessage("agentPort: 70000 (expected: 0..65535)");
        assertThatThrownBy(() -> WeightSettings.builder().cpuWindow(Duration.ZERO).build())
                .hasMessage("cpuWindow: PT0S (expected: >= 1ms)");
    }
}
