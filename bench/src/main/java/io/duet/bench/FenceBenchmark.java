package io.duet.bench;

import io.duet.bench.FencedCommits.Mode;
import io.duet.protocol.cluster.Shards;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hbase.HBaseConfiguration;
import org.apache.hadoop.hbase.NamespaceDescriptor;
import org.apache.hadoop.hbase.NamespaceNotFoundException;
import org.apache.hadoop.hbase.TableName;
import org.apache.hadoop.hbase.client.Admin;
import org.apache.hadoop.hbase.client.AsyncConnection;
import org.apache.hadoop.hbase.client.ColumnFamilyDescriptorBuilder;
import org.apache.hadoop.hbase.client.Connection;
import org.apache.hadoop.hbase.client.ConnectionFactory;
import org.apache.hadoop.hbase.client.CoprocessorDescriptorBuilder;
import org.apache.hadoop.hbase.client.TableDescriptorBuilder;
import org.apache.hadoop.hbase.regionserver.BloomType;

/**
 * HBase alone: Duet-shaped commits fenced by one {@code checkAndMutate} each, by one atomic call per region
 * to HBase's {@code MultiRowMutationEndpoint} with a condition per commit (Duet's {@code
 * hbase.commits-per-region}), and as plain puts in one batch whose fence the {@code FenceObserver}
 * coprocessor checks ({@link Mode}, {@code --modes}), beside raw buffered puts, on the same HBase in the same
 * run, for each region count of {@code --regions}. Prints messages per second and HBase's CPU per message,
 * min / median / max of the runs. Usage: {@code bin/duet-fence-bench --help}.
 */
public final class FenceBenchmark {
    /** The coprocessor's class, on the local HBase's classpath (deploy/hbase-fence). */
    static final String OBSERVER = "io.duet.hbase.fence.FenceObserver";
    /** HBase's own endpoint for atomic conditional writes to several rows of one region. */
    static final String MULTI_ROW_ENDPOINT = "org.apache.hadoop.hbase.coprocessor.MultiRowMutationEndpoint";
    private static final String NAMESPACE = "duet";

    private final Path dataDir;
    private final Configuration conf;
    private final int runs;
    private final int warmUpRuns;
    private final Duration duration;
    private final int couples;
    private final int textLength;
    private final List<Integer> regionCounts;
    private final List<Mode> modes;
    private final PrintStream out;

