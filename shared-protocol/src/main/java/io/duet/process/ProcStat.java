package io.duet.process;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One reading of a process's {@code /proc/PID/stat} (Linux). The command name, field 2, is in parentheses
 * and may itself hold spaces and parentheses, so the fields are counted from the last {@code ')'} on.
 */
public final class ProcStat {
    /** Fields 3 (state) onwards. */
    private final String[] fields;

    private ProcStat(String[] fields) {
        this.fields = fields;
    }

    /** Reads process {@code pid}'s {@code /proc/PID/stat}. */
    public static ProcStat read(long pid) throws IOException {
        return parse(Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.UTF_8));
    }

    /** Parses the text of a {@code /proc/PID/stat}; fails on text that has no fields after the command name. */
    static ProcStat parse(String stat) {
        int afterName = stat.lastIndexOf(')') + 2;
        if (afterName < 2 || afterName >= stat.length()) {
            throw new IllegalArgumentException("not a /proc/PID/stat line: " + stat);
        }
        return new ProcStat(stat.substring(afterName).trim().split(" "));
    }

    /** Field 3, the state: {@code R} running, {@code S} sleeping, {@code Z} zombie, {@code X} dead, ... */
    public char state() {
        return fields[0].charAt(0);
    }

    /** Field 22, when the process started, in clock ticks after the system booted: with the pid, it names one process. */
    public long startTicks() {
        return Long.parseLong(fields[19]);
    }

    /** Fields 14 and 15, user and system CPU time, in clock ticks (100 a second on the Linux this runs on). */
    public long cpuTicks() {
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }
}
