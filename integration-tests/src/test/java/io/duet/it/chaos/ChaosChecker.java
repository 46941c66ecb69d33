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
import java.util.ArrayList;
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

    public static List<String> violations(LocalCluster cluster, ChatLoad load) throws IOException {
        Map<Long, List<Sender>> byCouple = new TreeMap<>();
        load.senders().forEach(sender -> byCouple.computeIfAbsent(sender.coupleId, id -> new ArrayList<>()).add(sender));
        List<String> problems = new ArrayList<>();
        try (Connection hbase = ConnectionFactory.createConnection(configuration(cluster));
                Table couples = hbase.getTable(TableName.valueOf("duet", "couples"))) {
            for (Map.Entry<Long, List<Sender>> couple : byCouple.entrySet()) {
                NavigableMap<Long, StoredMessage> stored = read(couples, couple.getKey(), cluster.shards());
                check(couple.getKey(), stored, couple.getValue(), problems);
            }
        }
        return problems;
    }

    private static void check(long coupleId, NavigableMap<Long, StoredMessage> stored, List<Sender> senders,
            List<String> problems) {
        String couple = "couple " + coupleId + ": ";
        long expectedSeq = 1;
        long lastFence = Long.MIN_VALUE;
        Map<String, Long> seqByText = new HashMap<>();
        for (Map.Entry<Long, StoredMessage> entry : stored.entrySet()) {
            if (entry.getKey() != expectedSeq) {
                problems.add(couple + "HBase has seq " + entry.getKey() + " where " + expectedSeq + " was expected");
            }
            expectedSeq = entry.getKey() + 1;
            StoredMessage message = entry.getValue();
            if (message.getFence() < lastFence) {
                problems.add(couple + "seq " + entry.getKey() + " was written under fence " + message.getFence()
                        + " after a message written under the newer fence " + lastFence + ": two writers");
            }
            lastFence = Math.max(lastFence, message.getFence());
            Long earlier = seqByText.put(message.getText(), entry.getKey());
            if (earlier != null) {
                problems.add(couple + "'" + message.getText() + "' stored twice, as " + earlier + " and " + entry.getKey());
            }
        }
        Map<String, Long> acknowledged = new HashMap<>();
        for (Sender sender : senders) {
            long previousSeq = 0;
            for (SendRecord record : sender.log) {
                Long at = seqByText.get(record.text);
                if (record.acknowledged()) {
                    acknowledged.put(record.text, record.seq);
                    if (at == null || at != record.seq) {
                        problems.add(couple + "acknowledged '" + record.text + "' as seq " + record.seq
                                + " but HBase has it at " + at);
                    }
                }
                if (at != null) {
                    if (at <= previousSeq) {
                        problems.add(couple + sender.name + "'s message " + record.index + " stored at seq " + at
                                + ", before an earlier message of the same sender (seq " + previousSeq + ")");
                    }
                    previousSeq = Math.max(previousSeq, at);
                }
            }
        }
        for (Sender sender : senders) {
            for (String problem : DeliveryChecker.violations(sender.heard.snapshot(), 1, acknowledged)) {
                problems.add(couple + sender.name + " received: " + problem);
            }
            long received = sender.heard.messages.size();
            if (received != stored.size()) {
                problems.add(couple + sender.name + " received " + received + " messages; HBase has " + stored.size());
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
