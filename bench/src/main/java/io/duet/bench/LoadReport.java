package io.duet.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import org.HdrHistogram.Histogram;

/**
 * Writes a run's results as JSON (for scripts and comparisons) and as an HTML page with its plots drawn
 * in inline SVG (no script, no external file), for a person to look at.
 */
final class LoadReport {
    private static final double[] PERCENTILES = {50, 90, 99, 99.9, 100};

    private LoadReport() {
    }

    static void write(LoadResult result, Path output) throws IOException {
        Path parent = output.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.writeString(Path.of(output + ".json"), json(result), StandardCharsets.UTF_8);
        Files.writeString(Path.of(output + ".html"), html(result), StandardCharsets.UTF_8);
    }

    static String json(LoadResult r) {
        StringBuilder json = new StringBuilder("{\n");
        json.append(String.format(Locale.ROOT, "  \"settings\": {\"couples\": %d, \"rate\": %.1f, \"meanTextLength\": %d, "
                        + "\"typingRatePerCouple\": %.3f, \"idleConnections\": %d, \"warmUpSeconds\": %d, "
                        + "\"durationSeconds\": %d, \"endpoint\": \"%s\"},%n", r.settings.couples, r.settings.rate,
                r.settings.meanTextLength, r.settings.typingRate, r.settings.idleConnections,
                r.settings.warmUp.toSeconds(), r.settings.duration.toSeconds(), escape(r.settings.tcp.getHostString() + ":" + r.settings.tcp.getPort())));
        json.append(String.format(Locale.ROOT, "  \"sent\": %d, \"acknowledged\": %d, \"failed\": %d, \"skipped\": %d, "
                        + "\"unanswered\": %d, \"delivered\": %d, \"ackedPerSecond\": %.1f,%n", r.sends, r.acks,
                r.failures, r.skipped, r.unanswered, r.delivered(), r.ackedPerSecond()));
        json.append("  \"sendToAckMillis\": ").append(percentiles(r.ackMicros)).append(",\n");
        json.append("  \"sendToPartnerMillis\": ").append(percentiles(r.deliveryMicros)).append(",\n");
        json.append("  \"typingToPartnerMillis\": ").append(percentiles(r.typingMicros)).append(",\n");
        json.append(String.format(Locale.ROOT, "  \"serverCpuMicrosPerMessage\": %s,%n",
                r.serverCpuMicrosPerMessage() < 0 ? "null" : String.format(Locale.ROOT, "%.1f", r.serverCpuMicrosPerMessage())));
        json.append("  \"cpuMicrosByProcess\": {");
        String separator = "";
        for (Map.Entry<String, Long> entry : r.cpuMicros.entrySet()) {
            json.append(separator).append('"').append(escape(entry.getKey())).append("\": ").append(entry.getValue());
            separator = ", ";
        }
        json.append("},\n");
        json.append(String.format(Locale.ROOT, "  \"idleSessions\": {\"connected\": %d, \"closedByServer\": %d},%n",
                r.idleConnected, r.idleClosed));
        json.append("  \"timeline\": [\n");
        for (int i = 0; i < r.timeline.size(); i++) {
            LoadResult.Second s = r.timeline.get(i);
            json.append(String.format(Locale.ROOT, "    {\"second\": %d, \"measured\": %b, \"acked\": %d, \"ackP50\": %.2f, "
                            + "\"ackP99\": %.2f, \"delivered\": %d, \"partnerP50\": %.2f, \"partnerP99\": %.2f, "
                            + "\"waiting\": %d}%s%n", s.second, s.measured, s.acks, s.ackP50, s.ackP99, s.deliveries,
                    s.deliveryP50, s.deliveryP99, s.outstanding, i == r.timeline.size() - 1 ? "" : ","));
        }
        json.append("  ]\n}\n");
        return json.toString();
    }

    private static String percentiles(Histogram micros) {
        StringBuilder json = new StringBuilder("{\"count\": ").append(micros.getTotalCount());
        for (double p : PERCENTILES) {
            json.append(String.format(Locale.ROOT, ", \"%s\": %.3f", p == 100 ? "max" : "p" + trim(p),
                    micros.getTotalCount() == 0 ? 0 : (p == 100 ? micros.getMaxValue() : micros.getValueAtPercentile(p)) / 1000.0));
        }
        return json.append('}').toString();
    }

    private static String trim(double p) {
        return p == Math.rint(p) ? Long.toString((long) p) : Double.toString(p);
    }

