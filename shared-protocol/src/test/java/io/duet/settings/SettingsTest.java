package io.duet.settings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsTest {
    @TempDir
    Path dir;

    @Test
    void environmentOverridesTheFile() throws Exception {
        Path file = dir.resolve("app.properties");
        Files.writeString(file, "zookeeper.connect=file:2181\nrelay.port=9000\ntoken.secret=s3cret\n");
        Settings settings = Settings.load(file, Map.of("DUET_ZOOKEEPER_CONNECT", "env:2181"));
        assertThat(settings.string("zookeeper.connect")).isEqualTo("env:2181");
        assertThat(settings.integer("relay.port", 1)).isEqualTo(9000);
        assertThat(settings.integer("http.port", 8080)).isEqualTo(8080);
        assertThat(settings.describe()).containsEntry("token.secret", "(hidden)")
                .containsEntry("zookeeper.connect", "env:2181");
    }

    @Test
    void parsesDurationsAndLists() {
        Settings settings = Settings.of(Map.of("a", "500ms", "b", "10s", "c", "5m", "l", "x, y,,z"));
        assertThat(settings.duration("a", null)).isEqualTo(Duration.ofMillis(500));
        assertThat(settings.duration("b", null)).isEqualTo(Duration.ofSeconds(10));
        assertThat(settings.duration("c", null)).isEqualTo(Duration.ofMinutes(5));
        assertThat(settings.list("l")).containsExactly("x", "y", "z");
    }

    @Test
    void missingAndMalformedValuesNameTheKeyAndWhereToSetIt() {
        Settings settings = Settings.of(Map.of("n", "ten", "d", "soon"));
        assertThatThrownBy(() -> settings.string("zookeeper.connect"))
                .hasMessage("zookeeper.connect: missing (set it in the given values or as DUET_ZOOKEEPER_CONNECT)");
        assertThatThrownBy(() -> settings.integer("n", 1)).hasMessage("n: ten (expected: an integer)");
        assertThatThrownBy(() -> settings.duration("d", null)).hasMessageContaining("d: soon");
    }
}
