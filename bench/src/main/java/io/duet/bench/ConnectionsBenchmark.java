package io.duet.bench;

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
 * {@code bin/duet-connections}: idle authenticated sessions on one presentation server, and what each costs
 * it in heap and resident memory, beside the baseline of a bare Netty echo server ({@link BareServer})
 * holding as many plain connections, measured in the same run.
 *
 * <p>Each run starts a fresh presentation server of its own in the local cluster ({@link BenchServer}: the
 * configuration of presentation-1, its own ports, a connection cap above the sessions, presentation-1's
 * heap), because memory a JVM once touched stays resident: only a fresh process shows the resident set
 * sessions add. It opens a tenth of the sessions first and keeps them (they warm the server's code paths
 * up), measures, opens the rest and measures again: per session is the growth over the rest. The heap is
 * the live heap after a full GC ({@code jcmd GC.class_histogram}), the resident set {@code VmRSS}. Tokens
 * are minted with the cluster's secret, for unpaired users of ids no real user has: each session is
 * authenticated and opens its stream to an application server, as any session does, but joins no couple.
 * The baseline server is a fresh process each run too.
 */
public final class ConnectionsBenchmark {
    private static final String BASELINE_HEAP = "-Xmx256m";
    private static final Duration AUTH_TIMEOUT = Duration.ofSeconds(120);
    /** Before each measurement: the last sessions' streams are being opened at the application servers. */
    private static final long SETTLE_MILLIS = 2000;

    private final Path cluster;
    private final Path serverClasses;
    private final TokenCodec tokens;
    private final EventLoopGroup group;
    private final PrintStream out;
    private long nextUserId;

    private ConnectionsBenchmark(Path cluster, Path serverClasses, TokenCodec tokens, EventLoopGroup group,
            PrintStream out) {
        this.cluster = cluster;
        this.serverClasses = serverClasses;
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
        Path local;
        Path serverClasses;
        int sessions;
        int runs;
        int classes;
        try {
            BenchOptions options = BenchOptions.parse(args,
                    List.of("--local", "--server-classes", "--sessions", "--runs", "--classes"), List.of());
            if (options.help()) {
                usage(out);
                return 0;
            }
            local = options.path("--local", null);
            serverClasses = options.path("--server-classes", null);
            sessions = options.integer("--sessions", 18_000);
            runs = options.integer("--runs", 3);
            classes = options.integer("--classes", 15);
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
        Properties conf = BenchMains.localClusterConf(local, BenchServer.TEMPLATE + ".properties");
        String secret = SecretFiles.readPrivate("token.secret-file", Path.of(conf.getProperty("token.secret-file")));
        TokenCodec tokens = TokenCodec.create(secret, List.of(), Clock.systemUTC());
        if (serverClasses == null) {
            serverClasses = BenchServer.home().resolve("presentation-server/target/classes");
        }
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, new DefaultThreadFactory("duet-connections", true),
                NioIoHandler.newFactory());
        try {
            return new ConnectionsBenchmark(local, serverClasses, tokens, group, out).measure(sessions, runs, classes);
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    /** What one side of a run cost per connection. */
    private record PerConnection(double heapBytes, double residentBytes, int connections) {
    }

    private int measure(int sessions, int runs, int classes) throws Exception {
        out.printf(Locale.ROOT, "Idle sessions on a fresh presentation server of %s each run (classes %s): %,d per run,"
                + " %d runs%n", cluster, serverClasses, sessions, runs);
        List<Double> duetHeap = new ArrayList<>();
        List<Double> duetRss = new ArrayList<>();
        List<Double> bareHeap = new ArrayList<>();
        List<Double> bareRss = new ArrayList<>();
        Growth last = null;
        for (int run = 1; run <= runs; run++) {
            Growth duet;
            try (BenchServer server = BenchServer.start(cluster, serverClasses, sessions + 1000)) {
                out.printf(Locale.ROOT, "run %d: presentation server pid %d on %s, %d files open of %s%n", run,
                        server.pid(), server.tcp(), JvmMemory.openFiles(server.pid()), fileLimit(server.pid()));
                duet = grow(server.pid(), sessions, count -> {
                    IdleSessions opened = IdleSessions.open(group, server.tcp(), count, i -> token());
                    if (!opened.awaitAuthenticated(AUTH_TIMEOUT)) {
                        throw new IllegalStateException(opened.authenticated() + " of " + count
                                + " sessions authenticated in " + AUTH_TIMEOUT.toSeconds() + " s");
                    }
                    return opened;
                });
            }
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

    private static String fileLimit(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "limits"))) {
            if (line.startsWith("Max open files")) {
                return line.trim().split("\\s+")[3];
            }
        }
        return "?";
    }

    /** A {@link BareServer} in a process of its own, with the presentation server's heap; closing stops it. */
    private record BaselineProcess(Process process, int port) implements AutoCloseable {
        static BaselineProcess start() throws IOException {
            List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    BASELINE_HEAP, "-XX:+ExitOnOutOfMemoryError"));
            String logging = System.getProperty("logback.configurationFile");
            if (logging != null) {
                command.add("-Dlogback.configurationFile=" + logging);
            }
            command.addAll(List.of("-cp", System.getProperty("java.class.path"), BareServer.class.getName()));
            Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8));
            // Its port, after whatever its logging printed first.
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                if (line.startsWith("port ")) {
                    return new BaselineProcess(process, Integer.parseInt(line.substring("port ".length()).trim()));
                }
            }
            process.destroyForcibly();
            throw new IOException("the baseline server exited before it listened");
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
        out.println("usage: bin/duet-connections --local DIR [--sessions N] [--runs N] [--classes N]");
        out.println("                            [--server-classes DIR]");
        out.println("Idle authenticated sessions on a fresh presentation server in a local cluster (bin/local-cluster),");
        out.println("and the heap (live, after a full GC) and resident memory each costs it, beside a bare Netty");
        out.println("echo server holding as many plain connections. --classes: how many of the classes whose heap");
        out.println("grew most to list. --server-classes: the presentation server's compiled classes (default: this");
        out.println("checkout's), to measure another version. Defaults: 18,000 sessions, 3 runs, 15 classes.");
    }
}
