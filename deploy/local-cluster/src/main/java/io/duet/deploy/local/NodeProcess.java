package io.duet.deploy.local;

import io.duet.process.ParentWatch;
import io.duet.process.ReadyFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Java process of the local cluster, started in its own session ({@code setsid}) so that a Ctrl-C in
 * the launcher's terminal reaches only the launcher, which then stops the nodes in order. Its output is
 * appended to its log file; it is ready when it has written its ready file.
 */
final class NodeProcess implements Node {
    private static final Logger LOG = LoggerFactory.getLogger(NodeProcess.class);
    private static final Duration STOP_GRACE = Duration.ofSeconds(30);

    private final String name;
    private final NodeKind kind;
    private final List<String> jvmOptions;
    private final String classpath;
    private final String mainClass;
    private final List<String> arguments;
    private final Path logFile;
    private final Path readyFile;
    private final Duration startTimeout;

    private Process process;
    private Map<String, String> readyInfo = Map.of();

    NodeProcess(String name, NodeKind kind, List<String> jvmOptions, String classpath, String mainClass,
            List<String> arguments, Path logFile, Path readyFile, Duration startTimeout) {
        this.name = name;
        this.kind = kind;
        this.jvmOptions = List.copyOf(jvmOptions);
        this.classpath = classpath;
        this.mainClass = mainClass;
        this.arguments = List.copyOf(arguments);
        this.logFile = logFile;
        this.readyFile = readyFile;
        this.startTimeout = startTimeout;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public NodeKind kind() {
        return kind;
    }

    @Override
    public synchronized long pid() {
        return isRunning() ? process.pid() : -1;
    }

    @Override
    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    @Override
    public synchronized Map<String, String> readyInfo() {
        return isRunning() ? readyInfo : Map.of();
    }

    @Override
    public Path logFile() {
        return logFile;
    }

    @Override
    public synchronized void start() throws IOException, InterruptedException {
        if (isRunning()) {
            return;
        }
        Files.deleteIfExists(readyFile);
        Files.createDirectories(logFile.getParent());
        List<String> command = new ArrayList<>();
        command.add("setsid");
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(jvmOptions);
        command.add("-D" + ParentWatch.PROPERTY + "=" + ProcessHandle.current().pid());
        command.add("-cp");
        command.add(classpath);
        command.add(mainClass);
        command.addAll(arguments);
        Files.writeString(logFile, "=== starting " + name + " at " + java.time.Instant.now() + "\n",
                StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
        awaitReady();
        LOG.info("{} is ready (pid {})", name, process.pid());
    }

    private void awaitReady() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + startTimeout.toNanos();
        while (!Files.exists(readyFile)) {
            if (!process.isAlive()) {
                throw new IOException(name + " exited with status " + process.exitValue()
                        + " before it was ready; last lines of " + logFile + ":\n" + tail(logFile, 40));
            }
            if (System.nanoTime() > deadline) {
                process.destroyForcibly().waitFor();
                throw new IOException(name + " was not ready within " + startTimeout.toSeconds()
                        + " s; last lines of " + logFile + ":\n" + tail(logFile, 40));
            }
            Thread.sleep(50);
        }
        readyInfo = ReadyFile.read(readyFile);
    }

    @Override
    public synchronized void stop() throws InterruptedException {
        if (!isRunning()) {
            return;
        }
        signal("CONT");
        process.destroy();
        if (!process.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
            LOG.warn("{} did not stop within {} s of SIGTERM; killing it", name, STOP_GRACE.toSeconds());
            process.destroyForcibly().waitFor();
        }
        readyInfo = Map.of();
    }

    @Override
    public synchronized void kill() throws InterruptedException {
        if (!isRunning()) {
            return;
        }
        process.destroyForcibly().waitFor();
        readyInfo = Map.of();
    }

    @Override
    public synchronized void pause() throws IOException, InterruptedException {
        requireRunning();
        signal("STOP");
    }

    @Override
    public synchronized void resume() throws IOException, InterruptedException {
        requireRunning();
        signal("CONT");
    }

    private void requireRunning() {
        if (!isRunning()) {
            throw new IllegalStateException(name + " is not running");
        }
    }

    private void signal(String signal) throws InterruptedException {
        signal(process, name, signal);
    }

    /** Sends SIG{@code signal} to {@code process} with {@code kill}, logging (not throwing) a failure. */
    static void signal(Process process, String name, String signal) throws InterruptedException {
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
