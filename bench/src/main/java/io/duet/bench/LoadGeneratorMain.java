package io.duet.bench;

import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;

/**
 * {@code bin/duet-load}: one load run against a cluster, local (its data directory: endpoints from its
 * port plan, CPU from /proc) or remote (endpoints given).
 */
public final class LoadGeneratorMain {
    /**
     * {@code --throughput}'s warm-up without {@code --warm-up-runs}: at least this many runs, then until {@link
     * #WARM_UP_PATIENCE} runs in a row were no better than the best before them ({@link WarmUpRule}).
     */
    static final int DEFAULT_MIN_WARM_UP_RUNS = 3;
    /** ... and at most this many: a fresh cluster measured 2026-11-27 was still getting faster at its 5th run. */
    static final int DEFAULT_MAX_WARM_UP_RUNS = 10;
    /** A warm-up run counts as better only if it beat the best earlier one by more than this (5%). */
    static final double WARM_UP_TOLERANCE = 0.05;
    /** The warm-up ends after this many runs in a row that were no better. */
    static final int WARM_UP_PATIENCE = 2;

    private LoadGeneratorMain() {
    }

    public static void main(String[] args) throws Exception {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        LoadSettings.Builder settings = LoadSettings.builder();
        try {
            BenchOptions options = BenchOptions.parse(args,
                    List.of("--local", "--tcp", "--http", "--couples", "--rate", "--text-length", "--typing", "--idle",
                            "--warm-up", "--duration", "--max-waiting", "--in-flight", "--runs", "--warm-up-runs",
                            "--max-warm-up-runs", "--out"),
                    List.of("--remote", "--throughput", "--quiet"));
            if (options.help()) {
                usage(out);
                return 0;
            }
            Path local = options.has("--remote") ? null : options.path("--local", defaultLocalCluster());
            String tcp = options.string("--tcp", null);
            String http = options.string("--http", null);
            boolean throughput = options.has("--throughput");
            int runs = options.integer("--runs", 3);
            // --warm-up-runs N: exactly N; without it, until the runs stop getting better (WarmUpRule), within bounds.
            if (options.has("--warm-up-runs") && options.has("--max-warm-up-runs")) {
                throw new IllegalArgumentException("--warm-up-runs N makes exactly N warm-up runs, --max-warm-up-runs M "
                        + "bounds the warm-up that ends when the runs stop getting better: give one of them, not both");
            }
            int maxWarmUpRuns = options.integer("--max-warm-up-runs", DEFAULT_MAX_WARM_UP_RUNS);
            int minWarmUpRuns = options.integer("--warm-up-runs", Math.min(DEFAULT_MIN_WARM_UP_RUNS, maxWarmUpRuns));
            if (options.has("--warm-up-runs")) {
                maxWarmUpRuns = minWarmUpRuns;
            }
            int inFlight = options.integer("--in-flight", 0);
            settings.couples(options.integer("--couples", LoadSettings.DEFAULT_COUPLES))
                    .rate(options.decimal("--rate", LoadSettings.DEFAULT_RATE))
                    .meanTextLength(options.integer("--text-length", LoadSettings.DEFAULT_MEAN_TEXT_LENGTH))
                    .typingRate(options.decimal("--typing", LoadSettings.DEFAULT_TYPING_RATE))
                    .warmUp(options.seconds("--warm-up", LoadSettings.DEFAULT_WARM_UP))
                    .duration(options.seconds("--duration", LoadSettings.DEFAULT_DURATION))
                    .inFlight(inFlight)
                    .quiet(options.has("--quiet"))
                    .idleConnections(options.integer("--idle", LoadSettings.DEFAULT_IDLE_CONNECTIONS))
                    .maxOutstanding(options.integer("--max-waiting", LoadSettings.DEFAULT_MAX_OUTSTANDING))
                    .output(options.path("--out", null));
            if (local != null) {
                Properties ports = BenchMains.localClusterConf(local, "ports.properties");
                tcp = tcp != null ? tcp : "127.0.0.1:" + ports.getProperty("endpoint.tcp", ports.getProperty("presentation-1.tcp"));
                http = http != null ? http : "http://127.0.0.1:" + ports.getProperty("endpoint.http",
                        ports.getProperty("presentation-1.http"));
                settings.clusterDir(local);
            }
            if (tcp == null || http == null) {
                throw new IllegalArgumentException("no cluster: give --local DIR, or --remote with --tcp HOST:PORT and --http URL");
            }
            settings.tcp(hostPort(tcp)).http(URI.create(http));
            LoadSettings built = settings.build();
            if (throughput) {
                if (local == null) {
                    throw new IllegalArgumentException("--throughput compares with raw puts to the local cluster's HBase: "
                            + "give --local DIR");
                }
                WarmUpRule warmUp = new WarmUpRule(minWarmUpRuns, maxWarmUpRuns, WARM_UP_PATIENCE,
                        WARM_UP_TOLERANCE);
                new ThroughputBenchmark(local, runs, warmUp, built.duration, built.couples, inFlight > 0 ? inFlight : 4,
                        built.meanTextLength, out).run(settings);
                return 0;
            }
            LoadResult result = new LoadGenerator(built, out).run();
            out.print(result.describe());
            if (built.output != null) {
                LoadReport.write(result, built.output);
                out.println("duet-load: wrote " + built.output + ".json and " + built.output + ".html");
            }
            return result.failures() == 0 ? 0 : 1;
        } catch (IllegalArgumentException e) {
            err.println("duet-load: " + e.getMessage());
            usage(err);
            return 2;
        }
    }

