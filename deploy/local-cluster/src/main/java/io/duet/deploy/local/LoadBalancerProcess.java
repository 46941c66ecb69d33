package io.duet.deploy.local;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * HAProxy as a node of the local cluster: {@code haproxy -db -f CONF} in the foreground, in its own
 * session like the other nodes, its output appended to its log file. It is ready when both frontends
 * accept connections. A small shell watchdog, started with it, stops it if the launcher's JVM dies
 * without stopping it (the Java nodes do the same with {@code ParentWatch}), so it never outlives the
 * cluster; the watchdog exits within a second of HAProxy.
 */
final class LoadBalancerProcess extends ChildProcess {
    private static final Logger LOG = LoggerFactory.getLogger(LoadBalancerProcess.class);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(15);
    private static final Duration STOP_GRACE = Duration.ofSeconds(10);
    /** Runs as {@code sh -c WATCHDOG sh PARENT_PID HAPROXY ARGS...}; {@code exec} makes HAProxy this pid. */
    private static final String WATCHDOG = "parent=$1; shift\n"
            + "( while kill -0 \"$parent\" 2>/dev/null && kill -0 $$ 2>/dev/null; do sleep 1; done\n"
            + "  kill -0 \"$parent\" 2>/dev/null || kill -TERM $$ 2>/dev/null ) </dev/null >/dev/null 2>&1 &\n"
            + "exec \"$@\"\n";

    /** Columns of HAProxy's {@code show stat} CSV (0-based): {@code status} and {@code weight}. */
    private static final int STATUS_FIELD = 17;
    private static final int WEIGHT_FIELD = 18;

    private final String binary;
    private final Path config;
    private final Path statsSocket;
    private final int tcpPort;
    private final int httpPort;

    LoadBalancerProcess(String binary, Path config, Path statsSocket, Path logFile, int tcpPort, int httpPort) {
        super("haproxy", logFile, STOP_GRACE);
        this.binary = binary;
        this.config = config;
        this.statsSocket = statsSocket;
        this.tcpPort = tcpPort;
        this.httpPort = httpPort;
    }

    /**
     * The HAProxy executable {@code binary} names, itself if it is a path, or found on {@code $PATH};
     * null when there is none.
     */
    static Path find(String binary) {
        if (binary.contains(File.separator)) {
            Path path = Path.of(binary);
            return Files.isRegularFile(path) && Files.isExecutable(path) ? path.toAbsolutePath() : null;
        }
        String searchPath = System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
        List<String> dirs = new ArrayList<>(List.of(searchPath.split(File.pathSeparator)));
        dirs.add("/usr/sbin"); // Debian installs haproxy here, not always on a non-root user's PATH
        for (String dir : dirs) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir, binary);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    @Override
    public NodeKind kind() {
        return NodeKind.LOAD_BALANCER;
    }

    @Override
    public synchronized Map<String, String> readyInfo() {
        if (!isRunning()) {
            return Map.of();
        }
        return Map.of("endpoint.tcp", Integer.toString(tcpPort), "endpoint.http", Integer.toString(httpPort));
    }

    @Override
    public synchronized void start() throws IOException, InterruptedException {
        if (isRunning()) {
            return;
        }
        Files.deleteIfExists(statsSocket);
        launch(List.of("setsid", "sh", "-c", WATCHDOG, "sh", Long.toString(ProcessHandle.current().pid()), binary,
                "-db", "-f", config.toString()));
        // Ready when both frontends accept connections.
        awaitReady(() -> accepts(tcpPort) && accepts(httpPort), START_TIMEOUT);
        LOG.info("haproxy is ready (pid {}): client endpoint tcp 127.0.0.1:{}, http 127.0.0.1:{}", process.pid(),
                tcpPort, httpPort);
    }

    private static boolean accepts(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Waits until HAProxy has server {@code name} in rotation (its health checks passed: {@code UP}) or
     * out of it ({@code DOWN}, {@code MAINT}, or {@code DRAIN} as its agent check said).
     */
    void awaitInRotation(String name, boolean inRotation, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<String, String> states = serverStates();
        while (!(inRotation ? "UP".equals(states.get(name)) : states.getOrDefault(name, "").matches("DOWN|MAINT.*|DRAIN.*"))) {
            if (System.nanoTime() > deadline) {
                throw new IOException("haproxy did not take " + name + (inRotation ? " in" : " out of")
                        + " rotation within " + timeout.toMillis() + " ms; states: " + states);
            }
            Thread.sleep(50);
            states = serverStates();
        }
    }

    /**
     * Each presentation server's state in the client TCP backend, as HAProxy's health checks see it:
     * {@code UP}, {@code DOWN}, or a transition such as {@code UP 1/2} (going down) or {@code DOWN 1/2}.
     */
    Map<String, String> serverStates() throws IOException {
        return serverStats(STATUS_FIELD);
    }

    /**
     * Each presentation server's current weight in the client TCP backend: 100 as configured, scaled by
     * what its agent check last said ({@code ready 40%} makes it 40), 0 while it drains.
     */
    Map<String, Integer> serverWeights() throws IOException {
        Map<String, Integer> weights = new LinkedHashMap<>();
        serverStats(WEIGHT_FIELD).forEach((name, weight) -> weights.put(name, Integer.parseInt(weight)));
        return weights;
    }

    /** Field {@code field} of {@code show stat} ({@code status}, {@code weight}, ...) for each server of the TCP backend. */
    private synchronized Map<String, String> serverStats(int field) throws IOException {
        if (!isRunning()) {
            throw new IOException("haproxy is not running");
        }
        Map<String, String> values = new LinkedHashMap<>();
        for (String line : stats("show stat").split("\n")) {
            String[] fields = line.split(",", -1);
            if (fields.length > field && fields[0].equals(HaproxyConfig.TCP_BACKEND)
                    && !fields[1].equals("BACKEND") && !fields[1].equals("FRONTEND")) {
                values.put(fields[1], fields[field]);
            }
        }
        return values;
    }

    private String stats(String command) throws IOException {
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(statsSocket));
            channel.write(ByteBuffer.wrap((command + "\n").getBytes(StandardCharsets.US_ASCII)));
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            ByteBuffer buffer = ByteBuffer.allocate(16 * 1024);
            while (channel.read(buffer) >= 0) {
                answer.write(buffer.array(), 0, buffer.position());
                buffer.clear();
            }
            return answer.toString(StandardCharsets.UTF_8);
        }
    }
}
