package io.duet.process.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.duet.settings.Settings;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MetricsSettingsTest {
    @Test
    void cloudWatchIsOffByDefaultAndNoClientIsMade() {
        MetricsSettings settings = MetricsSettings.from(Settings.of(Map.of()));
        assertThat(settings.cloudWatchEnabled()).isFalse();
        assertThat(settings.namespace()).isEqualTo(MetricsSettings.DEFAULT_NAMESPACE);
        assertThat(CloudWatchExport.start(settings)).isEmpty();
    }

    @Test
    void namespaceDimensionsStepAndMetersAreRead() {
        MetricsSettings settings = MetricsSettings.from(Settings.of(Map.of(
                MetricsSettings.CLOUDWATCH_ENABLED_KEY, "true",
                MetricsSettings.NAMESPACE_KEY, "Duet/prod",
                MetricsSettings.DIMENSIONS_KEY, "cluster=prod, tier = app",
                MetricsSettings.STEP_KEY, "30s",
                MetricsSettings.METERS_KEY, "duet.rpc.,jvm.gc.pause")));
        assertThat(settings.cloudWatchEnabled()).isTrue();
        assertThat(settings.namespace()).isEqualTo("Duet/prod");
        assertThat(settings.dimensions()).containsExactlyInAnyOrderEntriesOf(Map.of("cluster", "prod", "tier", "app"));
        assertThat(settings.step()).isEqualTo(Duration.ofSeconds(30));
        assertThat(settings.meters()).containsExactly("duet.rpc.", "jvm.gc.pause");
    }

    @Test
    void aDimensionWithoutValueIsRefused() {
        assertThatThrownBy(() -> MetricsSettings.from(Settings.of(Map.of(MetricsSettings.DIMENSIONS_KEY, "cluster"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("name=value");
    }

    @Test
    void onlyTheNamedMetersAreExported() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        registry.config().meterFilter(CloudWatchExport.onlyNamed(List.of("duet.", "jvm.gc.pause")));
        Counter.builder("duet.rpc.server").register(registry).increment();
        Counter.builder("jvm.gc.pause").register(registry).increment();
        Counter.builder("jvm.buffer.count").register(registry).increment();
        assertThat(registry.getMeters()).extracting(meter -> meter.getId().getName())
                .containsExactlyInAnyOrder("duet.rpc.server", "jvm.gc.pause");
    }
}
