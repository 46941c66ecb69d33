package io.duet.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchMainsTest {
    @TempDir
    Path dir;

    @Test
    void minMedianMaxOfAnOddAndAnEvenNumberOfRuns() {
        assertThat(BenchMains.minMedianMax(List.of(3.0, 1.0, 2.0))).containsExactly(1.0, 2.0, 3.0);
        assertThat(BenchMains.minMedianMax(List.of(4.0, 1.0, 2.0, 10.0))).containsExactly(1.0, 3.0, 10.0);
    }

    @Test
    void aLocalClusterConfFileIsReadAndAMissingOneSaysItIsNoClusterDirectory() throws Exception {
        Files.createDirectories(dir.resolve("conf"));
        Files.writeString(dir.resolve("conf").resolve("ports.properties"), "endpoint.tcp=7000\n");

        assertThat(BenchMains.localClusterConf(dir, "ports.properties").getProperty("endpoint.tcp")).isEqualTo("7000");
        assertThatThrownBy(() -> BenchMains.localClusterConf(dir, "app-1.properties"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a local cluster's data directory");
    }
}
