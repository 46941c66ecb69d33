package io.duet.it.chaos;

import io.duet.app.storage.HBaseSchema;
import io.duet.deploy.local.LocalCluster;
import io.duet.it.DeliveryChecker;
import io.duet.it.chaos.ChatLoad.SendRecord;
import io.duet.it.chaos.ChatLoad.Sender;
import io.duet.protocol.cluster.Shards;
import io.duet.protocol.storage.StoredMessage;
import io.duet.protocol.thrift.ThriftCodec;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hbase.HBaseConfiguration;
import org.apache.hadoop.hbase.TableName;
import org.apache.hadoop.hbase.client.Connection;
import org.apache.hadoop.hbase.client.ConnectionFactory;
import org.apache.hadoop.hbase.client.Get;
import org.apache.hadoop.hbase.client.Result;
import org.apache.hadoop.hbase.client.Table;
import org.apache.hadoop.hbase.util.Bytes;

/**
 * Proves the guarantees after a fault run, from the operation log of a {@link ChatLoad} and the couples'
 * rows read straight from HBase:
 * <ol>
 *   <li>every acknowledged message is in HBase, under the sequence number it was acknowledged with, and
 *       no message is stored twice;
 *   <li>each partner's client got every message exactly once, in sequence order, with no gap;
 *   <li>each sender's messages are stored (and so delivered) in the order they were sent;
 *   <li>at most one owner's writes were accepted at any moment: the fence recorded with each message
 *       never decreases along the sequence, so no deposed owner's write landed after a newer owner's.
 * </ol>
 * Every violation is reported, not just the first.
 */
public final class ChaosChecker {
    private ChaosChecker() {
    }

    /** Every violation, whatever the invariant. */
    public static List<String> violations(LocalCluster cluster, ChatLoad load) throws IOException {
        return check(cluster, load).violations();
    }

    /** The violations of each invariant, and what was checked. */
    public static Report check(LocalCluster cluster, ChatLoad load) throws IOException {
        Map<Long, List<Sender>> byCouple = new TreeMap<>();
        load.senders().forEach(sender -> byCouple.computeIfAbsent(sender.coupleId, id -> new ArrayList<>()).add(sender));
        Report report = new Report();
        try (Connection hbase = ConnectionFactory.createConnection(configuration(cluster));
                Table couples = hbase.getTable(TableName.valueOf("duet", "couples"))) {
            for (Map.Entry<Long, List<Sender>> couple : byCouple.entrySet()) {
                NavigableMap<Long, StoredMessage> stored = read(couples, couple.getKey(), cluster.shards());
                check(couple.getKey(), stored, couple.getValue(), report);
            }
        }
        return report;
    }

    /** The invariants, in the order of the class comment. */
    public enum Invariant {
        STORED("every acknowledged message is in HBase, once, at its sequence number"),
        DELIVERED("each client got every message exactly once, in sequence order, without gaps"),
        SENDER_ORDER("each sender's messages are stored in the order they were sent"),
        ONE_WRITER("at most one owner's writes were accepted at any moment");

        final String description;

        Invariant(String description) {
            this.description = description;
        }
    }

    /** The outcome of a check, invariant by invariant. */
    public static final class Report {
        private final Map<Invariant, List<String>> violations = new EnumMap<>(Invariant.class);
        private long acknowledged;
        private long stored;

        Report() {
            for (Invariant invariant : Invariant.values()) {
                violations.put(invariant, new ArrayList<>());
            }
        }

        void add(Invariant invariant, String violation) {
            violations.get(invariant).add(violation);
        }

        public List<String> violations() {
            List<String> all = new ArrayList<>();
            violations.forEach((invariant, found) -> found.forEach(v -> all.add(invariant + ": " + v)));
            return all;
        }

        public long acknowledged() {
            return acknowledged;
        }

        /** One line per invariant: OK, or how many violations and the first few. */
        public void print(PrintStream out) {
            out.printf("Checked %d acknowledged sends against %d stored messages%n", acknowledged, stored);
            violations.forEach((invariant, found) -> out.printf("  %-12s %s: %s%n", invariant, invariant.description,
                    found.isEmpty() ? "OK" : found.size() + " violations, e.g. " + found.subList(0, Math.min(3, found.size()))));
        }
    }

