package io.duet.it.chaos;

import io.duet.app.storage.CoupleStore;
import io.duet.app.storage.HBaseSchema;
import io.duet.deploy.local.LocalCluster;
import io.duet.it.DeliveryChecker;
import io.duet.it.chaos.ChatLoad.Device;
import io.duet.it.chaos.ChatLoad.SendRecord;
import io.duet.it.chaos.ChatLoad.Sender;
import io.duet.protocol.api.Message;
import io.duet.protocol.cluster.Shards;
import io.duet.protocol.storage.StoredMessage;
import io.duet.protocol.thrift.ThriftCodec;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hbase.HBaseConfiguration;
import org.apache.hadoop.hbase.TableName;
import org.apache.hadoop.hbase.client.Connection;
import org.apache.hadoop.hbase.client.ConnectionFactory;
import org.apache.hadoop.hbase.client.Get;
import org.apache.hadoop.hbase.client.Result;
import org.apache.hadoop.hbase.client.ResultScanner;
import org.apache.hadoop.hbase.client.Scan;
import org.apache.hadoop.hbase.client.Table;
import org.apache.hadoop.hbase.util.Bytes;

/**
 * Proves the guarantees after a fault run, from the operation log of a {@link ChatLoad} and the couples'
 * rows read straight from HBase:
 * <ol>
 *   <li>every acknowledged message is in HBase, under the sequence number it was acknowledged with, from
 *       the device that sent it, and no message is stored twice;
 *   <li>every device of each partner (the phone that sends and the tablet that only receives) got every
 *       message of the couple exactly once, in sequence order, with no gap, as HBase has it;
 *   <li>each sender's messages are stored (and so delivered) in the order they were sent;
 *   <li>at most one owner's writes were accepted at any moment, proven from two records the committing
 *       server stores with each message, its fence value and its instance id (the writer): the fence
 *       never decreases along the sequence (no deposed owner's write landed after a newer owner's), and
 *       each shard epoch has exactly one writer, so the writer changes only where the epoch does and no
 *       two writers' messages interleave within one epoch (two servers holding the same fence would
 *       show here). A message without a writer cannot be proven and is a violation too.
 * </ol>
 * That the fence was exercised at all (a deposed owner's late write rejected) is not visible in HBase,
 * where rejected writes leave nothing: {@link FencedWrites} counts them from the servers' logs.
 * Every violation is reported, not just the first, and each delivery violation names the device.
 *
 * <p><b>Own messages reach all of the sender's devices, the sending one included.</b> That is the
 * contract, and the check holds every device to it: the README's guarantee ("delivered ... to every
 * connected device of both partners"), {@link io.duet.client.DuetListener} ("both partners' (including
 * this user's own, from any device)"). The application server's {@code Delivery.broadcast} pushes each
 * committed message to every live subscription of the couple except the session whose send it
 * acknowledged (the SDK subscribes with noEcho), and the SDK's {@code Delivery} puts that session's own message in its timeline from the
 * reply (or from the message, when a catch-up replays it), counting it as seen where it falls. So each of
 * the four devices of a couple must hold the couple's whole sequence, 1 to the last seq in HBase, whether
 * a message came to it as an event or as the reply to its own send.
 *
 * <p><b>Judged once delivery has gone quiet.</b> The check first reads every couple's last stored
 * sequence from HBase and waits, up to {@link #QUIET_TIMEOUT}, until every device's last delivered
 * sequence has reached its couple's; then it reads HBase again (again waiting if the sequence grew) and
 * judges. A device still behind then is a violation that says how far behind, not a hang. The pure
 * judgement over recorded data is {@link #check(CoupleRun, Duration, Report)}; reading HBase and waiting
 * are apart from it.
 */
public final class ChaosChecker {
    /** How long delivery may take to go quiet after the sends stopped ({@code -Dduet.chaos.quiet-seconds}). */
    static final Duration QUIET_TIMEOUT = Duration.ofSeconds(Long.getLong("duet.chaos.quiet-seconds", 30));

    private ChaosChecker() {
    }

    /** Every violation, whatever the invariant. */
    public static List<String> violations(LocalCluster cluster, ChatLoad load) throws IOException, InterruptedException {
        return check(cluster, load).violations();
    }

