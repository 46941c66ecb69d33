package io.duet.bench.codec;

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
        int messages = 10_000;
        int runs = 3;
        int[] lengths = {30, 200};
        for (int i = 0; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--messages" -> messages = positive(args[i], value);
                case "--runs" -> runs = positive(args[i], value);
                case "--text-lengths" -> lengths = Arrays.stream(value == null ? new String[0] : value.split(","))
                        .mapToInt(length -> positive("--text-lengths", length)).toArray();
                default -> {
                    System.err.println("usage: duet-wire-size [--messages N] [--runs N] [--text-lengths 30,200]");
                    System.exit(args[i].equals("--help") ? 0 : 2);
                }
            }
            i++;
        }
        for (int length : lengths) {
            print(measure(length, messages, runs), System.out);
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

    private static int positive(String option, String value) {
        try {
            int parsed = Integer.parseInt(value);
            if (parsed > 0) {
                return parsed;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        System.err.println(option + ": expected a positive number, got " + value);
        System.exit(2);
        return 0;
    }
}
