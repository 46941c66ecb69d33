package io.duet.process;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Exits this process when the process named by system property {@value #PROPERTY} exits, so that a
 * launcher killed with SIGKILL leaves no orphans. {@code System.exit} runs shutdown hooks, so the
 * process still stops cleanly.
 */
public final class ParentWatch {
    /** The system property holding the parent's pid. */
    public static final String PROPERTY = "duet.parent.pid";
    private static final Logger LOG = LoggerFactory.getLogger(ParentWatch.class);

    private ParentWatch() {
    }

    /** Starts watching, if the property is set. */
    public static void exitWithParent() {
        String pid = System.getProperty(PROPERTY);
        if (pid == null || pid.isBlank()) {
            return;
        }
        ProcessHandle.of(Long.parseLong(pid.trim())).ifPresentOrElse(
                parent -> parent.onExit().thenRun(() -> {
                    LOG.warn("Parent process {} exited; exiting too", pid);
                    System.exit(0);
                }),
                () -> {
                    LOG.warn("Parent process {} is already gone; exiting", pid);
                    System.exit(0);
                });
    }
}
