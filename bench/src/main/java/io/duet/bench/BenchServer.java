package io.duet.bench;

import io.duet.process.ReadyFile;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * A presentation server of {@link ConnectionsBenchmark}'s own in a local cluster: presentation-1's
 * configuration (the cluster's ZooKeeper, token secret and relay certificate) with ports of its own, a
 * connection cap of the benchmark's choosing, and the heap and flags the local cluster gives presentation
 * servers. Clients reach it directly, not through HAProxy. Started by {@link #start}; {@link #close} stops
 * it (SIGTERM: a drain, quick with no sessions left) and removes its files.
 */
final class BenchServer implements AutoCloseable {
    /** The node whose configuration it copies. */
    static final String TEMPLATE = "presentation-1";
    /** As the local cluster starts presentation servers ({@code NodeFactory}). */
    private static final List<String> JVM_FLAGS = List.of("-Xmx256m", "-XX:+ExitOnOutOfMemoryError", "--add-opens",
            "java.base/java.nio=ALL-UNNAMED");
    private static final long START_TIMEOUT_SECONDS = 90;

    private final Process process;
    private final Path dir;
    private final InetSocketAddress tcp;

    private BenchServer(Process process, Path dir, InetSocketAddress tcp) {
        this.process = process;
        this.dir = dir;
        this.tcp = tcp;
    }

    /**
     * The Duet checkout the benchmark runs from: {@code -Dduet.home} (the bin scripts set it), else the
     * nearest parent of the working directory that holds one (a test runs in a module's directory).
     */
    static Path home() {
        String home = System.getProperty("duet.home", System.getenv("DUET_HOME"));
        if (home != null && !home.isBlank()) {
            return Path.of(home);
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isDirectory(dir.resolve("presentation-server")) && Files.exists(dir.resolve("pom.xml"))) {
                return dir;
            }
        }
        throw new IllegalStateException("no Duet checkout above " + Path.of("").toAbsolutePath()
                + ": run bin/duet-connections, or set -Dduet.home");
    }

    /**
     * Starts a presentation server of the cluster in {@code cluster} from {@code classes} (and the checkout's
     * runtime classpath of presentation-server), taking at most {@code maxConnections} client connections;
     * waits until it is ready.
     */
    static BenchServer start(Path cluster, Path classes, int maxConnections) throws IOException, InterruptedException {
        Properties settings = BenchMains.localClusterConf(cluster, TEMPLATE + ".properties");
        Path dir = Files.createTempDirectory("duet-bench-server-");
        settings.setProperty("server.id", "presentation-bench");
        for (String port : List.of("client.tcp.port", "client.http.port", "admin.port", "agent.port")) {
            settings.setProperty(port, "0");
        }
        settings.setProperty("limits.connections.max", Integer.toString(maxConnections));
        Path config = dir.resolve("presentation-bench.properties");
        try (OutputStream file = Files.newOutputStream(config)) {
            settings.store(file, "Written by bin/duet-connections from " + TEMPLATE + "'s");
        }
        Path ready = dir.resolve("presentation-bench.ready");
        Path runtime = home().resolve("presentation-server/target/runtime-classpath.txt");
        String classpath = classes + File.pathSeparator + Files.readString(runtime, StandardCharsets.UTF_8).trim();
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(JVM_FLAGS);
        command.addAll(List.of("-cp", classpath, "io.duet.presentation.PresentationServerMain", "--config",
                config.toString(), "--ready-file", ready.toString()));
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve("presentation-bench.log").toFile()).start();
        BenchServer server = null;
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(START_TIMEOUT_SECONDS);
            while (!Files.exists(ready)) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    throw new IOException("the benchmark's presentation server did not start; its log: "
                            + tail(dir.resolve("presentation-bench.log")));
                }
                Thread.sleep(100);
            }
            Map<String, String> info = ReadyFile.read(ready);
            server = new BenchServer(process, dir, new InetSocketAddress("127.0.0.1",
                    Integer.parseInt(info.get("client.tcp.port"))));
            return server;
        } finally {
            if (server == null) {
                process.destroyForcibly();
            }
        }
    }

    private static String tail(Path log) {
        try (InputStream in = Files.newInputStream(log)) {
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return text.substring(Math.max(0, text.length() - 2000));
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }

    long pid() {
        return process.pid();
    }

    /** Its client TCP port. */
    InetSocketAddress tcp() {
        return tcp;
    }

    @Override
    public void close() throws InterruptedException, IOException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
        try (var files = Files.list(dir)) {
            for (Path file : files.toList()) {
                Files.deleteIfExists(file);
            }
        }
        Files.deleteIfExists(dir);
    }
}
