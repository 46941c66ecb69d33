package io.duet.bench.codec;

import java.util.Collection;
import java.util.List;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.Options;

/**
 * {@code bin/duet-jmh}: runs the codec microbenchmarks with JMH, then prints each beside its baseline
 * ({@link BaselineTable}). Takes JMH's own options ({@code -h}); without any, every benchmark runs with the
 * forks and iterations its class declares (3 forks, 2 warm-up and 3 measured iterations of a second).
 */
public final class CodecBenchmarks {
    private CodecBenchmarks() {
    }

    public static void main(String[] args) throws Exception {
        CommandLineOptions options = new CommandLineOptions(args);
        if (options.shouldHelp()) {
            options.showHelp();
            return;
        }
        if (options.shouldList()) {
            new Runner(options).list();
            return;
        }
        List<BaselineTable.Row> rows = run(options);
        System.out.println();
        BaselineTable.print(rows, System.out);
    }

    /** Runs the benchmarks {@code options} select and pairs them with their baselines. */
    public static List<BaselineTable.Row> run(Options options) throws RunnerException {
        Collection<RunResult> results = new Runner(options).run();
        return BaselineTable.rows(results);
    }
}
