package io.duet.bench;

/**
 * When the throughput benchmark's warm-up is over: after at least {@code minRuns} unmeasured runs, once
 * {@code patience} runs in a row were each no better than the best run before them, or after {@code maxRuns},
 * whichever comes first. A run is better if it beat the best earlier run by more than {@code tolerance} in
 * acknowledged messages per second or in server CPU per message.
 *
 * <p>Why: on the 2-core box the servers' JIT compilers compete with the load for the cores, so a fresh
 * cluster's CPU per message falls, and its throughput rises, run after run for several runs (section 1 of
 * BENCHMARKS.md saw five runs in a row each beat the one before). Both signals, because throughput also moves
 * with whatever else shares the box, and CPU per message less so; and more than one run that is no better,
 * because one slow run (the box was busy) is not the end of the warm-up (measured: 4,083 then 3,899 msgs/s,
 * then 5,370 and 6,379).
 */
final class WarmUpRule {
    /** At most this many warm-up runs can be asked for: each is a full Duet run of the benchmark's shape. */
    static final int MAX_RUNS_LIMIT = 50;
    private final int minRuns;
    private final int maxRuns;
    private final int patience;
    private final double tolerance;
    private int runs;
    private double bestRate;
    private double bestCpu = Double.MAX_VALUE;
    private boolean lastImproved;
    /** Runs in a row, up to the last, that were no better than the best before them. */
    private int notBetter;

    /**
     * @param minRuns runs always made, 0 or more
     * @param maxRuns runs at most, from {@code minRuns} to {@link #MAX_RUNS_LIMIT}
     * @param patience runs in a row no better than the best before them that end the warm-up, 1 or more
     * @param tolerance the relative change below which a run counts as no better, from 0 (exclusive) to 1
     */
    WarmUpRule(int minRuns, int maxRuns, int patience, double tolerance) {
        if (minRuns < 0 || maxRuns < minRuns || maxRuns > MAX_RUNS_LIMIT) {
            throw new IllegalArgumentException("warm-up runs: expected 0 <= minimum (" + minRuns + ") <= maximum ("
                    + maxRuns + ") <= " + MAX_RUNS_LIMIT);
        }
        if (patience < 1) {
            throw new IllegalArgumentException("warm-up patience: expected 1 or more runs, got " + patience);
        }
        if (!(tolerance > 0 && tolerance < 1)) {
            throw new IllegalArgumentException("warm-up tolerance: expected between 0 and 1, got " + tolerance);
        }
        this.minRuns = minRuns;
        this.maxRuns = maxRuns;
        this.patience = patience;
        this.tolerance = tolerance;
    }

    /**
     * Records a warm-up run's acknowledged messages per second and server CPU microseconds per message (0 or
     * less: not known, and the run is judged by its rate alone).
     */
    void record(double messagesPerSecond, double cpuMicrosPerMessage) {
        boolean faster = messagesPerSecond > bestRate * (1 + tolerance);
        boolean cheaper = cpuMicrosPerMessage > 0 && cpuMicrosPerMessage < bestCpu * (1 - tolerance);
        lastImproved = runs == 0 || faster || cheaper;
        notBetter = lastImproved ? 0 : notBetter + 1;
        runs++;
        bestRate = Math.max(bestRate, messagesPerSecond);
        if (cpuMicrosPerMessage > 0) {
            bestCpu = Math.min(bestCpu, cpuMicrosPerMessage);
        }
    }

    int runs() {
        return runs;
    }

    /** Whether the last run recorded beat every earlier one by more than the tolerance (a first run does). */
    boolean lastImproved() {
        return lastImproved;
    }

    /** Whether another warm-up run should go before the measured ones. */
    boolean wantsAnotherRun() {
        if (runs < minRuns) {
            return true;
        }
        return runs < maxRuns && notBetter < patience;
    }
}
