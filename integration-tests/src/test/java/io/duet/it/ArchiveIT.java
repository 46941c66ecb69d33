package io.duet.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.duet.app.storage.ArchiveMark;
import io.duet.app.storage.HBaseSchema;
import io.duet.client.DuetClient;
import io.duet.deploy.local.LocalCluster;
import io.duet.protocol.api.HistoryPage;
import io.duet.protocol.api.Message;
import io.duet.protocol.cluster.Shards;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hbase.HBaseConfiguration;
import org.apache.hadoop.hbase.client.AsyncConnection;
import org.apache.hadoop.hbase.client.ConnectionFactory;
import org.apache.hadoop.hbase.client.Get;
import org.apache.hadoop.hbase.client.Result;
import org.apache.hadoop.hbase.client.Scan;
import org.apache.hadoop.hbase.util.Bytes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A couple of {@link #MESSAGES} messages (12,000) with archive buckets of {@value #BUCKET}: the owner moves all
 * but the newest out of the couple row in the background, the couple row stays small, and through the
 * SDK history pages both ways, deep pages, catch-up from 0 and an edit and a delete of archived messages
 * (folded into the archive by the next move) see every message once, in order, across the boundary; and
 * after HBase splits the archive's region between two of the couple's buckets, across the split too.
 */
class ArchiveIT {
    /**
     * Past the deepest page read (10,000 messages back) and over a hundred archive buckets: 12,000 in CI (each
     * thousand costs about a second); {@code -Dduet.archive.messages=N} sends N (at least 10,100).
     */
    private static final int MESSAGES = Integer.getInteger("duet.archive.messages", 12_000);
    private static final int BUCKET = 100;
    private static final int KEEP = 300;
    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final String UNLIMITED = "1000000/1s";

    @RegisterExtension
    static final PrivateCluster CLUSTER = new PrivateCluster().withApplicationServers(1)
            .withServerSetting("couples.archive.bucket-size", String.valueOf(BUCKET))
            .withServerSetting("couples.archive.keep-recent", String.valueOf(KEEP))
            .withServerSetting("couples.archive.tick", "20ms")
            .withServerSetting("couples.archive.moves-per-tick", "8")
            .withServerSetting("limits.send.per-device", UNLIMITED)
            .withServerSetting("limits.send.per-user", UNLIMITED)
            .withServerSetting("limits.send.per-couple", UNLIMITED)
            .withServerSetting("limits.history.per-device", UNLIMITED);

    @Test
    void historyAndCatchUpSeeEveryMessageOnceAcrossTheArchive() throws Exception {
        LocalCluster cluster = CLUSTER.get();
        TestCouple couple = TestCouple.pair(cluster);
        long coupleId = couple.ann.getCoupleId();
        try (AsyncConnection hbase = hbase(cluster);
                DuetClient ann = couple.connect(couple.ann, 0, new RecordingListener(), 0)) {
            for (int sent = 0; sent < MESSAGES; sent += 2000) {
                List<CompletableFuture<?>> sends = new ArrayList<>();
                for (int i = sent + 1; i <= Math.min(sent + 2000, MESSAGES); i++) {
                    sends.add(ann.send("message " + i));
                }
                CompletableFuture.allOf(sends.toArray(new CompletableFuture<?>[0])).get(120, TimeUnit.SECONDS);
            }
            HBaseSchema schema = new HBaseSchema(cluster.hbaseNamespace(), cluster.shards());
            // Every full bucket older than the newest KEEP moves out.
            long due = (MESSAGES - KEEP) / BUCKET * BUCKET;
            RecordingListener.await(WAIT, "archived up to " + due, () -> mark(hbase, schema, coupleId).archivedUpTo() == due);
            assertThat(cellsInCoupleRow(hbase, schema, coupleId)).isEqualTo(MESSAGES - due);
            assertThat(archiveRows(hbase, schema, coupleId)).isEqualTo(due / BUCKET);

            // An edit and a delete of archived messages, folded in by the next move.
            assertThat(ann.editMessage(5, "five, edited").get(30, TimeUnit.SECONDS).getVersion()).isEqualTo(1);
            assertThat(ann.deleteMessage(6).get(30, TimeUnit.SECONDS).isDeleted()).isTrue();
            RecordingListener.await(WAIT, "the edits folded into the archive",
                    () -> cellsInCoupleRow(hbase, schema, coupleId) == MESSAGES - due);

            // Forwards from 0 and backwards from the newest, 500 a page.
            List<Message> forwards = new ArrayList<>();
            HistoryPage page;
            long after = 0;
            do {
                page = ann.fetchHistory(after, 500).get(30, TimeUnit.SECONDS);
                forwards.addAll(page.getMessages());
                after = page.getNextCursor();
            } while (page.isHasMore());
            assertEveryMessageOnceInOrder(forwards);
            List<Message> backwards = new ArrayList<>();
            long before = Long.MAX_VALUE;
            do {
                page = ann.fetchHistoryBefore(before, 500).get(30, TimeUnit.SECONDS);
                backwards.addAll(0, page.getMessages());
                before = page.getNextCursor();
            } while (page.isHasMore());
            assertEveryMessageOnceInOrder(backwards);
            // A page at any depth, and one across the mark.
            for (long depth : new long[] {0, 1000, 10_000, MESSAGES - 60}) {
                long beforeSeq = MESSAGES - depth + 1;
                List<Long> seqs = seqs(ann.fetchHistoryBefore(beforeSeq, 50).get(30, TimeUnit.SECONDS).getMessages());
                assertThat(seqs).as("depth %d", depth).containsExactlyElementsOf(range(beforeSeq - 50, beforeSeq - 1));
            }
            assertThat(seqs(ann.fetchHistory(due - 20, 40).get(30, TimeUnit.SECONDS).getMessages()))
                    .containsExactlyElementsOf(range(due - 19, due + 20));

            // HBase splits the archive's region between two of the couple's buckets: nothing needs one couple's
            // archive in one region, so pages across the split (and Bob's catch-up below) read on as before.
            long middle = due / BUCKET / 2;
            int regionsBefore = archiveRegions(hbase, schema, coupleId);
            hbase.getAdmin().split(schema.archive(), HBaseSchema.archiveRow(Shards.shardOf(coupleId, schema.shardCount()),
                    coupleId, middle)).get(120, TimeUnit.SECONDS);
            RecordingListener.await(WAIT, "the couple's archive split between two regions",
                    () -> archiveRegions(hbase, schema, coupleId) > regionsBefore);
            long firstAfterSplit = middle * BUCKET + 1;
            assertThat(seqs(ann.fetchHistory(firstAfterSplit - 26, 50).get(30, TimeUnit.SECONDS).getMessages()))
                    .containsExactlyElementsOf(range(firstAfterSplit - 25, firstAfterSplit + 24));
        }

        // Bob's phone catches up from 0: every message once, in order, with the edits, nothing missing.
        RecordingListener bobHears = new RecordingListener();
        try (DuetClient bob = couple.connect(couple.bob, 1, bobHears, 0)) {
            bobHears.awaitMessages(MESSAGES, WAIT);
            Thread.sleep(500);
            assertEveryMessageOnceInOrder(bobHears.snapshot());
            assertThat(bobHears.missing).isEmpty();
            assertThat(bob.lastSeq()).isEqualTo(MESSAGES);
        }
    }

    private static void assertEveryMessageOnceInOrder(List<Message> messages) {
        assertThat(seqs(messages)).containsExactlyElementsOf(range(1, MESSAGES));
        assertThat(messages.get(3).getText()).isEqualTo("message 4");
        assertThat(messages.get(4).getText()).isEqualTo("five, edited");
        assertThat(messages.get(5).isDeleted()).isTrue();
        assertThat(messages.get(MESSAGES - 1).getText()).isEqualTo("message " + MESSAGES);
    }

    private static List<Long> seqs(List<Message> messages) {
        return messages.stream().map(Message::getSeq).toList();
    }

    private static List<Long> range(long from, long to) {
        return LongStream.rangeClosed(from, to).boxed().toList();
    }

    private static AsyncConnection hbase(LocalCluster cluster) throws Exception {
        Configuration conf = HBaseConfiguration.create();
        conf.set("hbase.zookeeper.quorum", "127.0.0.1");
        conf.set("hbase.zookeeper.property.clientPort", cluster.hbaseZookeeperConnect().split(":")[1]);
        return ConnectionFactory.createAsyncConnection(conf).get(60, TimeUnit.SECONDS);
    }

    private static byte[] coupleRow(HBaseSchema schema, long coupleId) {
        return HBaseSchema.coupleRow(Shards.shardOf(coupleId, schema.shardCount()), coupleId);
    }

    private static ArchiveMark mark(AsyncConnection hbase, HBaseSchema schema, long coupleId) {
        Result row = hbase.getTable(schema.couples()).get(new Get(coupleRow(schema, coupleId))
                .addColumn(HBaseSchema.OWNER, HBaseSchema.ARCHIVE_MARK)).join();
        return ArchiveMark.decode(row.getValue(HBaseSchema.OWNER, HBaseSchema.ARCHIVE_MARK), BUCKET);
    }

    private static int cellsInCoupleRow(AsyncConnection hbase, HBaseSchema schema, long coupleId) {
        Result row = hbase.getTable(schema.couples()).get(new Get(coupleRow(schema, coupleId))
                .addFamily(HBaseSchema.MESSAGES)).join();
        return row.isEmpty() ? 0 : row.getFamilyMap(HBaseSchema.MESSAGES).size();
    }

    /** How many of the archive table's regions hold some of the couple's buckets. */
    private static int archiveRegions(AsyncConnection hbase, HBaseSchema schema, long coupleId) {
        int shard = Shards.shardOf(coupleId, schema.shardCount());
        byte[] first = HBaseSchema.archiveRow(shard, coupleId, 0);
        byte[] last = HBaseSchema.archiveRow(shard, coupleId, Long.MAX_VALUE);
        return (int) hbase.getRegionLocator(schema.archive()).getAllRegionLocations().join().stream()
                .filter(location -> Bytes.compareTo(location.getRegion().getStartKey(), last) <= 0
                        && (location.getRegion().getEndKey().length == 0
                                || Bytes.compareTo(location.getRegion().getEndKey(), first) > 0))
                .count();
    }

    private static int archiveRows(AsyncConnection hbase, HBaseSchema schema, long coupleId) {
        return hbase.getTable(schema.archive()).scanAll(new Scan().setStartStopRowForPrefixScan(coupleRow(schema, coupleId))
                .addFamily(HBaseSchema.OWNER)).join().size();
    }
}
