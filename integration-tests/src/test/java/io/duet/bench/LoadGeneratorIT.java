package io.duet.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.duet.deploy.local.LocalCluster;
import io.duet.it.SharedCluster;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.hadoop.hbase.HRegionLocation;
import org.junit.jupiter.api.Test;

/**
 * The load generator with tiny numbers, so that it keeps working: {@code bin/duet-load} against the
 * local cluster, its figures, and the JSON and HTML it writes. Full-size runs are in BENCHMARKS.md.
 */
class LoadGeneratorIT {
    @Test
    void aShortRunAgainstTheLocalClusterMeasuresEverythingAndWritesItsReport() throws Exception {
        LocalCluster cluster = SharedCluster.get();
        Path out = Path.of("target", "load", "smoke");
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        int status = LoadGeneratorMain.run(new String[] {"--local", cluster.dataDir().toString(), "--couples", "3",
                "--rate", "60", "--typing", "1", "--idle", "20", "--warm-up", "2", "--duration", "4", "--out", out.toString()},
                new PrintStream(printed, true, StandardCharsets.UTF_8), System.err);
        String output = printed.toString(StandardCharsets.UTF_8);
        System.out.print(output);

        assertThat(status).as("exit status; output:%n%s", output).isZero();
        assertThat(output).contains("[  1s warm-up] acked").contains("send -> partner").contains("server CPU:");
        String json = Files.readString(Path.of(out + ".json"));
        assertThat(json).contains("\"failed\": 0", "\"sendToPartnerMillis\"", "\"typingToPartnerMillis\"",
                "\"app-1\"", "\"presentation-1\"", "\"hbase\"", "\"haproxy\"", "\"idleSessions\": {\"connected\": 20");
        assertThat(Files.readString(Path.of(out + ".html"))).contains("<svg", "<polyline", "Duet load run");
        // About 60 sends a second for 4 s, every one acknowledged and delivered to the partner (those sent
        // near the ends of the measured window may be counted on one side of it only).
        long acked = number(json, "acknowledged");
        assertThat(acked).isBetween(150L, 300L);
        assertThat(number(json, "delivered")).isBetween(acked * 9 / 10, acked * 11 / 10);
        assertThat(json).doesNotContain("\"serverCpuMicrosPerMessage\": null");
    }

    @Test
    void theThroughputBenchmarkReportsDuetBesideRawHBasePutsOverThreeRuns() throws Exception {
        LocalCluster cluster = SharedCluster.get();
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        int status = LoadGeneratorMain.run(new String[] {"--local", cluster.dataDir().toString(), "--throughput",
                "--runs", "3", "--couples", "2", "--in-flight", "2", "--warm-up", "1", "--duration", "2",
                "--max-warm-up-runs", "2"},
                new PrintStream(printed, true, StandardCharsets.UTF_8), System.err);
        String output = printed.toString(StandardCharsets.UTF_8);
        System.out.print(output);

        assertThat(status).as("exit status; output:%n%s", output).isZero();
        assertThat(output).contains("warm-up run 1 (not counted)", "warm-up run 2 (not counted)",
                "warm-up of the raw baseline (not counted)", "throughput run 1:", "throughput run 3:",
                "raw HBase BufferedMutator puts/s  min",
                "Duet acknowledged msgs/s", "ratio").doesNotContain("sends failed", "warm-up run 3");
    }

    /**
     * The raw-put baseline's connection has located its table's region before each run of puts is timed:
     * after creating the table and after each truncate (which makes a new region), its cached location is
     * the one hbase:meta names, not the region from before the truncate, so its first puts are not retried.
     */
    @Test
    void theRawPutBaselineLocatesItsTablesCurrentRegionBeforeEachRunOfPuts() throws Exception {
        LocalCluster cluster = SharedCluster.get();
        try (HBasePutBaseline puts = HBasePutBaseline.ofLocalCluster(cluster.dataDir())) {
            String previous = null;
            for (int run = 1; run <= 3; run++) {
                HRegionLocation cached = puts.locate(false);
                HRegionLocation inMeta = puts.locate(true);
                String region = cached.getRegion().getRegionNameAsString();
                assertThat(region).as("run %d", run).isEqualTo(inMeta.getRegion().getRegionNameAsString())
                        .isNotEqualTo(previous);
                assertThat(cached.getServerName()).as("run %d", run).isEqualTo(inMeta.getServerName()).isNotNull();
                assertThat(puts.putsPerSecond(1, 2, 260)).as("run %d", run).isPositive();
                previous = region;
            }
        }
    }

    @Test
    void theConnectionsBenchmarkMeasuresHeapAndRssPerSessionBesideABareNettyServer() throws Exception {
        LocalCluster cluster = SharedCluster.get();
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        int status = ConnectionsBenchmark.run(new String[] {"--local", cluster.dataDir().toString(), "--sessions", "300",
                "--runs", "1", "--classes", "5"}, new PrintStream(printed, true, StandardCharsets.UTF_8), System.err);
        String output = printed.toString(StandardCharsets.UTF_8);
        System.out.print(output);

        assertThat(status).as("exit status; output:%n%s", output).isZero();
        assertThat(output).contains("run 1: Duet 270 sessions: heap", "run 1: presentation server pid", "bare Netty 270 connections: heap",
                "Duet session, heap", "bare Netty connection, RSS", "Duet / bare Netty (medians)",
                "Where a Duet session's heap goes");
        // A session holds a channel, its pipeline and a relay stream: more than a bare connection, and far
        // less than the 64 KiB that would mean buffers kept per idle session.
        double duetHeap = median(output, "Duet session, heap");
        double bareHeap = median(output, "bare Netty connection, heap");
        assertThat(bareHeap).isPositive();
        assertThat(duetHeap).isGreaterThan(bareHeap).isLessThan(64 * 1024);
    }

    @Test
    void theRelayCostBenchmarkTimesTheSameCallsThroughThePresentationServerHaproxyAndDirect() throws Exception {
        LocalCluster cluster = SharedCluster.get();
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        int status = RelayCostBenchmark.run(new String[] {"--local", cluster.dataDir().toString(), "--couples", "2",
                "--runs", "1", "--warm-up", "1", "--duration", "2"},
                new PrintStream(printed, true, StandardCharsets.UTF_8), System.err);
        String output = printed.toString(StandardCharsets.UTF_8);
        System.out.print(output);

        assertThat(status).as("exit status; output:%n%s", output).isZero();
        assertThat(output).contains("run 1 presentation", "run 1 haproxy", "run 1 direct", "presentation: p99 µs",
                "haproxy: the hop's CPU µs/call", "direct: calls/s", "presentation adds").doesNotContain("FAILED");
        // Every mode answered calls: closed loop, so a mode that got no reply would have no rate at all.
        for (String mode : new String[] {"presentation", "haproxy", "direct"}) {
            assertThat(median(output, mode + ": calls/s")).as(mode).isGreaterThan(10);
        }
    }

    /** The median of a row of the summary table: label, min, median, max. */
    private static double median(String output, String label) {
        String line = output.lines().filter(l -> l.startsWith(label)).findFirst().orElseThrow();
        String[] columns = line.substring(label.length()).trim().split("\\s+");
        return Double.parseDouble(columns[1].replace(",", ""));
    }

    private static long number(String json, String key) {
        String marker = "\"" + key + "\": ";
        int at = json.indexOf(marker) + marker.length();
        int end = at;
        while (Character.isDigit(json.charAt(end))) {
            end++;
        }
        return Long.parseLong(json.substring(at, end));
    }
}
