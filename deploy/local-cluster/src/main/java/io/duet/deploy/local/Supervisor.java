package io.duet.deploy.local;

import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Heals a local cluster: logs each node's death that nobody asked for, with its exit status, and
 * restarts the node by its {@link RestartPolicy}, or reports a crash loop and leaves it down. Nodes
 * stopped or killed through their API ({@link Node#stop()}, {@link Node#kill()}) are left down. A node
 * that exits as after a clean SIGTERM (status 143), which someone outside asked for (rolling-deploy's
 * {@code kill -TERM}), is restarted after the first backoff without counting towards a crash loop. Active
 * only between {@link #activate()} (the cluster is up) and {@link #deactivate()} (it is stopping).
 */
final class Supervisor {
    private static final Logger LOG = LoggerFactory.getLogger(Supervisor.class);
    /** A JVM's exit status after it ran its shutdown hooks on SIGTERM: 128 + 15. */
    static final int SIGTERM_EXIT = 128 + 15;

    private final SupervisionSettings settings;
    private final Map<ChildProcess, Watch> watches = new LinkedHashMap<>();
    /** One thread per node: each node has at most one restart waiting or running. */
    private final ScheduledExecutorService executor;
    private volatile boolean active;

    /** One node's supervision; guarded by itself. */
    private static final class Watch {
        final ChildProcess node;
        final RestartPolicy policy;
        NodeHealth.State state = NodeHealth.State.UP;
        int restarts;
        String lastDeath;
        ScheduledFuture<?> pending;

        Watch(ChildProcess node, RestartPolicy policy) {
            this.node = node;
            this.policy = policy;
        }
    }

    Supervisor(SupervisionSettings settings, List<ChildProcess> nodes) {
        this.settings = settings;
        for (ChildProcess node : nodes) {
            watches.put(node, new Watch(node, new RestartPolicy(settings)));
            node.deathListener(this::died);
        }
        this.executor = Executors.newScheduledThreadPool(Math.max(1, nodes.size()), runnable -> {
            Thread thread = new Thread(runnable, "local-cluster-supervisor");
            thread.setDaemon(true);
            return thread;
        });
    }

    /** From now on, heals: the cluster is up. Forgets earlier deaths and crash loops. */
    void activate() {
        for (Watch watch : watches.values()) {
            synchronized (watch) {
                watch.policy.reset();
                watch.state = NodeHealth.State.UP;
            }
        }
        active = true;
    }

    /** Stops healing, and cancels restarts not begun: the cluster is stopping. */
    void deactivate() {
        active = false;
        for (Watch watch : watches.values()) {
            synchronized (watch) {
                if (watch.pending != null) {
                    watch.pending.cancel(false);
                }
            }
        }
    }

    NodeHealth health(Node node) {
        Watch watch = watches.get(node);
        if (watch == null) {
            throw new IllegalArgumentException("not supervised: " + node);
        }
        synchronized (watch) {
            NodeHealth.State state = watch.state == NodeHealth.State.UP && !node.isRunning()
                    ? NodeHealth.State.STOPPED : watch.state;
            return new NodeHealth(state, watch.restarts, Optional.ofNullable(watch.lastDeath));
        }
    }

    private void died(ChildProcess node, long pid, int exitValue, Duration uptime) {
        Watch watch = watches.get(node);
        String death = describeExit(node.name(), pid, exitValue, uptime);
        synchronized (watch) {
            if (!active) {
                watch.lastDeath = death;
                LOG.warn("{}; not restarting it: the cluster is not up", death);
                return;
            }
            scheduleRestart(watch, death, restartDelay(watch.policy, settings, exitValue, uptime, System.nanoTime()),
                    node.stopRequests());
        }
    }

    /**
     * How long to wait before restarting a node that exited with {@code exitValue} at {@code now} after
     * {@code uptime} up, or empty for a crash loop. A clean stop on SIGTERM (status 143), which someone
     * outside asked for (rolling-deploy's {@code kill -TERM}), restarts after the first backoff and is not
     * counted in {@code policy}; any other exit is a death, counted.
     */
    static Optional<Duration> restartDelay(RestartPolicy policy, SupervisionSettings settings, int exitValue,
            Duration uptime, long now) {
        return exitValue == SIGTERM_EXIT ? Optional.of(settings.firstBackoff()) : policy.died(now, uptime);
    }

    /** The log line's start for a node's exit: a clean stop on SIGTERM reads as one, any other exit as a death. */
    static String describeExit(String name, long pid, int exitValue, Duration uptime) {
        String up = String.format("after %.1f s up", uptime.toMillis() / 1000.0);
        return exitValue == SIGTERM_EXIT
                ? String.format("%s (pid %d) stopped cleanly on SIGTERM (exit status %d) %s (not counted towards a"
                        + " crash loop)", name, pid, exitValue, up)
                : String.format("%s (pid %d) died: %s %s", name, pid, describeExit(exitValue), up);
    }

    /** Holding {@code watch}. */
    private void scheduleRestart(Watch watch, String what, Duration uptime, long stopRequests) {
        scheduleRestart(watch, what, watch.policy.died(System.nanoTime(), uptime), stopRequests);
    }

    /** Holding {@code watch}; {@code delay} empty for a crash loop. */
    private void scheduleRestart(Watch watch, String what, Optional<Duration> delay, long stopRequests) {
        watch.lastDeath = what;
        if (delay.isEmpty()) {
            watch.state = NodeHealth.State.CRASH_LOOP;
            LOG.error("{}. CRASH LOOP: {} died {} times within {} s; not restarting it (log: {})", what,
                    watch.node.name(), watch.policy.recentDeaths(), settings.crashLoopWindow().toSeconds(),
                    watch.node.logFile());
            return;
        }
        watch.state = NodeHealth.State.RESTARTING;
        LOG.warn("{}; restarting it in {} ms", what, delay.get().toMillis());
        try {
            watch.pending = executor.schedule(() -> restart(watch, stopRequests), delay.get().toMillis(),
                    TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            LOG.warn("not restarting {}: the supervisor is closed", watch.node.name());
        }
    }

    private void restart(Watch watch, long stopRequests) {
        ChildProcess node = watch.node;
        if (!active || node.stopRequests() != stopRequests) {
            LOG.info("not restarting {}: {}", node.name(), active ? "it was stopped on request" : "the cluster is stopping");
            synchronized (watch) {
                watch.state = NodeHealth.State.UP; // reads as STOPPED while it is not running
            }
            return;
        }
        try {
            node.start();
            synchronized (watch) {
                watch.restarts++;
                watch.state = NodeHealth.State.UP;
            }
            LOG.info("{} restarted (pid {})", node.name(), node.pid());
        } catch (IOException e) {
            // The message ends with the tail of the node's log; the log line names the file instead.
            String reason = String.valueOf(e.getMessage()).split("\n", 2)[0].replaceFirst("; last lines of .*", "");
            synchronized (watch) {
                if (active) {
                    scheduleRestart(watch, node.name() + " failed to restart: " + reason, Duration.ZERO, stopRequests);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * {@code exitValue} as the JDK gives it, which cannot tell {@code exit(137)} from death by SIGKILL:
     * above 128 it is read as a signal.
     */
    static String describeExit(int exitValue) {
        if (exitValue > 128 && exitValue < 160) {
            int signal = exitValue - 128;
            return "killed by signal " + signal + signalName(signal);
        }
        return "exit status " + exitValue;
    }

    private static String signalName(int signal) {
        switch (signal) {
            case 1: return " (SIGHUP)";
            case 2: return " (SIGINT)";
            case 3: return " (SIGQUIT)";
            case 4: return " (SIGILL)";
            case 6: return " (SIGABRT)";
            case 7: return " (SIGBUS)";
            case 8: return " (SIGFPE)";
            case 9: return " (SIGKILL)";
            case 11: return " (SIGSEGV)";
            case 13: return " (SIGPIPE)";
            case 15: return " (SIGTERM)";
            default: return "";
        }
    }

    /** Stops healing for good; restarts under way are interrupted. Idempotent. */
    void close() throws InterruptedException {
        deactivate();
        executor.shutdownNow();
        if (!executor.awaitTermination(30, TimeUnit.SECONDS)) {
            LOG.warn("the supervisor's restarts did not end within 30 s");
        }
    }
}
