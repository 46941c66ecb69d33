package io.duet.bench;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Durable throughput beside its baseline, in the same run: raw buffered HBase puts of the same size to
 * the same HBase, then Duet's acknowledged (so committed) messages per second with every phone keeping a
 * few sends in flight; {@code runs} times each, reported as min / median / max and as the ratio.
 */
public final class ThroughputBenchmark {
    /** Raw puts need no more than this to show their rate, and every second of them is data HBase keeps. */
    private static final long BASELINE_SECONDS = 10;
    private final Path clusterDir;
    private final int runs;
    private final WarmUpRule warmUp;
    private final Duration duration;
    private final int couples;
    private final int inFlight;
    private final int textLength;
    private final PrintStream out;

    /**
     * @param warmUp how many Duet runs of the same shape go before the measured ones, not counted: the
     *     servers' JIT compilers are still busy with the hot path during the first runs of a fresh cluster,
     *     which production servers are not
     */
    ThroughputBenchmark(Path clusterDir, int runs, WarmUpRule warmUp, Duration duration, int couples, int inFlight,
            int textLength, PrintStream out) {
        this.clusterDir = clusterDir;
        this.runs = runs;
        this.warmUp = warmUp;
        this.duration = duration;
        this.couples = couples;
        this.inFlight = inFlight;
        this.textLength = textLength;
        this.out = out;
    }

    /** Returns {baseline puts/s, Duet messages/s, ratio}, each as {min, median, max}. */
    public double[][] run(LoadSettings.Builder load) throws Exception {
        List<Double> baseline = new ArrayList<>();
        List<Double> duet = new ArrayList<>();
        List<Double> ratios = new ArrayList<>();
        while (warmUp.wantsAnotherRun()) {
            LoadResult result = runDuet(load);
            warmUp.record(result.ackedPerSecond(), result.serverCpuMicrosPerMessage());
            out.printf(Locale.ROOT, "warm-up run %d (not counted): Duet %.0f msgs/s, server CPU %.1f us/msg%s%n",
                    warmUp.runs(), result.ackedPerSecond(), result.serverCpuMicrosPerMessage(),
                    warmUp.lastImproved() ? " (better than every earlier run)" : "");
        }
        long baselineSeconds = Math.min(duration.toSeconds(), BASELINE_SECONDS);
        // A stored message is its text and about 60 bytes of Thrift around it.
        int rowBytes = textLength + 60;
        try (HBasePutBaseline puts = HBasePutBaseline.ofLocalCluster(clusterDir)) {
            if (warmUp.runs() > 0) {
                // HBase's put path is warmed too: Duet's runs do not exercise it (measured: 40k, 78k, then
                // 103k puts/s in the first three baseline runs after a Duet warm-up).
                out.printf(Locale.ROOT, "warm-up of the raw baseline (not counted): %.0f puts/s%n",
                        puts.putsPerSecond(baselineSeconds, couples, rowBytes));
            }
            for (int run = 1; run <= runs; run++) {
                double raw = puts.putsPerSecond(baselineSeconds, couples, rowBytes);
                LoadResult result = runDuet(load);
                if (result.failures() > 0) {
                    out.printf(Locale.ROOT, "throughput run %d: %d sends failed%n", run, result.failures());
                }
                baseline.add(raw);
                duet.add(result.ackedPerSecond());
                ratios.add(result.ackedPerSecond() / raw);
                out.printf(Locale.ROOT, "throughput run %d: raw HBase puts %.0f/s, Duet %.0f msgs/s (ratio %.2fx), "
                                + "server CPU %.1f us/msg (HBase %.1f), ack p99 %.1f ms%n", run, raw, result.ackedPerSecond(),
                        result.ackedPerSecond() / raw, result.serverCpuMicrosPerMessage(),
                        result.cpuMicrosPerMessage("hbase"), result.ackMillis(99));
            }
        }
        double[][] summary = {BenchMains.minMedianMax(baseline), BenchMains.minMedianMax(duet),
                BenchMains.minMedianMax(ratios)};
        out.printf(Locale.ROOT, "THROUGHPUT (%d runs of %d s after %d warm-up runs, %d couples, %d in flight per phone, "
                        + "%d-char texts):%n"
                        + "  raw HBase BufferedMutator puts/s  min %.0f  median %.0f  max %.0f%n"
                        + "  Duet acknowledged msgs/s          min %.0f  median %.0f  max %.0f%n"
                        + "  ratio                             min %.2fx median %.2fx max %.2fx%n",
                runs, duration.toSeconds(), warmUp.runs(), couples, inFlight, textLength, summary[0][0], summary[0][1], summary[0][2],
                summary[1][0], summary[1][1], summary[1][2], summary[2][0], summary[2][1], summary[2][2]);
        return summary;
    }

    private LoadResult runDuet(LoadSettings.Builder load) throws Exception {
        return new LoadGenerator(load.couples(couples).inFlight(inFlight).meanTextLength(textLength)
                .duration(duration).typingRate(0).quiet(true).clusterDir(clusterDir).build(), out).run();
    }
}
