package io.duet.app.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.duet.app.StorageCluster;
import io.duet.protocol.api.Message;
import io.duet.protocol.api.MessageKind;
import io.duet.protocol.cluster.Shards;
import io.duet.protocol.storage.StoredChanges;
import io.duet.protocol.storage.StoredMessage;
import io.duet.protocol.thrift.ThriftCodec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.LongStream;
import org.apache.hadoop.hbase.RegionMetrics;
import org.apache.hadoop.hbase.ServerName;
import org.apache.hadoop.hbase.TableName;
import org.apache.hadoop.hbase.client.AsyncAdmin;
import org.apache.hadoop.hbase.client.AsyncTable;
import org.apache.hadoop.hbase.client.Get;
import org.apache.hadoop.hbase.client.Put;
import org.apache.hadoop.hbase.client.Result;
import org.apache.hadoop.hbase.client.Scan;
import org.apache.hadoop.hbase.util.Bytes;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The archive on a real HBase, with buckets of 10: moves, reads across the mark, edits of archived
 * messages folded in, the fences of a deposed owner, and the purge of a closed couple.
 */
class MessageArchiveIT {
    private static final int BUCKET = 10;
    private static final AtomicLong IDS = new AtomicLong(5000);
    private static CoupleStore store;
    private static HBaseSchema schema;

    @BeforeAll
    static void startHBase() throws Exception {
        schema = StorageCluster.freshSchema(8);
        store = new CoupleStore(StorageCluster.connection(), schema, StorageCluster.callbacks(),
                CoupleStoreSettings.builder().archiveBucketSize(BUCKET).build());
    }

    private static <T> T await(CompletableFuture<T> future) throws Exception {
        return future.get(30, TimeUnit.SECONDS);
    }

    /** A couple with {@code count} messages committed under a fresh claim; returns the owner's snapshot. */
    private static CoupleSnapshot coupleWith(long id, int count) throws Exception {
        assertThat(await(store.create(id, 1, 2, 0))).isTrue();
        CoupleSnapshot owner = await(store.claim(id, 1, 10));
        for (long seq = 1; seq <= count; seq += 7) {
            List<Message> batch = new ArrayList<>();
            for (long s = seq; s < Math.min(seq + 7, count + 1); s++) {
                batch.add(new Message(s, "client-" + s, 1, "phone", 1000 + s, MessageKind.TEXT, "text " + s));
            }
            await(store.commit(id, owner.fence(), seq - 1, batch, Map.of()));
        }
        return owner;
    }

    /** Moves until nothing is due; returns the moves that moved something. */
    private static int moveAll(long id, long fence, long archivableUpTo) throws Exception {
        int moved = 0;
        while (!await(store.archive().moveNext(id, fence, archivableUpTo)).idle()) {
            moved++;
        }
        return moved;
    }

    private static byte[] coupleRow(long id) {
        return HBaseSchema.coupleRow(Shards.shardOf(id, schema.shardCount()), id);
    }

    private static int cellsInCoupleRow(long id) throws Exception {
        AsyncTable<?> couples = StorageCluster.connection().getTable(schema.couples());
        Result row = await(couples.get(new Get(coupleRow(id)).addFamily(HBaseSchema.MESSAGES)));
        return row.isEmpty() ? 0 : row.getFamilyMap(HBaseSchema.MESSAGES).size();
    }

    private static List<Result> archiveRows(long id) throws Exception {
        AsyncTable<?> archive = StorageCluster.connection().getTable(schema.archive());
        return await(archive.scanAll(new Scan().setStartStopRowForPrefixScan(coupleRow(id))));
    }

    private static List<Long> seqs(List<Message> messages) {
        return messages.stream().map(Message::getSeq).toList();
    }

    private static List<Long> range(long from, long to) {
        return LongStream.rangeClosed(from, to).boxed().toList();
    }

    @Test
    void fullBucketsMoveAndEveryPageReadsAcrossTheMark() throws Exception {
        long id = IDS.incrementAndGet();
        CoupleSnapshot owner = coupleWith(id, 95);
        // Keep the newest 20: buckets 1-10 .. 61-70 are all older than 75, 71-80 is not.
        assertThat(moveAll(id, owner.fence(), 75)).isEqualTo(7);
        assertThat(await(store.archive().mark(id))).isEqualTo(new ArchiveMark(70, BUCKET));
        assertThat(cellsInCoupleRow(id)).isEqualTo(25);
        assertThat(archiveRows(id)).hasSize(7).allSatisfy(row ->
                assertThat(row.getFamilyMap(HBaseSchema.MESSAGES)).hasSize(BUCKET));

        assertThat(seqs(await(store.read(id, 1, 95, 500)))).containsExactlyElementsOf(range(1, 95));
        for (long from = 1; from <= 95; from += 3) {
            long to = Math.min(95, from + 8);
            List<Message> page = await(store.read(id, from, to, 500));
            assertThat(seqs(page)).as("page %d..%d", from, to).containsExactlyElementsOf(range(from, to));
            assertThat(page.get(0).getText()).isEqualTo("text " + from);
        }
        // A limit shorter than the range: the oldest ones, across the mark and within one bucket.
        assertThat(seqs(await(store.read(id, 65, 95, 12)))).containsExactlyElementsOf(range(65, 76));
        assertThat(seqs(await(store.read(id, 3, 95, 4)))).containsExactlyElementsOf(range(3, 6));

        // A new owner loads the recent messages, across the mark when it asks for more than the row keeps.
        CoupleSnapshot next = await(store.claim(id, 2, 40));
        assertThat(seqs(await(next.recentMessages()))).containsExactlyElementsOf(range(56, 95));
        assertThat(moveAll(id, next.fence(), 75)).isZero();
    }