    /**
     * Waits for delivery to go quiet (at most {@link #QUIET_TIMEOUT}), then checks every couple of the
     * load: the violations of each invariant, and what was checked.
     */
    public static Report check(LocalCluster cluster, ChatLoad load) throws IOException, InterruptedException {
        Map<Long, List<Device>> devicesByCouple = new TreeMap<>();
        load.devices().forEach(device -> devicesByCouple.computeIfAbsent(device.coupleId, id -> new ArrayList<>())
                .add(device));
        Report report = new Report();
        try (Connection hbase = ConnectionFactory.createConnection(configuration(cluster));
                Tables tables = new Tables(hbase, cluster.hbaseNamespace())) {
            long start = System.nanoTime();
            long deadline = start + QUIET_TIMEOUT.toNanos();
            Map<Long, NavigableMap<Long, StoredMessage>> stored = readAll(tables, devicesByCouple.keySet(), cluster);
            while (true) {
                boolean caughtUp = awaitDelivered(devicesByCouple, stored, deadline);
                // Read the rows again to judge the latest, and in case a late write landed while waiting.
                Map<Long, NavigableMap<Long, StoredMessage>> again = readAll(tables, devicesByCouple.keySet(), cluster);
                boolean grew = !lastSeqs(again).equals(lastSeqs(stored));
                stored = again;
                if (caughtUp && !grew) {
                    report.quietMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                    break;
                }
                if (!caughtUp) {
                    break; // The devices still behind are violations, reported by the check.
                }
            }
            for (Map.Entry<Long, List<Device>> couple : devicesByCouple.entrySet()) {
                check(run(couple.getKey(), stored.get(couple.getKey()), couple.getValue()), QUIET_TIMEOUT, report);
            }
        }
        return report;
    }

