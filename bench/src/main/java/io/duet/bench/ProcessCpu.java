package io.duet.bench;

import io.duet.process.ProcStat;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;
import java.util.TreeMap;

/**
 * CPU time of a local cluster's processes, read from {@code /proc}: each process whose command line names
 * the cluster's data directory (its ready file, or HAProxy's configuration), by node name. Used to report
 * the servers' CPU per message; only local processes can be read.
 */
final class ProcessCpu {
    /** Clock ticks per second of {@code /proc/PID/stat}'s times: 100 on every Linux this runs on. */
    private static final long TICKS_PER_SECOND = 100;

    private final Map<String, Long> pids;

    private ProcessCpu(Map<String, Long> pids) {
        this.pids = pids;
    }

    /**
     * The processes of the local cluster in {@code clusterDir}, found now; for a cluster on another's
     * storage (its {@code conf/storage-dir} names that cluster's folder), that cluster's HBase and S3Proxy too,
     * and its ZooKeeper as {@code hbase-zookeeper}.
     */
    static ProcessCpu ofCluster(Path clusterDir) throws IOException {
        String marker = clusterDir.toAbsolutePath().normalize().toString();
        Path storageFile = clusterDir.resolve("conf/storage-dir");
        String storageMarker = Files.isRegularFile(storageFile)
                ? Paths.get(Files.readString(storageFile).trim()).toAbsolutePath().normalize().toString() : null;
        Map<String, Long> found = new TreeMap<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(Paths.get("/proc"))) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit)) {
                    continue;
                }
                String[] commandLine = commandLine(entry);
                String node = nodeOf(commandLine, marker);
                if (node == null && storageMarker != null) {
                    node = storageNodeOf(commandLine, storageMarker);
                }
                if (node != null) {
                    found.put(node, Long.parseLong(name));
                }
            }
        }
        return new ProcessCpu(found);
    }

    /** A storage cluster's node a command line belongs to, named as {@link #ofCluster} says; null for others. */
    static String storageNodeOf(String[] args, String storageDir) {
        String node = nodeOf(args, storageDir);
        if ("zookeeper".equals(node)) {
            return "hbase-zookeeper";
        }
        return "hbase".equals(node) || "s3".equals(node) ? node : null;
    }

    /** The node a command line belongs to: the name of its ready file, or "haproxy"; null if not the cluster's. */
    static String nodeOf(String[] args, String clusterDir) {
        for (String arg : args) {
            if (!arg.startsWith(clusterDir)) {
                continue;
            }
            String file = Paths.get(arg).getFileName().toString();
            if (file.endsWith(".ready")) {
                return file.substring(0, file.length() - ".ready".length());
            }
            if (file.equals("haproxy.cfg") && args[0].endsWith("haproxy")) {
                // HAProxy itself, not the shell that watches it (whose arguments name the file too).
                return "haproxy";
            }
        }
        return null;
    }

    private static String[] commandLine(Path procEntry) {
        try {
            return new String(Files.readAllBytes(procEntry.resolve("cmdline")), StandardCharsets.UTF_8).split("\0");
        } catch (IOException | SecurityException e) {
            return new String[0];
        }
    }

    Map<String, Long> pids() {
        return pids;
    }

    /** CPU time (user + system) so far of each process still running, in microseconds. */
    Map<String, Long> sample() {
        Map<String, Long> micros = new TreeMap<>();
        pids.forEach((node, pid) -> {
            try {
                micros.put(node, ProcStat.read(pid).cpuTicks() * 1_000_000 / TICKS_PER_SECOND);
            } catch (IOException | RuntimeException e) {
                // Gone: it is left out of this sample.
            }
        });
        return micros;
    }
}