    @Test
    void movesKeepTheFieldsANewerReleaseAppendedToTheMark() throws Exception {
        long id = IDS.incrementAndGet();
        CoupleSnapshot owner = coupleWith(id, 35);
        assertThat(moveAll(id, owner.fence(), 15)).isEqualTo(1);
        byte[] newerFields = {9, 8, 7};
        byte[] stored = new ArchiveMark(10, BUCKET, newerFields).encode();
        AsyncTable<?> couples = StorageCluster.connection().getTable(schema.couples());
        await(couples.put(new Put(coupleRow(id)).addColumn(HBaseSchema.OWNER, HBaseSchema.ARCHIVE_MARK, stored)));

        assertThat(moveAll(id, owner.fence(), 35)).isEqualTo(2);
        byte[] after = await(couples.get(new Get(coupleRow(id)).addColumn(HBaseSchema.OWNER, HBaseSchema.ARCHIVE_MARK)))
                .getValue(HBaseSchema.OWNER, HBaseSchema.ARCHIVE_MARK);
        assertThat(Arrays.copyOfRange(after, 0, 12)).isEqualTo(new ArchiveMark(30, BUCKET).encode());
        assertThat(Arrays.copyOfRange(after, 12, after.length)).isEqualTo(newerFields);
        assertThat(seqs(await(store.read(id, 1, 35, 500)))).containsExactlyElementsOf(range(1, 35));
    }

    /** Read requests the region servers have served on {@code table} so far, all its regions summed. */
    private static long readRequests(TableName table) throws Exception {
        AsyncAdmin admin = StorageCluster.connection().getAdmin();
        long total = 0;
        for (ServerName server : await(admin.getRegionServers())) {
            for (RegionMetrics region : await(admin.getRegionMetrics(server, table))) {
                total += region.getReadRequestCount();
            }
        }
        return total;
    }

    /** The HBase read requests (couple row and archive rows) that reading the page of {@code limit} from {@code from} took. */
    private static long readsOfPage(long id, long from, int limit) throws Exception {
        long before = readRequests(schema.couples()) + readRequests(schema.archive());
        List<Message> page = await(store.read(id, from, from + limit - 1, limit));
        long reads = readRequests(schema.couples()) + readRequests(schema.archive()) - before;
        assertThat(seqs(page)).as("page from %d", from).containsExactlyElementsOf(range(from, from + limit - 1));
        return reads;
    }

    /**
     * The guard of "history pages in constant time at any depth", by counting instead of timing: in a couple
     * with 100 archive buckets, a page at any depth takes as many HBase read requests (counted by the region
     * servers) as one just under the archive mark, and a recent page (in the couple row) fewer.
     */
    @Test
    void aPageTakesAsManyHBaseReadsAtAnyDepth() throws Exception {
        long id = IDS.incrementAndGet();
        int count = 100 * BUCKET + 5;
        CoupleSnapshot owner = coupleWith(id, count);
        assertThat(moveAll(id, owner.fence(), 100 * BUCKET)).isEqualTo(100);

        // Each page starts mid-bucket, so each archived one spans two buckets, like most pages of a phone.
        long justUnderTheMark = readsOfPage(id, 98 * BUCKET + 5, BUCKET);
        assertThat(justUnderTheMark).as("the reads of a page just under the mark").isPositive();
        for (long bucket : List.of(0L, 1L, 10L, 50L, 97L)) {
            assertThat(readsOfPage(id, bucket * BUCKET + 5, BUCKET)).as("the reads of a page in bucket %d", bucket)
                    .isEqualTo(justUnderTheMark);
        }
        assertThat(readsOfPage(id, 99 * BUCKET + 5, BUCKET)).as("the reads of a page across the mark")
                .isPositive().isLessThanOrEqualTo(justUnderTheMark);
        assertThat(readsOfPage(id, 100 * BUCKET + 1, 5)).as("the reads of the newest page, in the couple row")
                .isPositive().isLessThan(justUnderTheMark);
    }

