package io.duet.bench.codec;

import io.duet.bench.BenchOptions;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * {@code bin/duet-wire-size}: bytes per message on Duet's client TCP protocol against a JSON/HTTP API
 * ({@link WireSize}), for each mix of texts, over several runs (each its own seed), printed as Markdown.
 *
 * <pre>
 * bin/duet-wire-size [--messages 10000] [--runs 3] [--text-lengths 30,200]
 * </pre>
 */
public final class WireSizeMain {
    private WireSizeMain() {
    }

    public static void main(String[] args) {
        String usage = "usage: duet-wire-size [--messages N] [--runs N] [--text-lengths 30,200]";
        try {
            BenchOptions options = BenchOptions.parse(args, List.of("--messages", "--runs", "--text-lengths"), List.of());
            if (options.help()) {
                System.out.println(usage);
                return;
            }
            int messages = options.integer("--messages", 10_000);
            int runs = options.integer("--runs", 3);
            int[] lengths = Arrays.stream(options.string("--text-lengths", "30,200").split(","))
                    .mapToInt(Integer::parseInt).toArray();
            if (messages < 1 || runs < 1 || Arrays.stream(lengths).anyMatch(length -> length < 1)) {
                throw new IllegalArgumentException("--messages, --runs and --text-lengths: at least 1");
            }
            for (int length : lengths) {
                print(measure(length, messages, runs), System.out);
            }
        } catch (IllegalArgumentException e) {
            System.err.println("duet-wire-size: " + e.getMessage());
            System.err.println(usage);
            System.exit(2);
        }
    }

    /** {@code runs} runs of {@code messages} messages, seeds 1, 2, ... */
    static List<WireSize.Result> measure(int meanTextLength, int messages, int runs) {
        List<WireSize.Result> results = new ArrayList<>(runs);
        for (int run = 1; run <= runs; run++) {
            results.add(WireSize.run(run, meanTextLength, messages));
        }
        return results;
    }

    /** The median run's bytes per message, and each ratio as min / median / max of the runs. */
    static void print(List<WireSize.Result> results, PrintStream out) {
        List<WireSize.Result> byRatio = new ArrayList<>(results);
        byRatio.sort(Comparator.comparingDouble(WireSize.Result::ratioHttp1));
        WireSize.Result median = byRatio.get(byRatio.size() / 2);
        out.printf(Locale.ROOT, "Texts of the mix with a mean of %d characters: %,d messages per run, %d runs; "
                + "%.1f characters, %.1f UTF-8 bytes on average (median run).%n%n", median.meanTextLength(),
                median.messages(), results.size(),
                (double) median.textChars() / median.messages(), (double) median.textBytes() / median.messages());
        out.println("| bytes per message (median run) | send | ack | delivery to the partner | total |");
        out.println("|---|---|---|---|---|");
        out.printf(Locale.ROOT, "| Duet TCP (snappy, compact Thrift frames) | %,d | %,d | %,d | %,d |%n",
                median.perMessage(median.duetSend()), median.perMessage(median.duetAck()),
                median.perMessage(median.duetDelivery()), median.perMessage(median.duet()));
        out.printf(Locale.ROOT, "| Duet TCP if never compressed | %,d | %,d | %,d | %,d |%n",
                median.perMessage(median.uncompressedSend()), median.perMessage(median.duetAck()),
                median.perMessage(median.uncompressedDelivery()), median.perMessage(median.uncompressed()));
        out.printf(Locale.ROOT, "| JSON over HTTP/1.1 + WebSocket | %,d | %,d | %,d | %,d |%n",
                median.perMessage(median.http1Send()), median.perMessage(median.http1Ack()),
                median.perMessage(median.http1Delivery()), median.perMessage(median.http1()));
        out.printf(Locale.ROOT, "| JSON over HTTP/2 + server-sent events | %,d | %,d | %,d | %,d |%n%n",
                median.perMessage(median.http2Send()), median.perMessage(median.http2Ack()),
                median.perMessage(median.http2Delivery()), median.perMessage(median.http2()));
        out.println("| Duet / baseline (min / median / max of the runs) | send + ack + delivery |");
        out.println("|---|---|");
        out.printf(Locale.ROOT, "| JSON over HTTP/1.1 + WebSocket | %s |%n", spread(results,
                WireSize.Result::ratioHttp1));
        out.printf(Locale.ROOT, "| JSON over HTTP/2 + server-sent events | %s |%n%n", spread(results,
                WireSize.Result::ratioHttp2));
    }

    private static String spread(List<WireSize.Result> results, ToDoubleFunction<WireSize.Result> ratio) {
        double[] sorted = results.stream().mapToDouble(ratio).sorted().toArray();
        return String.format(Locale.ROOT, "%.1f%% / %.1f%% / %.1f%%", 100 * sorted[0],
                100 * BaselineTable.median(sorted), 100 * sorted[sorted.length - 1]);
    }
}
