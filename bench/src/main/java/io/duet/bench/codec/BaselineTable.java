package io.duet.bench.codec;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.results.RunResult;

/**
 * Pairs each codec benchmark with its baseline from the same run and prints them side by side: the score of
 * every fork (nanoseconds per operation) as min / median / max, and the ratio of the medians. A pair whose
 * benchmarks did not both run is left out.
 */
public final class BaselineTable {
    /** One line of the table. */
    public record Row(String what, String baseline, double[] duet, double[] base) {
        /** Duet's median over the baseline's: how many times as long Duet takes. */
        public double ratio() {
            return median(duet) / median(base);
        }
    }

    private record Pair(String what, String duetKey, String baseline, String baseKey) {
    }

    private BaselineTable() {
    }

    /** The rows for which {@code results} hold both sides. */
    public static List<Row> rows(Collection<RunResult> results) {
        Map<String, double[]> scores = new HashMap<>();
        for (RunResult result : results) {
            double[] forks = result.getBenchmarkResults().stream()
                    .mapToDouble(fork -> fork.getPrimaryResult().getScore()).sorted().toArray();
            scores.put(key(result.getParams()), forks);
        }
        List<Row> rows = new ArrayList<>();
        for (Pair pair : pairs()) {
            double[] duet = scores.get(pair.duetKey());
            double[] base = scores.get(pair.baseKey());
            if (duet != null && base != null && duet.length > 0 && base.length > 0) {
                rows.add(new Row(pair.what(), pair.baseline(), duet, base));
            }
        }
        return rows;
    }

    /** Prints {@code rows} as a Markdown table. */
    public static void print(List<Row> rows, PrintStream out) {
        out.println("| what | Duet, ns/op (min / median / max of the forks) | baseline, same run | baseline, ns/op "
                + "| Duet / baseline (medians) |");
        out.println("|---|---|---|---|---|");
        for (Row row : rows) {
            out.printf(Locale.ROOT, "| %s | %s | %s | %s | %.2fx |%n", row.what(), spread(row.duet()),
                    row.baseline(), spread(row.base()), row.ratio());
        }
    }

    private static List<Pair> pairs() {
        List<Pair> pairs = new ArrayList<>();
        String frame = FrameBenchmark.class.getName() + '.';
        pairs.add(new Pair("client CALL frame encode (snappy >= 128 B)", frame + "encodeCallFrame",
                "plain length-prefixed frame", frame + "encodeCallPlain"));
        pairs.add(new Pair("client EVENT frame decode", frame + "decodeEventFrame",
                "plain length-prefixed frame", frame + "decodeEventPlain"));
        String snappy = SnappyBenchmark.class.getName() + '.';
        for (String body : List.of("event", "page")) {
            String param = " body=" + body;
            pairs.add(new Pair("snappy compress, " + body, snappy + "compress" + param, "copy",
                    snappy + "compressCopy" + param));
            pairs.add(new Pair("snappy decompress, " + body, snappy + "decompress" + param, "copy",
                    snappy + "decompressCopy" + param));
        }
        String thrift = ThriftBenchmark.class.getName() + '.';
        for (String value : List.of("sendMessage", "event", "page")) {
            for (String op : List.of("encode", "decode")) {
                for (String baseline : List.of("BINARY", "JSON")) {
                    pairs.add(new Pair("Thrift compact " + op + ", " + value,
                            thrift + op + " protocol=COMPACT value=" + value,
                            "Thrift " + baseline.toLowerCase(Locale.ROOT),
                            thrift + op + " protocol=" + baseline + " value=" + value));
                }
            }
        }
        String relay = RelayBenchmark.class.getName() + '.';
        pairs.add(new Pair("relay frame encode (StreamData, event)", relay + "encodeRelay",
                "fixed binary header", relay + "encodeFixed"));
        pairs.add(new Pair("relay frame decode (StreamData, event)", relay + "decodeRelay",
                "fixed binary header", relay + "decodeFixed"));
        return pairs;
    }

    /** {@code Class.method} followed by the parameters in name order, as {@code " name=value"}. */
    private static String key(BenchmarkParams params) {
        StringBuilder key = new StringBuilder(params.getBenchmark());
        Map<String, String> sorted = new TreeMap<>();
        for (String name : params.getParamsKeys()) {
            sorted.put(name, params.getParam(name));
        }
        sorted.forEach((name, value) -> key.append(' ').append(name).append('=').append(value));
        return key.toString();
    }

    private static String spread(double[] sorted) {
        return String.format(Locale.ROOT, "%s / %s / %s", format(sorted[0]), format(median(sorted)),
                format(sorted[sorted.length - 1]));
    }

    private static String format(double nanos) {
        return nanos >= 100 ? String.format(Locale.ROOT, "%,.0f", nanos) : String.format(Locale.ROOT, "%.1f", nanos);
    }

    static double median(double[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
