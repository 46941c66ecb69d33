package io.duet.deploy.local;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every node process of the local cluster shares: launching it with its output appended to its
 * log file, waiting for it to be ready, and stopping, killing, pausing and resuming it by signal.
 * Subclasses say how to launch it and when it is ready.
 *
 * <p>A process that exits after it was ready without being asked to ({@link #stop()}, {@link #kill()}) is
 * reported to the {@link DeathListener}, if there is one (the local cluster's supervisor).
 */
abstract class ChildProcess implements Node {
    private static final Logger LOG = LoggerFactory.getLogger(ChildProcess.class);

    private final String name;
    private final Path logFile;
    private final Duration stopGrace;
    /** The running process, or the last one; null before the first start. Guarded by {@code this}. */
    protected Process process;
    /** Whether it was sent SIGSTOP and not SIGCONT since. Guarded by {@code this}. */
    private boolean paused;
    /** The process that became ready and was not asked to stop since, or null. */
    private volatile Process ready;
    private volatile DeathListener deathListener;
    /** How many times {@link #stop()} or {@link #kill()} was called. Guarded by {@code this}. */
    private long stopRequests;

    ChildProcess(String name, Path logFile, Duration stopGrace) {
        this.name = name;
        this.logFile = logFile;
        this.stopGrace = stopGrace;
    }

    /** Whether a just-launched process is ready. */
    interface ReadyCheck {
        boolean ready() throws IOException;
    }

    /** Hears of a ready process's exit that nobody asked for (killed from outside, crashed). */
    interface DeathListener {
        /**
         * Called on a JDK thread as soon as the process is gone.
         *
         * @param exitValue as {@link Process#exitValue()} gives it: 128 + N when killed by signal N
         */
        void died(ChildProcess node, long pid, int exitValue, Duration uptime);
    }

    void deathListener(DeathListener listener) {
        this.deathListener = listener;
    }

    /** How many times {@link #stop()} or {@link #kill()} has been called: a change means "leave it down". */
    synchronized long stopRequests() {
        return stopRequests;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Path logFile() {
        return logFile;
    }

    @Override
    public synchronized long pid() {
        return isRunning() ? process.pid() : -1;
    }

    @Override
    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** Starts {@code command} with its output appended to the log file, after a line that says so. */
    protected void launch(List<String> command) throws IOException {
        Files.createDirectories(logFile.getParent());
        Files.writeString(logFile, "=== starting " + name + " at " + Instant.now() + "\n", StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        paused = false;
        process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .start();
    }

    /**
     * Waits until {@code check} says the launched process is ready; fails, with the end of its log, if it
     * exits first or is not ready within {@code timeout} (then it is killed).
     */
    protected void awaitReady(ReadyCheck check, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!check.ready()) {
            if (!process.isAlive()) {
                throw new IOException(name + " exited with status " + process.exitValue()
                        + " before it was ready; last lines of " + logFile + ":\n" + tail(logFile, 40));
            }
            if (System.nanoTime() > deadline) {
                process.destroyForcibly().waitFor();
                throw new IOException(name + " was not ready within " + timeout.toSeconds()
                        + " s; last lines of " + logFile + ":\n" + tail(logFile, 40));
            }
            Thread.sleep(50);
        }
        Process launched = process;
        long readyAt = System.nanoTime();
        ready = launched;
        launched.onExit().thenRun(() -> {
            DeathListener listener = deathListener;
            if (ready == launched && listener != null) {
                listener.died(this, launched.pid(), launched.exitValue(), Duration.ofNanos(System.nanoTime() - readyAt));
            }
        });
    }

    /** Called (holding {@code this}) once the process was stopped or killed. */
    protected void ended() {
    }

    @Override
    public synchronized void stop() throws InterruptedException {
        stopRequested();
        if (!isRunning()) {
            return;
        }
        if (paused) {
            // A stopped process would not act on SIGTERM. Only then: the signal costs a process spawn.
            signal("CONT");
            paused = false;
        }
        process.destroy();
        if (!process.waitFor(stopGrace.toMillis(), TimeUnit.MILLISECONDS)) {
            LOG.warn("{} did not stop within {} s of SIGTERM; killing it", name, stopGrace.toSeconds());
            process.destroyForcibly().waitFor();
        }
        ended();
    }

    @Override
    public synchronized void kill() throws InterruptedException {
        stopRequested();
        if (!isRunning()) {
            return;
        }
        process.destroyForcibly().waitFor();
        ended();
    }

    private void stopRequested() {
        stopRequests++;
        ready = null;
    }

    @Override
    public synchronized void pause() throws IOException, InterruptedException {
        requireRunning();
        signal("STOP");
        paused = true;
    }

    @Override
    public synchronized void resume() throws IOException, InterruptedException {
        requireRunning();
        signal("CONT");
        paused = false;
    }

    private void requireRunning() {
        if (!isRunning()) {
            throw new IllegalStateException(name + " is not running");
        }
    }

    /** Sends SIG{@code signal} with {@code kill}, logging (not throwing) a failure. */
    private void signal(String signal) throws InterruptedException {
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid()))
                    .redirectErrorStream(true).start();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                LOG.warn("kill -{} {} failed", signal, process.pid());
            }
        } catch (IOException e) {
            LOG.warn("cannot send SIG{} to {}", signal, name, e);
        }
    }

    static String tail(Path file, int lines) {
        try {
            List<String> all = List.of(new String(Files.readAllBytes(file), StandardCharsets.UTF_8).split("\n"));
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(cannot read " + file + ": " + e.getMessage() + ")";
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
