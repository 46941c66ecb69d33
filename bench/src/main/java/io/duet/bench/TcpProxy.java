package io.duet.bench;

import io.duet.process.ProcStat;
import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * An HAProxy of the benchmark's own in TCP mode: one frontend on 127.0.0.1 per back end, which it passes
 * the bytes to unread (TLS goes through end to end). Started by {@link #start}, stopped by {@link #close}.
 */
final class TcpProxy implements AutoCloseable {
    /** How its CPU is named beside the cluster's processes. */
    static final String NODE = "bench-haproxy";
    private static final long START_TIMEOUT_MILLIS = 20_000;

    private final Process process;
    private final Path dir;
    private final Map<InetSocketAddress, InetSocketAddress> fronts;

    private TcpProxy(Process process, Path dir, Map<InetSocketAddress, InetSocketAddress> fronts) {
        this.process = process;
        this.dir = dir;
        this.fronts = fronts;
    }

    /** Starts HAProxy in front of each of {@code backEnds} (by name), and waits until every frontend listens. */
    static TcpProxy start(Map<String, InetSocketAddress> backEnds) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("duet-relay-cost-");
        Map<InetSocketAddress, InetSocketAddress> fronts = new LinkedHashMap<>();
        StringBuilder config = new StringBuilder(String.join("\n",
                "global", "  maxconn 1000",
                "defaults", "  mode tcp", "  timeout connect 5s", "  timeout client 120s", "  timeout server 120s", ""));
        for (Map.Entry<String, InetSocketAddress> backEnd : backEnds.entrySet()) {
            InetSocketAddress front = new InetSocketAddress("127.0.0.1", freePort());
            fronts.put(backEnd.getValue(), front);
            config.append("listen ").append(backEnd.getKey()).append('\n')
                    .append("  bind 127.0.0.1:").append(front.getPort()).append('\n')
                    .append("  server ").append(backEnd.getKey()).append(' ').append(backEnd.getValue().getHostString())
                    .append(':').append(backEnd.getValue().getPort()).append('\n');
        }
        Path file = dir.resolve("tcp-proxy.cfg");
        Files.writeString(file, config);
        Process process = new ProcessBuilder(binary(), "-db", "-f", file.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("haproxy.log").toFile()).start();
        TcpProxy proxy = new TcpProxy(process, dir, fronts);
        try {
            for (InetSocketAddress front : fronts.values()) {
                proxy.awaitListening(front);
            }
        } catch (IOException | RuntimeException e) {
            proxy.close();
            throw e;
        }
        return proxy;
    }

    private static String binary() {
        List<String> dirs = new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)));
        dirs.add("/usr/sbin");
        for (String dir : dirs) {
            Path candidate = Path.of(dir, "haproxy");
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        throw new IllegalStateException("haproxy is not installed (not on the PATH, nor in /usr/sbin)");
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private void awaitListening(InetSocketAddress front) throws IOException, InterruptedException {
        long deadline = System.currentTimeMillis() + START_TIMEOUT_MILLIS;
        while (true) {
            if (!process.isAlive()) {
                throw new IOException("haproxy exited: " + Files.readString(dir.resolve("haproxy.log")).strip());
            }
            try (Socket probe = new Socket()) {
                probe.connect(front, 1000);
                return;
            } catch (IOException e) {
                if (System.currentTimeMillis() > deadline) {
                    throw new IOException("haproxy does not listen on " + front + " after " + START_TIMEOUT_MILLIS + " ms");
                }
                Thread.sleep(100);
            }
        }
    }

    /** The frontend that leads to {@code backEnd}. */
    InetSocketAddress frontOf(InetSocketAddress backEnd) {
        InetSocketAddress front = fronts.get(backEnd);
        if (front == null) {
            throw new IllegalArgumentException("no frontend for " + backEnd);
        }
        return front;
    }

    /** Its CPU time so far, in microseconds; empty once it is gone. */
    Optional<Long> cpuMicros() {
        try {
            return Optional.of(ProcStat.read(process.pid()).cpuTicks() * 10_000);
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
        try (var files = Files.list(dir)) {
            for (Path file : files.toList()) {
                Files.deleteIfExists(file);
            }
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            // A temporary directory left behind.
        }
    }
}
