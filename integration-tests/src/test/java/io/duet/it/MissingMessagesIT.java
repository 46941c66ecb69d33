package io.duet.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.duet.app.storage.HBaseSchema;
import io.duet.client.DuetClient;
import io.duet.deploy.local.LocalCluster;
import io.duet.deploy.local.Node;
import io.duet.protocol.api.HistoryPage;
import io.duet.protocol.api.Message;
import io.duet.protocol.api.MissingRange;
import io.duet.protocol.cluster.Shards;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hbase.HBaseConfiguration;
import org.apache.hadoop.hbase.client.AsyncConnection;
import org.apache.hadoop.hbase.client.ConnectionFactory;
import org.apache.hadoop.hbase.client.Delete;
import org.junit.jupiter.api.Test;

/**
 * Committed messages that HBase lost (deleted here behind the servers' back) are data loss: the owner
 * logs it with the couple and the range, counts it on its {@code /metrics}, and the client is told where
 * they would have been, so it goes on after them instead of asking for them again and again; a history
 * page names them. (Holes among the messages an owner loads into memory: {@code CoupleActorIT} and
 * {@code LostMessagesTest} in application-server.)
 */
class MissingMessagesIT {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    void aClientCatchingUpPastLostMessagesIsToldOnceAndGetsEverythingAfterThem() throws Exception {
        LocalCluster cluster = SharedCluster.get();
        double rangesBefore = sumOverApplicationServers(cluster, "duet_catchup_missing_ranges_total");
        double messagesBefore = sumOverApplicationServers(cluster, "duet_catchup_missing_messages_total");
        TestCouple couple = TestCouple.pair(cluster);
        try (DuetClient ann = couple.connect(couple.ann, 0, new RecordingListener(), 0)) {
            List<CompletableFuture<?>> sends = new ArrayList<>();
            for (int i = 1; i <= 400; i++) {
                sends.add(ann.send("message " + i));
            }
            CompletableFuture.allOf(sends.toArray(new CompletableFuture<?>[0])).get(60, TimeUnit.SECONDS);
        }
        // Older than the couple's messages in memory, so catch-up reads them from HBase.
        deleteMessages(cluster, couple.ann.getCoupleId(), 10, 19);

        RecordingListener bobHears = new RecordingListener();
        try (DuetClient bob = couple.connect(couple.bob, 1, bobHears, 0)) {
            bobHears.awaitMessages(390, WAIT);
            // Longer than the SDK waits before it resubscribes to fill a gap.
            Thread.sleep(3000);
            assertThat(bobHears.missing).containsExactly("10..19");
            assertThat(bobHears.snapshot().stream().map(Message::getSeq).collect(Collectors.toList()))
                    .isEqualTo(LongStream.rangeClosed(1, 400).filter(seq -> seq < 10 || seq > 19).boxed()
                            .collect(Collectors.toList()));
            assertThat(bob.lastSeq()).isEqualTo(400);
            String report = "DATA LOSS: couple " + couple.ann.getCoupleId() + " is missing committed messages 10..19";
            assertThat(reports(cluster, report)).as("error logs naming the couple and the range").isEqualTo(1);

            // History names the lost range too, and reports it again.
            HistoryPage page = bob.fetchHistory(0, 30).get(30, TimeUnit.SECONDS);
            assertThat(page.getMessages().stream().map(Message::getSeq).collect(Collectors.toList()))
                    .isEqualTo(LongStream.rangeClosed(1, 30).filter(seq -> seq < 10 || seq > 19).boxed()
                            .collect(Collectors.toList()));
            assertThat(page.getMissing()).containsExactly(new MissingRange(10, 19));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (reports(cluster, report) < 2 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(reports(cluster, report)).as("the history page's error log").isEqualTo(2);
        }
        assertThat(sumOverApplicationServers(cluster, "duet_catchup_missing_ranges_total") - rangesBefore)
                .as("missing ranges counted on /metrics").isGreaterThanOrEqualTo(2);
        assertThat(sumOverApplicationServers(cluster, "duet_catchup_missing_messages_total") - messagesBefore)
                .as("missing messages counted on /metrics").isGreaterThanOrEqualTo(10);
    }

    /** The lines of the application servers' logs that contain {@code report}. */
    private static long reports(LocalCluster cluster, String report) throws Exception {
        long reports = 0;
        for (Node app : cluster.applicationServers()) {
            reports += Files.readAllLines(app.logFile()).stream().filter(line -> line.contains(report)).count();
        }
        return reports;
    }

    /** The sum of {@code metric} on every application server's {@code /metrics}; fails where it is absent. */
    private static double sumOverApplicationServers(LocalCluster cluster, String metric) throws Exception {
        double sum = 0;
        for (Node app : cluster.applicationServers()) {
            String metrics = AdminPort.scrape(app);
            sum += AdminPort.sample(metrics, metric)
                    .orElseThrow(() -> new AssertionError(app + " /metrics has no " + metric + ":\n" + metrics));
        }
        return sum;
    }

    private static void deleteMessages(LocalCluster cluster, long coupleId, long fromSeq, long toSeq) throws Exception {
        Configuration conf = HBaseConfiguration.create();
        conf.set("hbase.zookeeper.quorum", "127.0.0.1");
        conf.set("hbase.zookeeper.property.clientPort", cluster.hbaseZookeeperConnect().split(":")[1]);
        try (AsyncConnection hbase = ConnectionFactory.createAsyncConnection(conf).get(60, TimeUnit.SECONDS)) {
            HBaseSchema schema = new HBaseSchema(cluster.hbaseNamespace(), cluster.shards());
            Delete delete = new Delete(HBaseSchema.coupleRow(Shards.shardOf(coupleId, cluster.shards()), coupleId));
            for (long seq = fromSeq; seq <= toSeq; seq++) {
                delete.addColumns(HBaseSchema.MESSAGES, HBaseSchema.messageQualifier(seq));
            }
            hbase.getTable(schema.couples()).delete(delete).get(30, TimeUnit.SECONDS);
        }
    }
}
