package io.duet.deploy.local;

import io.duet.process.ParentWatch;
import io.duet.process.ReadyFile;
import java.io.IOException;
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
final class NodeProcess extends ChildProcess {
    private static final Logger LOG = LoggerFactory.getLogger(NodeProcess.class);
    private static final Duration STOP_GRACE = Duration.ofSeconds(30);
    /**
     * A node starts at this niceness, and runs at the normal one once ready. Every node of the local
     * cluster shares one small machine: a starting JVM (class loading, JIT compilation, warm-up) would
     * otherwise take the CPU from the nodes serving, and clients would wait for it, as they never do in
     * production where each server has its own host. Only a process allowed to raise priority again
     * (root) starts nodes niced.
     */
    static final int STARTING_NICENESS = 10;
    private static final boolean CAN_RAISE_PRIORITY = "root".equals(System.getProperty("user.name"));

    private final NodeKind kind;
    private final List<String> jvmOptions;
    private final String classpath;
    private final String mainClass;
    private final List<String> arguments;
    private final Path readyFile;
    private final Duration startTimeout;
    /** At most this many open files ({@code prlimit --nofile}); 0 for the launcher's limit. */
    private volatile int fileLimit;

    private Map<String, String> readyInfo = Map.of();

    NodeProcess(String name, NodeKind kind, List<String> jvmOptions, String classpath, String mainClass,
            List<String> arguments, Path logFile, Path readyFile, Duration startTimeout) {
        super(name, logFile, STOP_GRACE);
        this.kind = kind;
        this.jvmOptions = List.copyOf(jvmOptions);
        this.classpath = classpath;
        this.mainClass = mainClass;
        this.arguments = List.copyOf(arguments);
        this.readyFile = readyFile;
        this.startTimeout = startTimeout;
    }

    /** Runs the process with at most {@code limit} open files from its next start; 0 for no limit of its own. */
    NodeProcess withFileLimit(int limit) {
        this.fileLimit = limit;
        return this;
    }

    @Override
    public NodeKind kind() {
        return kind;
    }

    /** The options its JVM is started with. */
    List<String> jvmOptions() {
        return jvmOptions;
    }

    @Override
    public synchronized Map<String, String> readyInfo() {
        return isRunning() ? readyInfo : Map.of();
    }

    @Override
    public synchronized void start() throws IOException, InterruptedException {
        if (isRunning()) {
            return;
        }
        Files.deleteIfExists(readyFile);
        List<String> command = new ArrayList<>();
        command.add("setsid");
        if (fileLimit > 0) {
            // Soft and hard: the JVM raises its soft limit to the hard one at startup.
            command.add("prlimit");
            command.add("--nofile=" + fileLimit + ":" + fileLimit);
            command.add("--");
        }
        boolean niced = CAN_RAISE_PRIORITY;
        if (niced) {
            command.add("nice");
            command.add("-n");
            command.add(Integer.toString(STARTING_NICENESS));
        }
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(jvmOptions);
        command.add("-D" + ParentWatch.PROPERTY + "=" + ProcessHandle.current().pid());
        command.add("-cp");
        command.add(classpath);
        command.add(mainClass);
        command.addAll(arguments);
        launch(command);
        awaitReady(() -> Files.exists(readyFile), startTimeout);
        if (niced) {
            resetNiceness(process.pid());
        }
        readyInfo = ReadyFile.read(readyFile);
        LOG.info("{} is ready (pid {})", name(), process.pid());
    }

    /**
     * Gives every thread of {@code pid} the normal priority again. Niceness is per thread in Linux, and a
     * thread inherits its creator's, so each thread is reniced; twice, for threads made meanwhile.
     */
    private void resetNiceness(long pid) throws IOException, InterruptedException {
        for (int pass = 0; pass < 2; pass++) {
            List<String> command = new ArrayList<>(List.of("renice", "-n", "0", "-p"));
            try (var tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
                tasks.forEach(task -> command.add(task.getFileName().toString()));
            } catch (IOException e) {
                return; // the process is gone; whoever watches it will say so
            }
            Process renice = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!renice.waitFor(5, TimeUnit.SECONDS)) {
                renice.destroyForcibly();
                LOG.warn("{}: renice did not finish within 5 s; it keeps running at niceness {}", name(),
                        STARTING_NICENESS);
                return;
            }
        }
    }

    @Override
    protected void ended() {
        readyInfo = Map.of();
    }
}
