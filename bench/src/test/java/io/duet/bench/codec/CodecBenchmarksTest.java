package io.duet.bench.codec;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * CI's smoke run of the codec microbenchmarks: every benchmark once, for 100 ms, in this JVM (a fork would
 * not see Surefire's class path), so that they keep working. The figures mean nothing at this size.
 */
class CodecBenchmarksTest {
    /** Every pair {@link BaselineTable} knows: both frame pairs, 4 snappy, 12 Thrift, 2 relay. */
    private static final int PAIRS = 20;

    @Test
    void everyBenchmarkRunsAndIsPrintedBesideItsBaseline() throws Exception {
        // Other JMH runs on the box (bin/duet-jmh) hold JMH's lock file; this run does not compete for it.
        System.setProperty("jmh.ignoreLock", "true");
        Options options = new OptionsBuilder()
                .include(CodecBenchmarks.class.getPackageName().replace(".", "\\.") + "\\..*Benchmark\\..*")
                .forks(0)
                .warmupIterations(0)
                .measurementIterations(1)
                .measurementTime(TimeValue.milliseconds(100))
                .shouldFailOnError(true)
                .build();

        List<BaselineTable.Row> rows = CodecBenchmarks.run(options);

        assertThat(rows).hasSize(PAIRS);
        assertThat(rows).allSatisfy(row -> assertThat(row.ratio()).isFinite().isPositive());
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        BaselineTable.print(rows, new PrintStream(printed, true, StandardCharsets.UTF_8));
        assertThat(printed.toString(StandardCharsets.UTF_8))
                .contains("| client CALL frame encode", "| snappy decompress, page |", "| Thrift json |",
                        "| relay frame decode");
    }
}
