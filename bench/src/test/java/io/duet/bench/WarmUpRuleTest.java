package io.duet.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class WarmUpRuleTest {
    /** Records runs while the rule wants them, from {@code runs}; returns how many it made. */
    private static int warmUp(WarmUpRule rule, double[][] runs) {
        int made = 0;
        while (rule.wantsAnotherRun()) {
            rule.record(runs[made][0], runs[made][1]);
            made++;
        }
        return made;
    }

    @Test
    void warmsUpUntilTwoRunsInARowAreNoBetterThanTheBestBeforeThem() {
        // A fresh cluster of BENCHMARKS.md section 1: 3,409 -> 6,448 msgs/s, 479 -> 235 us/msg over 5 runs.
        double[][] runs = {{3409, 479}, {4492, 357}, {5049, 307}, {5502, 284}, {6448, 235}, {6500, 230}, {6300, 240},
                {9000, 100}};
        WarmUpRule rule = new WarmUpRule(3, 10, 2, 0.05);
        assertThat(warmUp(rule, runs)).isEqualTo(7);
        assertThat(rule.lastImproved()).isFalse();
    }

    @Test
    void oneSlowRunDoesNotEndTheWarmUp() {
        // Measured 2026-11-27: the third run was slower than the second, and the next two were faster again.
        double[][] runs = {{1715, 873}, {4083, 371}, {3899, 392}, {5370, 295}, {6379, 242}, {6150, 246}, {6200, 245},
                {9000, 100}};
        WarmUpRule rule = new WarmUpRule(3, 10, 2, 0.05);
        assertThat(warmUp(rule, runs)).isEqualTo(7);
    }

    @Test
    void eitherSignalAloneCountsAsBetter() {
        WarmUpRule faster = new WarmUpRule(0, 10, 1, 0.05);
        faster.record(1000, 300);
        faster.record(1100, 320);
        assertThat(faster.lastImproved()).isTrue();
        assertThat(faster.wantsAnotherRun()).isTrue();

        WarmUpRule cheaper = new WarmUpRule(0, 10, 1, 0.05);
        cheaper.record(1000, 300);
        cheaper.record(900, 250);
        assertThat(cheaper.lastImproved()).isTrue();

        WarmUpRule neither = new WarmUpRule(0, 10, 1, 0.05);
        neither.record(1000, 300);
        neither.record(1040, 290);
        assertThat(neither.lastImproved()).isFalse();
        assertThat(neither.wantsAnotherRun()).isFalse();
    }

    @Test
    void aRunIsComparedWithTheBestEarlierRunNotOnlyTheLastOne() {
        WarmUpRule rule = new WarmUpRule(0, 10, 1, 0.05);
        rule.record(5000, 200);
        rule.record(3000, 400); // a slow run (the box was shared) ...
        rule.record(5100, 199); // ... does not make the next one look better
        assertThat(rule.lastImproved()).isFalse();
    }

    @Test
    void theMinimumIsAlwaysMadeAndTheMaximumNeverExceeded() {
        WarmUpRule none = new WarmUpRule(0, 0, 2, 0.05);
        assertThat(none.wantsAnotherRun()).isFalse();

        WarmUpRule three = new WarmUpRule(3, 3, 1, 0.05);
        assertThat(warmUp(three, new double[][] {{1000, 300}, {1000, 300}, {1000, 300}, {1000, 300}})).isEqualTo(3);

        WarmUpRule capped = new WarmUpRule(1, 4, 2, 0.05);
        assertThat(warmUp(capped, new double[][] {{1000, 300}, {2000, 150}, {3000, 100}, {4000, 80}, {5000, 60}}))
                .isEqualTo(4);
        assertThat(capped.lastImproved()).isTrue();
    }

    @Test
    void aRunWithoutACpuFigureIsJudgedByItsRateAlone() {
        WarmUpRule rule = new WarmUpRule(0, 10, 1, 0.05);
        rule.record(1000, -1);
        rule.record(2000, -1);
        assertThat(rule.lastImproved()).isTrue();
        rule.record(2010, -1);
        assertThat(rule.lastImproved()).isFalse();
    }

    @Test
    void badBoundsAreRefused() {
        assertThatThrownBy(() -> new WarmUpRule(-1, 3, 2, 0.05)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new WarmUpRule(4, 3, 2, 0.05)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new WarmUpRule(1, WarmUpRule.MAX_RUNS_LIMIT + 1, 2, 0.05))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("<= " + WarmUpRule.MAX_RUNS_LIMIT);
        assertThatThrownBy(() -> new WarmUpRule(1, 3, 0, 0.05)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new WarmUpRule(1, 3, 2, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new WarmUpRule(1, 3, 2, Double.NaN)).isInstanceOf(IllegalArgumentException.class);
    }
}
