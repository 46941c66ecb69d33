package io.duet.admin.deploy;

import io.duet.admin.deploy.DeployNode.Instance;
import java.io.PrintStream;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;

/** What a rolling deploy prints: one line at a time, each starting with the time, flushed at once. */
final class DeployLog {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");

    private final PrintStream out;

    DeployLog(PrintStream out) {
        this.out = out;
    }

    void say(String line) {
        out.println(LocalTime.now().format(TIME) + " " + line);
        out.flush();
    }

    /** {@code " (pid N)"}, or nothing where the pid is not known. */
    static String pid(Instance instance) {
        return instance.pidKnown() ? " (pid " + instance.pid() + ")" : "";
    }
}
