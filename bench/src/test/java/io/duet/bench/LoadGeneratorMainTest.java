package io.duet.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** {@code bin/duet-load}'s options that are refused before it touches any cluster. */
class LoadGeneratorMainTest {
    @Test
    void exactlyNWarmUpRunsAndABoundOnTheAdaptiveWarmUpTogetherAreAUsageError() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();

        int status = LoadGeneratorMain.run(new String[] {"--remote", "--tcp", "127.0.0.1:1", "--http", "http://127.0.0.1:1",
                "--throughput", "--warm-up-runs", "1", "--max-warm-up-runs", "4"},
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));

        assertThat(status).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains("duet-load: --warm-up-runs N makes exactly N warm-up runs", "give one of them, not both",
                        "[--warm-up-runs N | --max-warm-up-runs M]");
        assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
    }
}
