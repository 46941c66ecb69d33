package io.duet.bench;

import static io.duet.bench.BenchMains.value;

import io.duet.protocol.token.TokenClaims;
import io.duet.protocol.token.TokenCodec;
import io.duet.security.SecretFiles;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * {@code bin/duet-connections}: idle authenticated sessions on one presentation server of a local cluster,
 * and what each costs it in heap and resident memory, beside the baseline of a bare Netty echo server
 * ({@link BareServer}) holding as many plain connections, measured in the same run.
 *
 * <p>Each run opens a tenth of the sessions first and keeps them (they warm the server's code paths up),
 * measures, opens the rest and measures again: per session is the growth over the rest. The heap is the
 * live heap after a full GC ({@code jcmd GC.class_histogram}), the resident set {@code VmRSS}. Tokens are
 * minted with the cluster's secret, for unpaired users of ids no real user has: each session is
 * authenticated and opens its stream to an application server, as any session does, but joins no couple.
 * With {@code --restart} each run begins on a fresh presentation server (its supervisor, {@code
 * bin/local-cluster}, restarts it after a SIGTERM): memory a JVM once touched stays resident, so only a
 * fresh process shows the resident set sessions add. The baseline server is a fresh process each run.
 */
public final class ConnectionsBenchmark {
    private static final String BASELINE_HEAP = "-Xmx256m";
    private static final Duration AUTH_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration RESTART_TIMEOUT = Duration.ofSeconds(120);
    /** Before each measurement: the last sessions' streams are being opened at the application servers. */
    private static final long SETTLE_MILLIS = 2000;

    private final Path cluster;
    private final String node;
    private final TokenCodec tokens;
    private final EventLoopGroup group;
    private final PrintStream out;
    private long nextUserId;

    private ConnectionsBenchmark(Path cluster, String node, TokenCodec tokens, EventLoopGroup group, PrintStream out) {
        this.cluster = cluster;
        this.node = node;
        this.tokens = tokens;
        this.group = group;
        this.out = out;
        // Ids far above any the cluster hands out (they are small and sequential), different in every run.
        this.nextUserId = (1L << 52) + (System.currentTimeMillis() % 1_000_000) * 100_000;
    }

    public static void main(String[] args) throws Exception {
        System.exit(run(args, System.out, System.err));
    }

    /** What {@code main} does, printing to {@code out} and {@code err}; returns the exit status. */
    public static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        Path local = null;
        String node = "presentation-1";
        int sessions = 18_000;
        int runs = 3;
        int classes = 15;
        boolean restart = false;
        try {
            for (int i = 0; i < args.length; i++) {
                String arg = args[i];
                switch (arg) {
                    case "--local":
                        local = Path.of(value(args, ++i, arg));
                        break;
                    case "--node":
                        node = value(args, ++i, arg);
                        break;
                    case "--sessions":
                        sessions = Integer.parseInt(value(args, ++i, arg));
                        break;
                    case "--runs":
                        runs = Integer.parseInt(value(args, ++i, arg));
                        break;
                    case "--classes":
                        classes = Integer.parseInt(value(args, ++i, arg));
                        break;
                    case "--restart":
                        restart = true;
                        break;
                    case "-h":
                    case "--help":
                        usage(out);
                        return 0;
                    default:
                        throw new IllegalArgumentException("unknown option " + arg);
                }
            }
            if (local == null) {
                throw new IllegalArgumentException("give --local DIR: the server's memory is read from /proc and jcmd");
            }
            if (sessions < 20 || runs < 1) {
                throw new IllegalArgumentException("--sessions: at least 20; --runs: at least 1");
            }
        } catch (IllegalArgumentException e) {
            err.println("duet-connections: " + e.getMessage());
            usage(err);
            return 2;
        }
        Properties conf = BenchMains.localClusterConf(local, node + ".properties");
        String secret = SecretFiles.readPrivate("token.secret-file", Path.of(conf.getProperty("token.secret-file")));
        TokenCodec tokens = TokenCodec.create(secret, List.of(), Clock.systemUTC());
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, new DefaultThreadFactory("duet-connections", true),
                NioIoHandler.newFactory());
        try {
            return new ConnectionsBenchmark(local, node, tokens, group, out).measure(
                    new InetSocketAddress(conf.getProperty("client.tcp.host", "127.0.0.1"),
                            Integer.parseInt(conf.getProperty("client.tcp.port"))), sessions, runs, classes, restart);
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    /** What one side of a run cost per connection. */
    private record PerConnection(double heapBytes, double residentBytes, int connections) {
    }

    private int measure(InetSocketAddress target, int sessions, int runs, int classes, boolean restart)
            throws Exception {
        out.printf(Locale.ROOT, "Idle sessions on %s (%s): %,d per run, %d runs%s%n", node, target, sessions, runs,
                restart ? ", a fresh server each run" : "");
        List<Double> duetHeap = new ArrayList<>();
        List<Double> duetRss = new ArrayList<>();
        List<Double> bareHeap = new ArrayList<>();
        List<Double> bareRss = new ArrayList<>();
        Growth last = null;
        for (int run = 1; run <= runs; run++) {
            long pid = restart ? restartNode() : pidOf(node);
            out.printf(Locale.ROOT, "run %d: %s is pid %d, %d files open of %s%n", run, node, pid,
                    JvmMemory.openFiles(pid), fileLimit(pid));
            Growth duet = grow(pid, sessions, count -> {
                IdleSessions opened = IdleSessions.open(group, target, count, i -> token());
                if (!opened.awaitAuthenticated(AUTH_TIMEOUT)) {
                    throw new IllegalStateException(opened.authenticated() + " of " + count
                            + " sessions authenticated in " + AUTH_TIMEOUT.toSeconds() + " s");
                }
                return opened;
            });
            last = duet;
            PerConnection bare;
            try (BaselineProcess baseline = BaselineProcess.start()) {
                bare = grow(baseline.pid(), sessions,
                        count -> IdleSessions.plain(group, new InetSocketAddress("127.0.0.1", baseline.port()),
                                count)).perConnection();
            }
            PerConnection d = duet.perConnection();
            duetHeap.add(d.heapBytes());
            duetRss.add(d.residentBytes());
            bareHeap.add(bare.heapBytes());
            bareRss.add(bare.residentBytes());
            out.printf(Locale.ROOT, "run %d: Duet %,d sessions: heap %,.0f B, RSS %,.0f B each;"
                    + " bare Netty %,d connections: heap %,.0f B, RSS %,.0f B each%n", run, d.connections(),
                    d.heapBytes(), d.residentBytes(), bare.connections(), bare.heapBytes(), bare.residentBytes());
        }
        out.printf(Locale.ROOT, "%-36s %10s %10s %10s%n", "per connection (bytes)", "min", "median", "max");
        row("Duet session, heap", duetHeap);
        row("Duet session, RSS", duetRss);
        row("bare Netty connection, heap", bareHeap);
        row("bare Netty connection, RSS", bareRss);
        double heapRatio = BenchMains.minMedianMax(duetHeap)[1] / BenchMains.minMedianMax(bareHeap)[1];
        double rssRatio = BenchMains.minMedianMax(duetRss)[1] / BenchMains.minMedianMax(bareRss)[1];
        out.printf(Locale.ROOT, "Duet / bare Netty (medians): heap %.2fx, RSS %.2fx%n", heapRatio, rssRatio);
        out.printf(Locale.ROOT, "Where a Duet session's heap goes (last run, bytes and objects per session):%n");
        for (Map.Entry<String, Long> grown : last.after().grownSince(last.before(), classes)) {
            out.printf(Locale.ROOT, "  %8.1f B %6.2f  %s%n", grown.getValue() / (double) last.connections(),
                    last.after().instancesGrownSince(last.before(), grown.getKey()) / (double) last.connections(),
                    grown.getKey());
        }
        return 0;
    }

    private void row(String label, List<Double> values) {
        double[] m = BenchMains.minMedianMax(values);
        out.printf(Locale.ROOT, "%-36s %,10.0f %,10.0f %,10.0f%n", label, m[0], m[1], m[2]);
    }

    /** Opens {@code count} connections; returns them open. */
    private interface Opener {
        IdleSessions open(int count) throws Exception;
    }

    /** The memory of a process before and after the connections beyond the warm-up ones were opened. */
    private record Growth(JvmMemory.Heap before, JvmMemory.Heap after, long rssBefore, long rssAfter, int connections) {
        PerConnection perConnection() {
            return new PerConnection((after.bytes() - before.bytes()) / (double) connections,
                    (rssAfter - rssBefore) / (double) connections, connections);
        }
    }

    /**
     * Opens a tenth of {@code total} connections to process {@code pid} and keeps them, measures, opens the
     * rest, measures again and closes them all; fails if any did not connect or was closed by the server.
     */
    private Growth grow(long pid, int total, Opener opener) throws Exception {
        int warmUp = total / 10;
        IdleSessions first = opener.open(warmUp);
        IdleSessions rest = null;
        try {
            check(first, warmUp);
            Thread.sleep(SETTLE_MILLIS);
            JvmMemory.Heap before = JvmMemory.liveHeap(pid);
            long rssBefore = JvmMemory.residentBytes(pid);
            rest = opener.open(total - warmUp);
            check(rest, total - warmUp);
            Thread.sleep(SETTLE_MILLIS);
            JvmMemory.Heap after = JvmMemory.liveHeap(pid);
            long rssAfter = JvmMemory.residentBytes(pid);
            check(first, warmUp);
            check(rest, total - warmUp);
            return new Growth(before, after, rssBefore, rssAfter, total - warmUp);
        } finally {
            first.closeAndWait(Duration.ofSeconds(30));
            if (rest != null) {
                rest.closeAndWait(Duration.ofSeconds(30));
            }
        }
    }

    private static void check(IdleSessions connections, int expected) {
        int connected = connections.connected();
        if (connected != expected) {
            throw new IllegalStateException(connected + " of " + expected + " connections are open (the server's"
                    + " connection cap, limits.connections.max, or its file limit?)");
        }
    }

    private String token() {
        long userId = nextUserId++;
        long now = System.currentTimeMillis();
        return tokens.issue(new TokenClaims(userId, 0, "bench-device-" + userId, now, now + TimeUnit.HOURS.toMillis(2)));
    }

    private long pidOf(String name) throws IOException {
        Long pid = ProcessCpu.ofCluster(cluster).pids().get(name);
        if (pid == null) {
            throw new IllegalStateException(name + " of " + cluster + " is not running");
        }
        return pid;
    }

    private static String fileLimit(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "limits"))) {
            if (line.startsWith("Max open files")) {
                return line.trim().split("\\s+")[3];
            }
        }
        return "?";
    }

    /**
     * Stops the node with SIGTERM and waits for its supervisor to start it again and for the new process
     * to be ready; returns its pid.
     */
    private long restartNode() throws IOException, InterruptedException {
        long old = pidOf(node);
        Path ready = cluster.resolve("run").resolve(node + ".ready");
        long stoppedAt = System.currentTimeMillis();
        ProcessHandle.of(old).ifPresent(ProcessHandle::destroy);
        long deadline = System.nanoTime() + RESTART_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            Long pid = ProcessCpu.ofCluster(cluster).pids().get(node);
            if (pid != null && pid != old && Files.exists(ready)
                    && Files.getLastModifiedTime(ready).toMillis() >= stoppedAt) {
                Thread.sleep(2000); // its relay links and shard map come up just after it is ready
                return pid;
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException(node + " did not come back within " + RESTART_TIMEOUT.toSeconds()
                + " s of its SIGTERM: --restart needs a supervised cluster (bin/local-cluster)");
    }

    /** A {@link BareServer} in a process of its own, with the presentation server's heap; closing stops it. */
    private record BaselineProcess(Process process, int port) implements AutoCloseable {
        static BaselineProcess start() throws IOException {
            Path java = Path.of(System.getProperty("java.home"), "bin", "java");
            Process process = new ProcessBuilder(java.toString(), BASELINE_HEAP, "-XX:+ExitOnOutOfMemoryError",
                    "-cp", System.getProperty("java.class.path"), BareServer.class.getName())
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8));
            String line = lines.readLine();
            if (line == null || !line.startsWith("port ")) {
                process.destroyForcibly();
                throw new IOException("the baseline server did not start: " + line);
            }
            return new BaselineProcess(process, Integer.parseInt(line.substring("port ".length()).trim()));
        }

        long pid() {
            return process.pid();
        }

        @Override
        public void close() throws IOException {
            process.getOutputStream().close();
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }

    private static void usage(PrintStream out) {
        out.println("usage: bin/duet-connections --local DIR [--sessions N] [--runs N] [--restart] [--node NAME]");
        out.println("                            [--classes N]");
        out.println("Idle authenticated sessions on one presentation server of a local cluster (bin/local-cluster),");
        out.println("and the heap (live, after a full GC) and resident memory each costs it, beside a bare Netty");
        out.println("echo server holding as many plain connections. --restart: a fresh server each run (needs");
        out.println("bin/local-cluster's supervisor). --classes: the classes whose heap grew most, per session.");
        out.println("Defaults: 18,000 sessions, 3 runs, presentation-1, 15 classes. The server needs a connection");
        out.println("cap above the sessions: bin/local-cluster --presentation-setting limits.connections.max=19500.");
    }
}
