package io.duet.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.duet.it.SharedCluster;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code bin/duet-fence-bench} with tiny numbers, so that it keeps working: the script itself, on the HBase
 * of the tests' shared cluster ({@code --local-cluster}) rather than one it starts and stops, which took
 * 40-50 s of CI's time for a second of measuring. Full-size runs are in BENCHMARKS.md (section 6).
 */
class FenceBenchmarkIT {
    private static final long TIMEOUT_MINUTES = 6;

    @Test
    void theFenceBenchmarkChecksTheCoprocessorAndMeasuresEveryModeBesideRawPuts() throws Exception {
        Path root = Path.of("").toAbsolutePath().getParent();
        Path script = root.resolve("bin").resolve("duet-fence-bench");
        assertThat(script).as("run from integration-tests/ of the checkout").isExecutable();
        Path cluster = SharedCluster.get().dataDir();
        Process bench = new ProcessBuilder(script.toString(), "--local-cluster", cluster.toString(), "--runs", "1",
                "--warm-up-runs", "0", "--duration", "1", "--couples", "4", "--regions", "2")
                .redirectErrorStream(true).start();
        CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> read(bench.getInputStream()));
        boolean exited = bench.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES);
        if (!exited) {
            bench.descendants().forEach(ProcessHandle::destroyForcibly);
            bench.destroyForcibly().waitFor(1, TimeUnit.MINUTES);
        }
        String printed = output.get(1, TimeUnit.MINUTES);
        System.out.print(printed);

        assertThat(exited).as("finished within %d minutes; output:%n%s", TIMEOUT_MINUTES, printed).isTrue();
        assertThat(bench.exitValue()).as("exit status; output:%n%s", printed).isZero();
        assertThat(printed).contains("fence checks passed", "run 1: raw buffered puts", "run 1: CHECK_AND_MUTATE",
                "run 1: COPROCESSOR", "run 1: MULTI_ROW", "HBase pid");
    }

    private static String read(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(output unreadable: " + e + ")";
        }
    }
}
