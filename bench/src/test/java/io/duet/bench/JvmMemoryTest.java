package io.duet.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JvmMemoryTest {
    private static final String BEFORE = String.join("\n",
            "12345:",
            " num     #instances         #bytes  class name (module)",
            "-------------------------------------------------------",
            "   1:           100           4000  [B (java.base@17.0.15)",
            "   2:            10            240  java.lang.String (java.base@17.0.15)",
            "Total           110           4240");
    private static final String AFTER = String.join("\n",
            "12345:",
            " num     #instances         #bytes  class name (module)",
            "-------------------------------------------------------",
            "   1:           300          12000  [B (java.base@17.0.15)",
            "   2:            50           1200  io.netty.channel.DefaultChannelPipeline",
            "   3:            10            240  java.lang.String (java.base@17.0.15)",
            "Total           360          13440");

    @Test
    void aClassHistogramGivesTheTotalAndWhichClassesGrew() throws IOException {
        JvmMemory.Heap before = JvmMemory.parseHistogram(BEFORE, 12345);
        JvmMemory.Heap after = JvmMemory.parseHistogram(AFTER, 12345);

        assertThat(before.bytes()).isEqualTo(4240);
        assertThat(after.bytes()).isEqualTo(13440);
        assertThat(after.grownSince(before, 5)).containsExactly(Map.entry("[B", 8000L),
                Map.entry("io.netty.channel.DefaultChannelPipeline", 1200L));
        assertThat(after.grownSince(before, 1)).hasSize(1);
        assertThat(after.instancesGrownSince(before, "[B")).isEqualTo(200);
    }

    @Test
    void outputWithoutATotalIsNoHistogram() {
        assertThatThrownBy(() -> JvmMemory.parseHistogram("12345:\ncom.sun.tools.attach.AttachNotSupportedException", 12345))
                .isInstanceOf(IOException.class).hasMessageContaining("no class histogram from jcmd 12345");
    }

    @Test
    void theResidentSetOfThisProcessIsRead() throws IOException {
        long pid = ProcessHandle.current().pid();

        assertThat(JvmMemory.residentBytes(pid)).isGreaterThan(1024 * 1024);
        assertThat(JvmMemory.openFiles(pid)).isPositive();
    }
}