    /** The local cluster {@code bin/local-cluster} starts by default, if it has run here. */
    private static Path defaultLocalCluster() {
        String home = System.getProperty("duet.home");
        if (home == null) {
            return null;
        }
        Path dir = Path.of(home, "local-cluster-data");
        return Files.isDirectory(dir) ? dir : null;
    }

    private static InetSocketAddress hostPort(String value) {
        int colon = value.lastIndexOf(':');
        if (colon < 1) {
            throw new IllegalArgumentException("expected HOST:PORT, got " + value);
        }
        return InetSocketAddress.createUnresolved(value.substring(0, colon), Integer.parseInt(value.substring(colon + 1)));
    }

    private static void usage(PrintStream out) {
        out.println("usage: bin/duet-load [--local DIR | --remote --tcp HOST:PORT --http URL] [--couples N] [--rate SENDS_PER_S]");
        out.println("                     [--text-length MEAN_CHARS] [--typing PER_COUPLE_PER_S] [--idle SESSIONS]");
        out.println("                     [--warm-up S] [--duration S] [--max-waiting N] [--in-flight K] [--out PATH] [--quiet]");
        out.println("       bin/duet-load --throughput [--runs N] [--warm-up-runs N | --max-warm-up-runs M] [--local DIR]");
        out.println("                     [--couples N] [--in-flight K] [--duration S]");
        out.println("Simulates couples chatting over TCP through the presentation tier, open loop at the given rate,");
        out.println("and reports send->ack, send->partner and typing->partner latency (HdrHistogram) and, for a local");
        out.println("cluster, the servers' CPU per message. --out writes PATH.json and PATH.html (plots). --in-flight K");
        out.println("makes it closed loop (K unanswered sends per phone). --throughput runs N times raw HBase puts of the");
        out.println("same size to the local cluster's HBase, then Duet closed loop, and prints min/median/max and the ratio;");
        out.println("Duet runs of the same shape go first, not counted, so that the servers' JIT is warm: --warm-up-runs N");
        out.printf("makes exactly N; by default at least %d, then more until %d runs in a row beat no earlier one by over%n",
                DEFAULT_MIN_WARM_UP_RUNS, WARM_UP_PATIENCE);
        out.printf("%.0f%% in msgs/s or in server CPU per message, at most --max-warm-up-runs (default %d). The two%n",
                WARM_UP_TOLERANCE * 100, DEFAULT_MAX_WARM_UP_RUNS);
        out.println("options exclude each other.");
        out.printf("Defaults: %d couples, %.0f sends/s, %d-character texts, %.1f typing/s per couple, %d s warm-up, %d s.%n",
                LoadSettings.DEFAULT_COUPLES, LoadSettings.DEFAULT_RATE, LoadSettings.DEFAULT_MEAN_TEXT_LENGTH,
                LoadSettings.DEFAULT_TYPING_RATE, LoadSettings.DEFAULT_WARM_UP.toSeconds(),
                LoadSettings.DEFAULT_DURATION.toSeconds());
        out.println("Exit status: 0 when every send was acknowledged, 1 when some failed, 2 on a usage error.");
    }
}
