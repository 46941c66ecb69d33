package io.duet.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class WarmUpRuleTest {
    @Test
    void warmsUpWhileEachRunBeatsEveryEarlierOneAndStopsAtTheFirstThatDoesNot() {
        WarmUpRule rule = new WarmUpRule(2, 10, 0.05);
        // The fresh cluster of BENCHMARKS.md section 1: 3,409 -> 6,448 msgs/s, 479 -> 235 us/msg over 5 runs.
        double[][] runs = {{3409, 479}, {4492, 357}, {5049, 307}, {5502, 284}, {6448, 235}, {6500, 230}, {9000, 100}};
        int made = 0;
        while (rule.wantsAnotherRun()) {
            rule.record(runs[made][0], runs[made][1]);
            made++;
        }
        assertThat(made).isEqualTo(6);
        assertThat(rule.improved()).isFalse();
    }

    @Test
    void eitherSignalAloneCountsAsBetter() {
        WarmUpRule faster = new WarmUpRule(0, 10, 0.05);
        faster.record(1000, 300);
        faster.record(1100, 320);
        assertThat(faster.improved()).isTrue();

        WarmUpRule cheaper = new WarmUpRule(0, 10, 0.05);
        cheaper.record(1000, 300);
        cheaper.record(900, 250);
        assertThat(cheaper.improved()).isTrue();

        WarmUpRule neither = new WarmUpRule(0, 10, 0.05);
        neither.record(1000, 300);
        neither.record(1040, 290);
        assertThat(neither.improved()).isFalse();
        assertThat(neither.wantsAnotherRun()).isFalse();
    }

    @Test
    void aRunIsComparedWithTheBestEarlierRunNotOnlyTheLastOne() {
        WarmUpRule rule = new WarmUpRule(0, 10, 0.05);
        rule.record(5000, 200);
        rule.record(3000, 400); // a slow run (the box was shared) ...
        rule.record(5100, 199); // ... does not make the next one look better
        assertThat(rule.improved()).isFalse();
    }

    @Test
    void theMinimumIsAlwaysMadeAndTheMaximumNeverExceeded() {
        WarmUpRule none = new WarmUpRule(0, 0, 0.05);
        assertThat(none.wantsAnotherRun()).isFalse();

        WarmUpRule three = new WarmUpRule(3, 3, 0.05);
        for (int i = 0; i < 3; i++) {
            assertThat(three.wantsAnotherRun()).isTrue();
            three.record(1000, 300); // no better, still made
        }
        assertThat(three.wantsAnotherRun()).isFalse();

        WarmUpRule capped = new WarmUpRule(1, 2, 0.05);
        capped.record(1000, 300);
        capped.record(2000, 150);
        assertThat(capped.improved()).isTrue();
        assertThat(capped.wantsAnotherRun()).isFalse();
    }

    @Test
    void aRunWithoutACpuFigureIsJudgedByItsRateAlone() {
        WarmUpRule rule = new WarmUpRule(0, 10, 0.05);
        rule.record(1000, -1);
        rule.record(1010, -1);
        assertThat(rule.improved()).isFalse();
        rule.record(2000, -1);
        assertThat(rule.improved()).isTrue();
    }

    @Test
    void badBoundsAreRefused() {
        assertThatThrownBy(() -> new WarmUpRule(-1, 3, 0.05)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new WarmUpRule(4, 3, 0.05)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new WarmUpRule(1, WarmUpRule.MAX_RUNS_LIMIT + 1, 0.05))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("<= " + WarmUpRule.MAX_RUNS_LIMIT);
        assertThatThrownBy(() -> new WarmUpRule(1, 3, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new WarmUpRule(1, 3, Double.NaN)).isInstanceOf(IllegalArgumentException.class);
    }
}
