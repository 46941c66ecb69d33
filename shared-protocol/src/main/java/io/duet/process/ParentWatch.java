package io.duet.process;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Exits this process when the process named by system property {@value #PROPERTY} exits, so that a
 * launcher killed with SIGKILL leaves no orphans. {@code System.exit} runs shutdown hooks, so the
 * process still stops cleanly.
 *
 * <p>Only a definite answer counts as the parent's death: its {@code /proc} entry is gone, or its pid
 * now belongs to a process that started at another time. A check that cannot tell, because this process
 * ran out of file descriptors (reading {@code /proc/PID/stat} fails with "Too many open files"), is not
 * death. {@link ProcessHandle#onExit()} cannot be used: for a process that is not our child it polls
 * {@code /proc/PID/stat} and takes any failure to read it for an exit.
 */
public final class ParentWatch {
    /** The system property holding the parent's pid. */
    public static final String PROPERTY = "duet.parent.pid";
    private static final Logger LOG = LoggerFactory.getLogger(ParentWatch.class);
    private static final long POLL_MILLIS = 1000;
    private static final Path PROC = Path.of("/proc");

    /** What one check found. */
    enum Liveness { ALIVE, GONE, UNKNOWN }

    private ParentWatch() {
    }

    /** Starts watching, if the property is set. */
    public static void exitWithParent() {
        String property = System.getProperty(PROPERTY);
        if (property == null || property.isBlank()) {
            return;
        }
        long pid = Long.parseLong(property.trim());
        Optional<Instant> started = ProcessHandle.of(pid).flatMap(parent -> parent.info().startInstant());
        if (started.isEmpty() && check(pid, null) == Liveness.GONE) {
            LOG.warn("Parent process {} is already gone; exiting", pid);
            System.exit(0);
        }
        Long startTicks = startTicks(pid);
        Thread watch = new Thread(() -> watch(pid, started.orElse(null), startTicks), "duet-parent-watch");
        watch.setDaemon(true);
        watch.start();
    }

    private static void watch(long pid, Instant started, Long startTicks) {
        try {
            while (check(pid, started, startTicks) != Liveness.GONE) {
                Thread.sleep(POLL_MILLIS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        LOG.warn("Parent process {} exited; exiting too", pid);
        System.exit(0);
    }

    /**
     * Whether process {@code pid}, which started at {@code started} (null when unknown), is still there.
     * GONE only when that is certain; UNKNOWN when it cannot be told (such as when no file descriptor is
     * left to read {@code /proc} with).
     */
    static Liveness check(long pid, Instant started) {
        return check(pid, started, null);
    }

    /**
     * As {@link #check(long, Instant)}; with {@code startTicks} (the process's start time in {@code
     * /proc/PID/stat}, from {@link #startTicks}) a pid held by another process is told from the one
     * {@code /proc/PID/stat} read alone. The watch checks every second in every process of a cluster: {@link
     * ProcessHandle#info()}, which reads several files of {@code /proc/PID} for a start time, made that check
     * cost about 0.4 ms of CPU a second in an idle node (BENCHMARKS.md section 1, "Idle cluster CPU").
     */
    static Liveness check(long pid, Instant started, Long startTicks) {
        boolean procfs = Files.isDirectory(PROC);
        // stat(2) needs no file descriptor, so this answer holds even when they have run out.
        if (procfs && Files.notExists(PROC.resolve(Long.toString(pid)))) {
            return Liveness.GONE;
        }
        if (procfs) {
            // A parent killed by a signal stays in /proc as a zombie until its own parent reaps it, which
            // may be never (its parent was killed too): it has exited all the same.
            try {
                ProcStat stat = ProcStat.read(pid);
                char state = stat.state();
                if (state == 'Z' || state == 'X') {
                    return Liveness.GONE;
                }
                if (startTicks != null) {
                    return stat.startTicks() == startTicks ? Liveness.ALIVE : Liveness.GONE; // GONE: the pid was reused
                }
            } catch (IOException | RuntimeException e) {
                return Liveness.UNKNOWN;
            }
        }
        Optional<ProcessHandle> handle = ProcessHandle.of(pid);
        if (handle.isEmpty()) {
            // Without procfs this is the only answer there is; with it, the entry exists, so reading it failed.
            return procfs ? Liveness.UNKNOWN : Liveness.GONE;
        }
        Optional<Instant> now = handle.get().info().startInstant();
        if (started != null && now.isPresent() && !now.get().equals(started)) {
            return Liveness.GONE; // the pid was reused
        }
        return Liveness.ALIVE;
    }

    /** Process {@code pid}'s start time from {@code /proc/PID/stat}; null where that cannot be read. */
    static Long startTicks(long pid) {
        try {
            return ProcStat.read(pid).startTicks();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