    static String escape(String text) {
        StringBuilder escaped = new StringBuilder();
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"': escaped.append("\\\""); break;
                case '\\': escaped.append("\\\\"); break;
                case '<': escaped.append("\\u003c"); break;
                case '>': escaped.append("\\u003e"); break;
                case '&': escaped.append("\\u0026"); break;
                default:
                    if (c < 0x20) {
                        escaped.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        escaped.append(c);
                    }
            }
        }
        return escaped.toString();
    }

    private static String html(LoadResult r) {
        StringBuilder page = new StringBuilder();
        page.append("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Duet load run</title><style>")
                .append("body{font-family:sans-serif;margin:24px;color:#222}pre{background:#f6f6f6;padding:12px;white-space:pre-wrap}")
                .append("svg{background:#fff;border:1px solid #ccc;margin:8px 0}</style></head><body>")
                .append("<h1>Duet load run</h1><pre>").append(htmlEscape(r.describe())).append("</pre>");
        page.append("<h2>Acknowledged sends per second</h2>")
                .append(chart(r.timeline, List.of(s -> s.acks), List.of("acked/s"), List.of("#1f77b4"), "per s"));
        page.append("<h2>Latency, per second of the run</h2>")
                .append(chart(r.timeline, List.of(s -> s.deliveryP50, s -> s.deliveryP99, s -> s.ackP99),
                        List.of("send to partner p50", "send to partner p99", "send to ack p99"),
                        List.of("#2ca02c", "#d62728", "#ff7f0e"), "ms"));
        page.append("<p>The shaded part is the warm-up, left out of the figures above.</p></body></html>\n");
        return page.toString();
    }

    /** A line chart of {@code series} over the run's seconds, 800 by 260 pixels. */
    private static String chart(List<LoadResult.Second> timeline, List<ToDoubleFunction<LoadResult.Second>> series,
            List<String> names, List<String> colors, String unit) {
        int width = 800;
        int height = 260;
        int left = 60;
        int bottom = 30;
        int top = 20;
        double max = 0;
        for (ToDoubleFunction<LoadResult.Second> s : series) {
            for (LoadResult.Second second : timeline) {
                max = Math.max(max, s.applyAsDouble(second));
            }
        }
        max = max <= 0 ? 1 : niceCeiling(max);
        long seconds = Math.max(1, timeline.isEmpty() ? 1 : timeline.get(timeline.size() - 1).second);
        double plotWidth = width - left - 20;
        double plotHeight = height - top - bottom;
        StringBuilder svg = new StringBuilder(String.format(Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\">", width, height));
        long warmUpEnd = timeline.stream().filter(s -> !s.measured).mapToLong(s -> s.second).max().orElse(0);
        if (warmUpEnd > 0) {
            svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%.1f\" fill=\"#eee\"/>",
                    left, top, plotWidth * warmUpEnd / seconds, plotHeight));
        }
        for (int i = 0; i <= 4; i++) {
            double y = top + plotHeight - plotHeight * i / 4;
            svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>"
                    + "<text x=\"%d\" y=\"%.1f\" font-size=\"11\" text-anchor=\"end\">%s</text>", left, y,
                    left + plotWidth, y, left - 6, y + 4, label(max * i / 4)));
        }
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"11\">%s</text>", 4, top - 6, unit));
        svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" font-size=\"11\" text-anchor=\"end\">%d s</text>",
                left + plotWidth, height - 8, seconds));
        for (int k = 0; k < series.size(); k++) {
            StringBuilder points = new StringBuilder();
            for (LoadResult.Second second : timeline) {
                points.append(String.format(Locale.ROOT, "%.1f,%.1f ", left + plotWidth * second.second / seconds,
                        top + plotHeight - plotHeight * Math.min(1, series.get(k).applyAsDouble(second) / max)));
            }
            svg.append(String.format(Locale.ROOT, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"%s\"/>",
                    colors.get(k), points.toString().trim()));
            svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"3\" fill=\"%s\"/>"
                    + "<text x=\"%d\" y=\"%d\" font-size=\"12\">%s</text>", left + 10 + k * 190, height - 12,
                    colors.get(k), left + 26 + k * 190, height - 8, htmlEscape(names.get(k))));
        }
        return svg.append("</svg>").toString();
    }

    private static double niceCeiling(double value) {
        double magnitude = Math.pow(10, Math.floor(Math.log10(value)));
        for (double step : new double[] {1, 2, 2.5, 5, 10}) {
            if (step * magnitude >= value) {
                return step * magnitude;
            }
        }
        return 10 * magnitude;
    }

    private static String label(double value) {
        return value >= 100 || value == Math.rint(value) ? String.format(Locale.ROOT, "%.0f", value)
                : String.format(Locale.ROOT, "%.1f", value);
    }

    static String htmlEscape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
