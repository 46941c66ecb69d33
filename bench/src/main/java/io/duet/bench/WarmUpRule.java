package io.duet.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * When the throughput benchmark's warm-up is over: after at least {@code minRuns} unmeasured runs, once a
 * run neither raised the throughput above the best earlier run nor lowered the server CPU per message below
 * the best earlier run by more than {@code tolerance}; or after {@code maxRuns}, whichever comes first.
 *
 * <p>Why both signals: on the 2-core box the servers' JIT compilers compete with the load for the cores, so
 * a fresh cluster's CPU per message falls, and its throughput rises, run after run for several runs (section
 * 1 of BENCHMARKS.md saw five runs in a row each beat the one before). Throughput alone also moves with
 * whatever else shares the box; CPU per message moves less with it.
 */
final class WarmUpRule {
    /** At most this many warm-up runs can be asked for: each is a full Duet run of the benchmark's shape. */
    static final int MAX_RUNS_LIMIT = 50;
    private final int minRuns;
    private final int maxRuns;
    private final double tolerance;
    private final List<double[]> runs = new ArrayList<>();

    /**
     * @param minRuns runs always made, 0 or more
     * @param maxRuns runs at most, from {@code minRuns} to {@link #MAX_RUNS_LIMIT}
     * @param tolerance the relative change below which a run counts as no better, from 0 (exclusive) to 1
     */
    WarmUpRule(int minRuns, int maxRuns, double tolerance) {
        if (minRuns < 0 || maxRuns < minRuns || maxRuns > MAX_RUNS_LIMIT) {
            throw new IllegalArgumentException("warm-up runs: expected 0 <= minimum (" + minRuns + ") <= maximum ("
                    + maxRuns + ") <= " + MAX_RUNS_LIMIT);
        }
        if (!(tolerance > 0 && tolerance < 1)) {
            throw new IllegalArgumentException("warm-up tolerance: expected between 0 and 1, got " + tolerance);
        }
        this.minRuns = minRuns;
        this.maxRuns = maxRuns;
        this.tolerance = tolerance;
    }

    /**
     * Records a warm-up run's acknowledged messages per second and server CPU microseconds per message (0 or
     * less: not known).
     */
    void record(double messagesPerSecond, double cpuMicrosPerMessage) {
        runs.add(new double[] {messagesPerSecond, cpuMicrosPerMessage});
    }

    int runs() {
        return runs.size();
    }

    /** Whether another warm-up run should go before the measured ones. */
    boolean wantsAnotherRun() {
        int n = runs.size();
        if (n < minRuns) {
            return true;
        }
        return n < maxRuns && improved();
    }

    /** Whether the last run beat every earlier one by more than the tolerance, in either signal (a first run: no). */
    boolean improved() {
        int n = runs.size();
        if (n < 2) {
            return false;
        }
        double bestRate = 0;
        double bestCpu = Double.MAX_VALUE;
        for (double[] run : runs.subList(0, n - 1)) {
            bestRate = Math.max(bestRate, run[0]);
            bestCpu = Math.min(bestCpu, run[1]);
        }
        double[] last = runs.get(n - 1);
        boolean faster = last[0] > bestRate * (1 + tolerance);
        // A run without a CPU figure (none read: 0 or less) is judged by its rate alone.
        boolean cheaper = last[1] > 0 && bestCpu > 0 && last[1] < bestCpu * (1 - tolerance);
        return faster || cheaper;
    }
}