    FenceBenchmark(Path dataDir, int zookeeperPort, int runs, int warmUpRuns, Duration duration, int couples,
            int textLength, List<Integer> regionCounts, List<Mode> modes, PrintStream out) {
        this.dataDir = dataDir;
        this.conf = HBaseConfiguration.create();
        conf.set("hbase.zookeeper.quorum", "127.0.0.1");
        conf.setInt("hbase.zookeeper.property.clientPort", zookeeperPort);
        conf.set("zookeeper.znode.parent", "/hbase");
        this.runs = runs;
        this.warmUpRuns = warmUpRuns;
        this.duration = duration;
        this.couples = couples;
        this.textLength = textLength;
        this.regionCounts = regionCounts;
        this.modes = modes;
        this.out = out;
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = new java.util.HashMap<>(Map.of("--runs", "3", "--warm-up-runs", "1",
                "--duration", "10", "--couples", "100", "--text-length", "200", "--regions", "64",
                "--modes", "check_and_mutate,coprocessor,multi_row"));
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--help") || i + 1 >= args.length || !args[i].startsWith("--")) {
                System.out.println("usage: FenceBenchmark --data-dir DIR --zookeeper-port PORT [--runs 3] [--warm-up-runs 1]"
                        + " [--duration 10] [--couples 100] [--text-length 200] [--regions 64[,1...]]"
                        + " [--modes check_and_mutate,coprocessor,multi_row]");
                System.exit(args[i].equals("--help") ? 0 : 2);
            }
            options.put(args[i], args[++i]);
        }
        if (!options.containsKey("--data-dir") || !options.containsKey("--zookeeper-port")) {
            throw new IllegalArgumentException("--data-dir (the HBase's, for its CPU) and --zookeeper-port are required");
        }
        new FenceBenchmark(Path.of(options.get("--data-dir")), Integer.parseInt(options.get("--zookeeper-port")),
                Integer.parseInt(options.get("--runs")), Integer.parseInt(options.get("--warm-up-runs")),
                Duration.ofSeconds(Long.parseLong(options.get("--duration"))), Integer.parseInt(options.get("--couples")),
                Integer.parseInt(options.get("--text-length")),
                java.util.Arrays.stream(options.get("--regions").split(",")).map(Integer::valueOf).toList(),
                java.util.Arrays.stream(options.get("--modes").split(","))
                        .map(mode -> Mode.valueOf(mode.trim().toUpperCase(Locale.ROOT))).toList(), System.out).run();
        System.exit(0);
    }

    void run() throws Exception {
        ProcessCpu cpu = ProcessCpu.ofCluster(dataDir);
        if (!cpu.pids().containsKey("hbase")) {
            throw new IOException("no HBase process found under " + dataDir + " (its ready file names it)");
        }
        Map<Mode, TableName> tables = new EnumMap<>(Mode.class);
        for (Mode mode : modes) {
            tables.put(mode, TableName.valueOf(NAMESPACE, "bench_fence_" + mode.name().toLowerCase(Locale.ROOT)));
        }
        try (Connection connection = ConnectionFactory.createConnection(conf);
                AsyncConnection async = ConnectionFactory.createAsyncConnection(conf).get();
                HBasePutBaseline raw = HBasePutBaseline.connect(conf, NAMESPACE)) {
            for (int regions : regionCounts) {
                createTables(connection, tables, regions);
                out.printf(Locale.ROOT, "%d couples, commits of 1-4 messages of %d characters, %d region(s) per table, "
                        + "%d s per measurement; HBase pid %d%n", couples, textLength, regions, duration.toSeconds(),
                        cpu.pids().get("hbase"));
                if (tables.containsKey(Mode.COPROCESSOR)) {
                    out.println(new FenceChecks(new FencedCommits(async, tables.get(Mode.COPROCESSOR), Mode.COPROCESSOR,
                            couples, textLength), async.getTable(tables.get(Mode.COPROCESSOR))).run());
                    truncate(connection, tables.get(Mode.COPROCESSOR));
                }
                measureAll(cpu, connection, async, raw, tables);
                for (TableName table : tables.values()) {
                    drop(connection, table);
                }
            }
        }
    }

    private void measureAll(ProcessCpu cpu, Connection connection, AsyncConnection async, HBasePutBaseline raw,
            Map<Mode, TableName> tables) throws Exception {
        Map<String, List<Double>> rates = new java.util.LinkedHashMap<>();
        Map<String, List<Double>> micros = new java.util.LinkedHashMap<>();
        for (int run = 1 - warmUpRuns; run <= runs; run++) {
            String label = run < 1 ? "warm-up run (not counted)" : "run " + run;
            double[] rawResult = measure(cpu, () -> raw.put(duration.toSeconds(), couples, textLength + 60));
            raw.truncate();
            out.printf(Locale.ROOT, "%s: raw buffered puts %,.0f/s, HBase %.1f us CPU per put%n", label,
                    rawResult[0], rawResult[1]);
            record(run, rates, micros, "raw buffered puts/s", rawResult);
            Map<Mode, Double> perMode = new EnumMap<>(Mode.class);
            for (Mode mode : modes) {
                FencedCommits commits = new FencedCommits(async, tables.get(mode), mode, couples, textLength);
                commits.createRows();
                double[] result = measureCommits(cpu, commits);
                truncate(connection, tables.get(mode));
                out.printf(Locale.ROOT, "%s: %s %,.0f msgs/s (%,.0f commits/s), HBase %.1f us CPU per message%n",
                        label, mode, result[0], result[2], result[1]);
                record(run, rates, micros, mode + " msgs/s", result);
                perMode.put(mode, result[0]);
            }
            if (run >= 1 && perMode.containsKey(Mode.CHECK_AND_MUTATE)) {
                perMode.forEach((mode, rate) -> {
                    if (mode != Mode.CHECK_AND_MUTATE) {
                        rates.computeIfAbsent(mode + " / checkAndMutate", k -> new ArrayList<>())
                                .add(rate / perMode.get(Mode.CHECK_AND_MUTATE));
                    }
                });
            }
        }
        out.println();
        out.println("| what | min | median | max |");
        out.println("|---|---|---|---|");
        rates.forEach((what, values) -> out.println(row(what, values, what.contains("/ check") ? "%.2fx" : "%,.0f")));
        micros.forEach((what, values) -> out.println(row(what, values, "%.1f")));
        out.println();
    }

    private static void record(int run, Map<String, List<Double>> rates, Map<String, List<Double>> micros, String what,
            double[] result) {
        if (run >= 1) {
            rates.computeIfAbsent(what, k -> new ArrayList<>()).add(result[0]);
            micros.computeIfAbsent("HBase CPU per message (us), " + what.replace("/s", ""), k -> new ArrayList<>())
                    .add(result[1]);
        }
    }

    private static String row(String what, List<Double> values, String format) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return String.format(Locale.ROOT, "| %s | " + format + " | " + format + " | " + format + " |", what, sorted.get(0),
                sorted.get(sorted.size() / 2), sorted.get(sorted.size() - 1));
    }

    private interface Rate {
        double run() throws Exception;
    }

    /** {rate, HBase CPU microseconds per unit}. */
    private double[] measure(ProcessCpu cpu, Rate rate) throws Exception {
        long before = cpu.sample().get("hbase");
        long start = System.nanoTime();
        double perSecond = rate.run();
        double seconds = (System.nanoTime() - start) / 1e9;
        long used = cpu.sample().get("hbase") - before;
        return new double[] {perSecond, used / (perSecond * seconds)};
    }

    /** {messages/s, HBase CPU microseconds per message, commits/s}, over the measured window after a 3 s ramp. */
    private double[] measureCommits(ProcessCpu cpu, FencedCommits commits) throws Exception {
        FencedCommits.Load load = commits.new Load();
        try {
            Thread.sleep(3_000);
            long messagesBefore = load.messages();
            long commitsBefore = load.commits();
            long cpuBefore = cpu.sample().get("hbase");
            long start = System.nanoTime();
            Thread.sleep(duration.toMillis());
            long messages = load.messages() - messagesBefore;
            long commitCount = load.commits() - commitsBefore;
            long used = cpu.sample().get("hbase") - cpuBefore;
            double seconds = (System.nanoTime() - start) / 1e9;
            return new double[] {messages / seconds, (double) used / messages, commitCount / seconds};
        } finally {
            load.stop();
        }
    }

    private void createTables(Connection connection, Map<Mode, TableName> tables, int regions) throws IOException {
        try (Admin admin = connection.getAdmin()) {
            try {
                admin.getNamespaceDescriptor(NAMESPACE);
            } catch (NamespaceNotFoundException e) {
                admin.createNamespace(NamespaceDescriptor.create(NAMESPACE).build());
            }
            for (Map.Entry<Mode, TableName> entry : tables.entrySet()) {
                if (admin.tableExists(entry.getValue())) {
                    admin.disableTable(entry.getValue());
                    admin.deleteTable(entry.getValue());
                }
                TableDescriptorBuilder table = TableDescriptorBuilder.newBuilder(entry.getValue())
                        .setColumnFamily(family(FencedCommits.OWNER).setInMemory(true).setBlocksize(8 * 1024).build())
                        .setColumnFamily(family(FencedCommits.MESSAGES).build())
                        .setColumnFamily(family(FencedCommits.DEDUP).setTimeToLive((int) Duration.ofDays(14).toSeconds()).build());
                if (entry.getKey() == Mode.COPROCESSOR) {
                    table.setCoprocessor(CoprocessorDescriptorBuilder.newBuilder(OBSERVER)
                            .setProperty("duet.fence.family", "o").setProperty("duet.fence.qualifier", "w").build());
                } else if (entry.getKey() == Mode.MULTI_ROW) {
                    table.setCoprocessor(MULTI_ROW_ENDPOINT);
                }
                if (regions > 1) {
                    admin.createTable(table.build(), splits(regions));
                } else {
                    admin.createTable(table.build());
                }
            }
        }
    }

    /** Like the couples table pre-split per shard: {@code regions} regions over the 64 shards' row prefixes. */
    private static byte[][] splits(int regions) {
        byte[][] splits = new byte[regions - 1][];
        for (int i = 1; i < regions; i++) {
            int shard = i * Shards.DEFAULT_SHARD_COUNT / regions;
            splits[i - 1] = new byte[] {(byte) (shard >>> 8), (byte) shard};
        }
        return splits;
    }

    private static ColumnFamilyDescriptorBuilder family(byte[] name) {
        return ColumnFamilyDescriptorBuilder.newBuilder(name).setMaxVersions(1).setBloomFilterType(BloomType.ROW);
    }

    private static void truncate(Connection connection, TableName table) throws IOException {
        try (Admin admin = connection.getAdmin()) {
            admin.disableTable(table);
            admin.truncateTable(table, true);
        }
    }

    private static void drop(Connection connection, TableName table) throws IOException {
        try (Admin admin = connection.getAdmin()) {
            admin.disableTable(table);
            admin.deleteTable(table);
        }
    }
}
