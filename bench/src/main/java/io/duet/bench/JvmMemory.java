package io.duet.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The memory of another local JVM, by process id: its live heap, class by class, from {@code jcmd PID
 * GC.class_histogram} (which runs a full GC first, so only live objects count), and its resident set
 * from {@code /proc/PID/status}. The JVM must run as the same user (jcmd attaches to it).
 */
final class JvmMemory {
    /** A histogram row: {@code   1:   1234   56789  java.lang.String (java.base@17)}. */
    private static final Pattern ROW = Pattern.compile("^\\s*\\d+:\\s+(\\d+)\\s+(\\d+)\\s+(\\S+)");
    private static final Pattern TOTAL = Pattern.compile("^Total\\s+(\\d+)\\s+(\\d+)");
    private static final long JCMD_TIMEOUT_SECONDS = 120;

    private JvmMemory() {
    }

    /** The live heap after a full GC: bytes in all and by class. */
    record Heap(long bytes, Map<String, Long> bytesByClass, Map<String, Long> instancesByClass) {
        /** Classes whose bytes grew most from {@code before} to this, largest first, at most {@code limit}. */
        List<Map.Entry<String, Long>> grownSince(Heap before, int limit) {
            List<Map.Entry<String, Long>> grown = new ArrayList<>();
            bytesByClass.forEach((name, bytes) -> {
                long delta = bytes - before.bytesByClass.getOrDefault(name, 0L);
                if (delta > 0) {
                    grown.add(Map.entry(name, delta));
                }
            });
            grown.sort(Map.Entry.<String, Long>comparingByValue().reversed());
            return grown.subList(0, Math.min(limit, grown.size()));
        }

        long instancesGrownSince(Heap before, String name) {
            return instancesByClass.getOrDefault(name, 0L) - before.instancesByClass.getOrDefault(name, 0L);
        }
    }

    /** Runs a full GC in {@code pid} and reads its live heap. */
    static Heap liveHeap(long pid) throws IOException, InterruptedException {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        Process process = new ProcessBuilder(jcmd.toString(), Long.toString(pid), "GC.class_histogram")
                .redirectErrorStream(true).start();
        byte[] output = process.getInputStream().readAllBytes();
        if (!process.waitFor(JCMD_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IOException("jcmd " + pid + " GC.class_histogram did not finish in " + JCMD_TIMEOUT_SECONDS + " s");
        }
        return parseHistogram(new String(output, StandardCharsets.UTF_8), pid);
    }

    static Heap parseHistogram(String text, long pid) throws IOException {
        Map<String, Long> bytes = new HashMap<>();
        Map<String, Long> instances = new HashMap<>();
        Long total = null;
        for (String line : text.split("\n")) {
            Matcher row = ROW.matcher(line);
            if (row.find()) {
                bytes.merge(row.group(3), Long.parseLong(row.group(2)), Long::sum);
                instances.merge(row.group(3), Long.parseLong(row.group(1)), Long::sum);
                continue;
            }
            Matcher sum = TOTAL.matcher(line);
            if (sum.find()) {
                total = Long.parseLong(sum.group(2));
            }
        }
        if (total == null) {
            throw new IOException("no class histogram from jcmd " + pid + ": " + text.strip());
        }
        return new Heap(total, bytes, instances);
    }

    /** The resident set of {@code pid} ({@code VmRSS}), in bytes. */
    static long residentBytes(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        throw new IOException("no VmRSS in /proc/" + pid + "/status");
    }

    /** The open file descriptors of {@code pid}. */
    static long openFiles(long pid) throws IOException {
        try (var entries = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            return entries.count();
        }
    }
}
