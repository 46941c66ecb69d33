package io.duet.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ProcStatTest {
    @Test
    void fieldsAreCountedFromTheLastParenthesisSoACommandNameWithSpacesIsNoTrouble() {
        ProcStat stat = ProcStat.parse("4242 (my (odd) cmd) S 1 4242 4242 0 -1 4194560 100 0 0 0 37 5 0 0 20 0 1 0"
                + " 12345 1000 200 18446744073709551615\n");

        assertThat(stat.state()).isEqualTo('S');
        assertThat(stat.cpuTicks()).isEqualTo(42);
        assertThat(stat.startTicks()).isEqualTo(12345);
    }

    @Test
    void aZombieSaysSo() {
        assertThat(ProcStat.parse("7 (sh) Z 6 7 7 0 -1 4227084 0 0 0 0 0 0 0 0 20 0 1 0 99 0 0").state())
                .isEqualTo('Z');
    }

    @Test
    void thisProcessIsRunningAndHasUsedSomeCpu() throws Exception {
        ProcStat self = ProcStat.read(ProcessHandle.current().pid());

        assertThat(self.state()).isIn('R', 'S');
        assertThat(self.cpuTicks()).isPositive();
    }

    @Test
    void textWithoutFieldsAfterTheNameIsRefused() {
        assertThatThrownBy(() -> ProcStat.parse("12 (cut off)")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ProcStat.parse("")).isInstanceOf(IllegalArgumentException.class);
    }
}