    @Test
    void editsOfArchivedMessagesAreFoundAndFoldedIn() throws Exception {
        long id = IDS.incrementAndGet();
        CoupleSnapshot owner = coupleWith(id, 40);
        moveAll(id, owner.fence(), 30);
        assertThat(await(store.archive().mark(id)).archivedUpTo()).isEqualTo(30);

        ThriftCodec codec = ThriftCodec.INTERNAL;
        StoredMessage stored = codec.decode(await(store.readStoredMessage(id, 5)), new StoredMessage());
        assertThat(stored.getText()).isEqualTo("text 5");
        await(store.rewriteMessage(id, owner.fence(), 5, codec.encode(stored.setText("edited").setVersion(1)),
                codec.encode(new StoredChanges(1, List.of(5L)))));
        assertThat(cellsInCoupleRow(id)).isEqualTo(11);
        assertThat(await(store.read(id, 4, 6, 10))).extracting(Message::getText).containsExactly("text 4", "edited", "text 6");
        assertThat(codec.decode(await(store.readStoredMessage(id, 5)), new StoredMessage()).getText()).isEqualTo("edited");

        // The next move folds it into its bucket and takes it out of the couple row.
        assertThat(moveAll(id, owner.fence(), 30)).isEqualTo(1);
        assertThat(cellsInCoupleRow(id)).isEqualTo(10);
        assertThat(await(store.read(id, 1, 40, 100))).hasSize(40).extracting(Message::getText).contains("edited")
                .doesNotContain("text 5");
    }

    @Test
    void aDeposedOwnerCannotMoveNorOverwriteANewerOwnersBucket() throws Exception {
        long id = IDS.incrementAndGet();
        CoupleSnapshot old = coupleWith(id, 40);
        CoupleSnapshot newer = await(store.claim(id, 2, 10));
        assertThatThrownBy(() -> await(store.archive().moveNext(id, old.fence(), 30)))
                .hasCauseInstanceOf(FencedException.class);
        assertThat(await(store.archive().mark(id)).archivedUpTo()).isZero();
        assertThat(cellsInCoupleRow(id)).isEqualTo(40);

        assertThat(moveAll(id, newer.fence(), 30)).isEqualTo(3);
        // A deposed owner's late write of a bucket (read before it was deposed) does not land over the
        // newer owner's; the newer owner, and a later one, may write it again.
        byte[] row = HBaseSchema.archiveRow(Shards.shardOf(id, schema.shardCount()), id, 0);
        Put stale = new Put(row).addColumn(HBaseSchema.OWNER, HBaseSchema.ARCHIVE_FENCE, Bytes.toBytes(old.fence()))
                .addColumn(HBaseSchema.MESSAGES, HBaseSchema.messageQualifier(1), Bytes.toBytes("stale"));
        assertThatThrownBy(() -> await(store.archive().writeBucket(id, old.fence(), stale, true)))
                .hasCauseInstanceOf(FencedException.class);
        assertThatThrownBy(() -> await(store.archive().writeBucket(id, old.fence(), stale, false)))
                .hasCauseInstanceOf(FencedException.class);
        assertThat(await(store.read(id, 1, 1, 1)).get(0).getText()).isEqualTo("text 1");
        Put same = new Put(row).addColumn(HBaseSchema.OWNER, HBaseSchema.ARCHIVE_FENCE, Bytes.toBytes(newer.fence()));
        await(store.archive().writeBucket(id, newer.fence(), same, true));
        CoupleSnapshot latest = await(store.claim(id, 3, 10));
        Put later = new Put(row).addColumn(HBaseSchema.OWNER, HBaseSchema.ARCHIVE_FENCE, Bytes.toBytes(latest.fence()));
        await(store.archive().writeBucket(id, latest.fence(), later, true));
        assertThatThrownBy(() -> await(store.archive().writeBucket(id, newer.fence(), same, true)))
                .hasCauseInstanceOf(FencedException.class);
        // Nor can the deposed owner edit an archived message.
        assertThatThrownBy(() -> await(store.rewriteMessage(id, newer.fence(), 5, Bytes.toBytes("late edit"),
                Bytes.toBytes("late change"))))
                .hasCauseInstanceOf(FencedException.class);
        assertThat(seqs(await(store.read(id, 1, 40, 100)))).containsExactlyElementsOf(range(1, 40));
    }

    @Test
    void purgingAClosedCoupleDeletesItsArchive() throws Exception {
        long id = IDS.incrementAndGet();
        CoupleSnapshot owner = coupleWith(id, 35);
        moveAll(id, owner.fence(), 30);
        assertThat(archiveRows(id)).hasSize(3);
        assertThat(await(store.closures().close(id, 1, 1234))).isTrue();
        assertThatThrownBy(() -> await(store.archive().moveNext(id, owner.fence(), 30)))
                .hasCauseInstanceOf(FencedException.class);
        await(store.closures().purge(id));
        assertThat(archiveRows(id)).isEmpty();
        assertThat(cellsInCoupleRow(id)).isZero();
    }
}
