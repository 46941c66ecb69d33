package io.duet.deploy.local;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * One process of a local cluster, and the faults a test can inject into it. Every method waits until
 * the process is in the requested state.
 */
public interface Node {
    /** A stable name, such as {@code app-1}, also the name of its log file. */
    String name();

    NodeKind kind();

    /** The operating system's process id, or -1 when not running. */
    long pid();

    boolean isRunning();

    /** What the process reported when it became ready (the ports it bound), empty when not running. */
    Map<String, String> readyInfo();

    /**
     * The base URL of a Duet server's admin port ({@code /live}, {@code /ready}, {@code /metrics}), as its
     * ready file gives it ({@code admin.host}, {@code admin.port}); empty when the node is not running or
     * has no admin port (ZooKeeper, HBase). The local cluster binds it to any free port, so it changes when
     * the node restarts.
     */
    default Optional<URI> adminEndpoint() {
        Map<String, String> info = readyInfo();
        String port = info.get("admin.port");
        if (port == null) {
            return Optional.empty();
        }
        return Optional.of(URI.create("http://" + info.getOrDefault("admin.host", "127.0.0.1") + ':' + port));
    }

    Path logFile();

    /** Starts the process if it is not running, and waits until it is ready. */
    void start() throws IOException, InterruptedException;

    /** SIGTERM, then waits for a clean exit (SIGKILL after a grace period). */
    void stop() throws InterruptedException;

    /** SIGKILL: the process gets no chance to clean up. */
    void kill() throws InterruptedException;

    /** SIGSTOP: the process freezes, keeping its sockets and sessions open, as in a long GC pause. */
    void pause() throws IOException, InterruptedException;

    /** SIGCONT after {@link #pause()}. */
    void resume() throws IOException, InterruptedException;

    /** {@link #stop()} then {@link #start()}. */
    default void restart() throws IOException, InterruptedException {
        stop();
        start();
    }
}