    private static void check(long coupleId, NavigableMap<Long, StoredMessage> stored, List<Sender> senders,
            Report report) {
        report.stored += stored.size();
        String couple = "couple " + coupleId + ": ";
        long expectedSeq = 1;
        long lastFence = Long.MIN_VALUE;
        Map<String, Long> seqByText = new HashMap<>();
        for (Map.Entry<Long, StoredMessage> entry : stored.entrySet()) {
            if (entry.getKey() != expectedSeq) {
                report.add(Invariant.STORED, couple + "HBase has seq " + entry.getKey() + " where " + expectedSeq + " was expected");
            }
            expectedSeq = entry.getKey() + 1;
            StoredMessage message = entry.getValue();
            if (message.getFence() < lastFence) {
                report.add(Invariant.ONE_WRITER, couple + "seq " + entry.getKey() + " was written under fence " + message.getFence()
                        + " after a message written under the newer fence " + lastFence + ": two writers");
            }
            lastFence = Math.max(lastFence, message.getFence());
            Long earlier = seqByText.put(message.getText(), entry.getKey());
            if (earlier != null) {
                report.add(Invariant.STORED, couple + "'" + message.getText() + "' stored twice, as " + earlier + " and " + entry.getKey());
            }
        }
        Map<String, Long> acknowledged = new HashMap<>();
        for (Sender sender : senders) {
            long previousSeq = 0;
            for (SendRecord record : sender.log) {
                Long at = seqByText.get(record.text);
                if (record.acknowledged()) {
                    report.acknowledged++;
                    acknowledged.put(record.text, record.seq);
                    if (at == null || at != record.seq) {
                        report.add(Invariant.STORED, couple + "acknowledged '" + record.text + "' as seq " + record.seq
                                + " but HBase has it at " + at);
                    }
                }
                if (at != null) {
                    if (at <= previousSeq) {
                        report.add(Invariant.SENDER_ORDER, couple + sender.name + "'s message " + record.index + " stored at seq " + at
                                + ", before an earlier message of the same sender (seq " + previousSeq + ")");
                    }
                    previousSeq = Math.max(previousSeq, at);
                }
            }
        }
        for (Sender sender : senders) {
            for (String problem : DeliveryChecker.violations(sender.heard.snapshot(), 1, acknowledged)) {
                report.add(Invariant.DELIVERED, couple + sender.name + " received: " + problem);
            }
            long received = sender.heard.messages.size();
            if (received != stored.size()) {
                report.add(Invariant.DELIVERED, couple + sender.name + " received " + received + " messages; HBase has " + stored.size());
            }
        }
    }

    private static NavigableMap<Long, StoredMessage> read(Table couples, long coupleId, int shards) throws IOException {
        Result row = couples.get(new Get(HBaseSchema.coupleRow(Shards.shardOf(coupleId, shards), coupleId))
                .addFamily(HBaseSchema.MESSAGES));
        NavigableMap<Long, StoredMessage> messages = new TreeMap<>();
        NavigableMap<byte[], byte[]> cells = row.getFamilyMap(HBaseSchema.MESSAGES);
        if (cells != null) {
            for (Map.Entry<byte[], byte[]> cell : cells.entrySet()) {
                try {
                    messages.put(Bytes.toLong(cell.getKey()), ThriftCodec.INTERNAL.decode(cell.getValue(), new StoredMessage()));
                } catch (io.duet.protocol.thrift.MalformedPayloadException e) {
                    throw new IOException("unreadable message in couple " + coupleId, e);
                }
            }
        }
        return messages;
    }

    private static Configuration configuration(LocalCluster cluster) {
        Configuration conf = HBaseConfiguration.create();
        String[] zookeeper = cluster.zookeeperConnect().split(":");
        conf.set("hbase.zookeeper.quorum", zookeeper[0]);
        conf.set("hbase.zookeeper.property.clientPort", zookeeper[1]);
        return conf;
    }
}