    /**
     * Waits until every device has been delivered its couple's last stored sequence; false if {@code
     * deadline} passed first.
     */
    private static boolean awaitDelivered(Map<Long, List<Device>> devicesByCouple,
            Map<Long, NavigableMap<Long, StoredMessage>> stored, long deadline) throws InterruptedException {
        Map<Long, Long> last = lastSeqs(stored);
        while (!devicesByCouple.entrySet().stream().allMatch(couple -> couple.getValue().stream()
                .allMatch(device -> device.lastDelivered() >= last.get(couple.getKey())))) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(20);
        }
        return true;
    }

    private static Map<Long, Long> lastSeqs(Map<Long, NavigableMap<Long, StoredMessage>> stored) {
        Map<Long, Long> last = new TreeMap<>();
        stored.forEach((couple, messages) -> last.put(couple, messages.isEmpty() ? 0L : messages.lastKey()));
        return last;
    }

    /** A snapshot of what {@code devices} of one couple sent and heard, as plain data. */
    private static CoupleRun run(long coupleId, NavigableMap<Long, StoredMessage> stored, List<Device> devices) {
        List<SendLog> sends = new ArrayList<>();
        List<DeviceLog> heard = new ArrayList<>();
        for (Device device : devices) {
            if (device instanceof Sender) {
                sends.add(new SendLog(device.name, device.userId, device.deviceId, List.copyOf(((Sender) device).log)));
            }
            heard.add(new DeviceLog(device.describe(), device.heard.snapshot(), List.copyOf(device.heard.missing)));
        }
        return new CoupleRun(coupleId, stored, sends, heard);
    }

    /** One sending device's log. */
    record SendLog(String name, long userId, String deviceId, List<SendRecord> records) {
    }

    /** What one device's listener was handed: its messages in order, and the ranges reported lost ("from..to"). */
    record DeviceLog(String device, List<Message> received, List<String> missing) {
    }

    /** What one couple's run left: its row in HBase (by sequence number), the sends, and every device's delivery. */
    record CoupleRun(long coupleId, NavigableMap<Long, StoredMessage> stored, List<SendLog> senders,
            List<DeviceLog> devices) {
    }

    /** The invariants, in the order of the class comment. */
    public enum Invariant {
        STORED("every acknowledged message is in HBase, once, at its sequence number, from its device"),
        DELIVERED("every device of both partners got every message exactly once, in sequence order, without gaps"),
        SENDER_ORDER("each sender's messages are stored in the order they were sent"),
        ONE_WRITER("at most one owner's writes were accepted at any moment (one writer per shard epoch)");

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
        private long devices;
        private long delivered;
        /** Shard epochs seen in the couples' rows, summed over couples, and writers over them. */
        private long epochs;
        private final Set<String> writers = new TreeSet<>();
        /** How long after the check began every device had its couple's last message; -1 if never. */
        private long quietMillis = -1;

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

        /** The violations of one invariant. */
        public List<String> violations(Invariant invariant) {
            return List.copyOf(violations.get(invariant));
        }

        public long acknowledged() {
            return acknowledged;
        }

        /** One line per invariant: OK, or how many violations and the first few. */
        public void print(PrintStream out) {
            out.printf("Checked %d acknowledged sends against %d stored messages, delivered %d times to %d devices; "
                    + "delivery %s%n", acknowledged, stored, delivered, devices,
                    quietMillis < 0 ? "never went quiet" : "went quiet " + quietMillis + " ms into the check");
            out.printf("  messages written in %d shard epochs of couples by %d server instances: %s%n", epochs,
                    writers.size(), writers);
            violations.forEach((invariant, found) -> out.printf("  %-12s %s: %s%n", invariant, invariant.description,
                    found.isEmpty() ? "OK" : found.size() + " violations, e.g. " + found.subList(0, Math.min(3, found.size()))));
        }
    }

    /**
     * Judges one couple's run: pure, over recorded data. {@code quietTimeout} is only for the message of a
     * device that had not caught up.
     */
    static void check(CoupleRun run, Duration quietTimeout, Report report) {
        NavigableMap<Long, StoredMessage> stored = run.stored();
        report.stored += stored.size();
        String couple = "couple " + run.coupleId() + ": ";
        long expectedSeq = 1;
        long lastFence = Long.MIN_VALUE;
        Map<Long, String> writerByEpoch = new HashMap<>();
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
            checkWriter(couple, entry.getKey(), message, writerByEpoch, report);
            Long earlier = seqByText.put(message.getText(), entry.getKey());
            if (earlier != null) {
                report.add(Invariant.STORED, couple + "'" + message.getText() + "' stored twice, as " + earlier + " and " + entry.getKey());
            }
        }
        Map<String, Long> acknowledged = new HashMap<>();
        for (SendLog sender : run.senders()) {
            long previousSeq = 0;
            for (SendRecord record : sender.records()) {
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
                    StoredMessage message = stored.get(at);
                    if (message.getSenderId() != sender.userId() || !sender.deviceId().equals(message.getSenderDeviceId())) {
                        report.add(Invariant.STORED, couple + "'" + record.text + "' (seq " + at + ") stored as sent by user "
                                + message.getSenderId() + " on device " + message.getSenderDeviceId() + "; " + sender.name()
                                + " is user " + sender.userId() + " on device " + sender.deviceId());
                    }
                    if (at <= previousSeq) {
                        report.add(Invariant.SENDER_ORDER, couple + sender.name() + "'s message " + record.index + " stored at seq " + at
                                + ", before an earlier message of the same sender (seq " + previousSeq + ")");
                    }
                    previousSeq = Math.max(previousSeq, at);
                }
            }
        }
        long lastStored = stored.isEmpty() ? 0 : stored.lastKey();
        for (DeviceLog device : run.devices()) {
            report.devices++;
            report.delivered += device.received().size();
            checkDevice(couple + device.device(), device, stored, lastStored, acknowledged, quietTimeout, report);
        }
    }

    /**
     * One writer per shard epoch: the first message of an epoch names its writer, and every other message
     * of that epoch must name the same. Fences never decrease (checked apart), so an epoch's messages
     * are consecutive and this also means the writer changes only where the epoch changes.
     */
    private static void checkWriter(String couple, long seq, StoredMessage message, Map<Long, String> writerByEpoch,
            Report report) {
        String writer = message.getWriterInstance();
        if (writer == null) {
            report.add(Invariant.ONE_WRITER, couple + "seq " + seq + " records no writer: one writer cannot be proven");
            return;
        }
        report.writers.add(writer);
        long epoch = CoupleStore.shardEpochOf(message.getFence());
        String first = writerByEpoch.putIfAbsent(epoch, writer);
        if (first == null) {
            report.epochs++;
        } else if (!first.equals(writer)) {
            report.add(Invariant.ONE_WRITER, couple + "seq " + seq + " was written by " + writer + " under fence "
                    + message.getFence() + " (shard epoch " + epoch + "), which " + first + " also wrote under: two writers");
        }
    }

    /** One device against the couple's row: every message once, in order, no gap, as stored, up to the last. */
    private static void checkDevice(String device, DeviceLog log, NavigableMap<Long, StoredMessage> stored, long lastStored,
            Map<String, Long> acknowledged, Duration quietTimeout, Report report) {
        List<Message> received = log.received();
        long last = Device.lastDelivered(received, log.missing());
        if (last < lastStored) {
            report.add(Invariant.DELIVERED, device + " did not catch up within " + quietTimeout.toSeconds()
                    + " s: last delivered seq " + last + ", HBase's last is " + lastStored + " ("
                    + (lastStored - last) + " behind)");
        }
        for (String problem : DeliveryChecker.violations(received, 1, acknowledged)) {
            report.add(Invariant.DELIVERED, device + " received: " + problem);
        }
        for (String range : log.missing()) {
            int have = stored.subMap(Long.parseLong(range.substring(0, range.indexOf(".."))), true,
                    Long.parseLong(range.substring(range.indexOf("..") + 2)), true).size();
            if (have > 0) {
                report.add(Invariant.DELIVERED, device + " was told seq " + range + " are lost, yet HBase has " + have
                        + " of them");
            }
        }
        for (Message message : received) {
            StoredMessage at = stored.get(message.getSeq());
            if (at == null) {
                report.add(Invariant.DELIVERED, device + " received seq " + message.getSeq() + " ('" + message.getText()
                        + "'), which HBase does not have");
            } else if (!Objects.equals(at.getClientMessageId(), message.getClientMessageId())
                    || !Objects.equals(at.getText(), message.getText()) || at.getSenderId() != message.getSenderId()) {
                report.add(Invariant.DELIVERED, device + " received seq " + message.getSeq() + " as '" + message.getText()
                        + "', HBase has '" + at.getText() + "' there");
            }
        }
        if (received.size() != stored.size()) {
            report.add(Invariant.DELIVERED, device + " received " + received.size() + " messages; HBase has " + stored.size());
        }
    }

    private static Map<Long, NavigableMap<Long, StoredMessage>> readAll(Tables tables, Iterable<Long> coupleIds,
            LocalCluster cluster) throws IOException {
        Map<Long, NavigableMap<Long, StoredMessage>> all = new TreeMap<>();
        for (long coupleId : coupleIds) {
            all.put(coupleId, read(tables, coupleId, cluster.shards()));
        }
        return all;
    }

    /**
     * A couple's messages wherever they are: its row, then its archive rows (docs/STORAGE.md), read in that
     * order so that a bucket moved meanwhile is found in one or the other; the row's copy wins.
     */
    private static NavigableMap<Long, StoredMessage> read(Tables tables, long coupleId, int shards) throws IOException {
        byte[] coupleRow = HBaseSchema.coupleRow(Shards.shardOf(coupleId, shards), coupleId);
        Result row = tables.couples.get(new Get(coupleRow).addFamily(HBaseSchema.MESSAGES));
        NavigableMap<Long, StoredMessage> messages = new TreeMap<>();
        List<NavigableMap<byte[], byte[]>> families = new ArrayList<>();
        families.add(row.getFamilyMap(HBaseSchema.MESSAGES));
        try (ResultScanner archived = tables.archive.getScanner(new Scan().setStartStopRowForPrefixScan(coupleRow)
                .addFamily(HBaseSchema.MESSAGES))) {
            for (Result bucket : archived) {
                families.add(bucket.getFamilyMap(HBaseSchema.MESSAGES));
            }
        }
        for (NavigableMap<byte[], byte[]> cells : families) {
            if (cells == null) {
                continue;
            }
            for (Map.Entry<byte[], byte[]> cell : cells.entrySet()) {
                try {
                    messages.putIfAbsent(Bytes.toLong(cell.getKey()),
                            ThriftCodec.INTERNAL.decode(cell.getValue(), new StoredMessage()));
                } catch (io.duet.protocol.thrift.MalformedPayloadException e) {
                    throw new IOException("unreadable message in couple " + coupleId, e);
                }
            }
        }
        return messages;
    }

    /** The cluster's couples and archive tables. */
    private static final class Tables implements AutoCloseable {
        final Table couples;
        final Table archive;

        Tables(Connection hbase, String namespace) throws IOException {
            this.couples = hbase.getTable(TableName.valueOf(namespace, "couples"));
            this.archive = hbase.getTable(TableName.valueOf(namespace, "archive"));
        }

        @Override
        public void close() throws IOException {
            couples.close();
            archive.close();
        }
    }

    private static Configuration configuration(LocalCluster cluster) {
        Configuration conf = HBaseConfiguration.create();
        String[] zookeeper = cluster.hbaseZookeeperConnect().split(":");
        conf.set("hbase.zookeeper.quorum", zookeeper[0]);
        conf.set("hbase.zookeeper.property.clientPort", zookeeper[1]);
        return conf;
    }
}
