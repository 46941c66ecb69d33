/**
 * What the servers' meters have in common: the histogram layout of every latency ({@link
 * io.duet.process.metrics.Latency}), the event fan-out lag both tiers time ({@link
 * io.duet.process.metrics.FanOutLag}), and the optional export to Amazon CloudWatch ({@link
 * io.duet.process.metrics.MetricsSettings}, {@link io.duet.process.metrics.CloudWatchExport}). The
 * meter registry itself is the admin port's ({@link io.duet.process.admin.AdminServer#metrics()}),
 * which also serves it to Prometheus at {@code /metrics}. Start reading at {@code MetricsSettings}.
 */
package io.duet.process.metrics;
