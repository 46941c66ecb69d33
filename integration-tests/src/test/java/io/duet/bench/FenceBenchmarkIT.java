package io.duet.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code bin/duet-fence-bench} with tiny numbers, so that it keeps working: the script itself, with the
 * ZooKeeper and HBase it starts and stops. Full-size runs are in BENCHMARKS.md (section 6).
 */
class FenceBenchmarkIT {
    private static final long TIMEOUT_MINUTES = 6;

    @Test
    void theFenceBenchmarkChecksTheCoprocessorAndMeasuresEveryModeBesideRawPuts() throws Exception {
        Path root = Path.of("").toAbsolutePath().getParent();
        Path script = root.resolve("bin").resolve("duet-fence-bench");
        assertThat(script).as("run from integration-tests/ of the checkout").isExecutable();
        Path data = Path.of("target", "fence-smoke").toAbsolutePath();
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        Process bench = new ProcessBuilder(script.toString(), "--data-dir", data.toString(), "--zookeeper-port",
                Integer.toString(port), "--runs", "1", "--warm-up-runs", "0", "--duration", "1", "--couples", "4",
                "--regions", "2").redirectErrorStream(true).start();
        CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> read(bench.getInputStream()));
        boolean exited = bench.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES);
        if (!exited) {
            // SIGTERM to the script, whose trap stops its HBase and ZooKeeper.
            bench.destroy();
            bench.waitFor(1, TimeUnit.MINUTES);
            bench.descendants().forEach(ProcessHandle::destroyForcibly);
        }
        String printed = output.get(1, TimeUnit.MINUTES);
        System.out.print(printed);

        assertThat(exited).as("finished within %d minutes; output:%n%s", TIMEOUT_MINUTES, printed).isTrue();
        assertThat(bench.exitValue()).as("exit status; output:%n%s", printed).isZero();
        assertThat(printed).contains("run 1: raw buffered puts", "HBase pid");
        assertThat(ProcessHandle.allProcesses().filter(process -> process.info().commandLine()
                .map(line -> line.contains(data.toString())).orElse(false)).map(ProcessHandle::pid).toList())
                .as("processes left running on %s (the script stops its HBase and ZooKeeper)", data).isEmpty();
    }

    private static String read(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(output unreadable: " + e + ")";
        }
    }
}
