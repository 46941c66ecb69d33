package io.duet.app.couple;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.duet.app.StorageCluster;
import io.duet.app.internal.SerialExecutor;
import io.duet.app.storage.CoupleStore;
import io.duet.app.storage.CoupleStoreSettings;
import io.duet.app.storage.HBaseSchema;
import io.duet.protocol.api.HistoryPage;
import io.duet.protocol.api.Message;
import io.duet.protocol.api.SendMessageRequest;
import io.duet.protocol.cluster.Shards;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.LongStream;
import org.apache.hadoop.hbase.client.AsyncConnection;
import org.apache.hadoop.hbase.client.Get;
import org.apache.hadoop.hbase.client.Result;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Couple actors moving their old messages to the archive in the background (buckets of 10, the newest 20
 * kept), on real HBase: history across the mark, an edit of an archived message folded in, and a new
 * owner that reads across the mark and moves on while the deposed one can no longer edit.
 */
class CoupleArchivingIT {
    private static final long ANN = 1;
    private static final long BOB = 2;
    private static final long COUPLE = 9001;
    private static CoupleStore store;
    private static HBaseSchema schema;
    private static ExecutorService workers;
    private static ScheduledExecutorService timers;
    /** The couple's shared parts, with archive moves every 10 ms. */
    private static CoupleServices services;
    private static AsyncConnection hbase;

    @BeforeAll
    static void startHBase() throws Exception {
        schema = StorageCluster.freshSchema(4);
        hbase = StorageCluster.connection();
        store = new CoupleStore(hbase, schema, StorageCluster.callbacks(),
                CoupleStoreSettings.builder().archiveBucketSize(10).build());
        workers = Executors.newFixedThreadPool(4);
        timers = Executors.newSingleThreadScheduledExecutor();
        services = CoupleServices.builder(store, CoupleLimits.builder().recentMessages(8).build(),
                new CatchUpReads(CatchUpLimits.defaults(), timers), timers).archive(ArchiveSettings.builder()
                .keepRecent(20).movesPerTick(2).tick(Duration.ofMillis(10)).build()).build();
    }

    @AfterAll
    static void stopThreads() {
        services.moves.close();
        workers.shutdownNow();
        timers.shutdownNow();
    }

    private static CoupleActor actor(long epoch) {
        CoupleActor actor = new CoupleActor(COUPLE, 0, epoch, new SerialExecutor(workers, "couple-" + COUPLE), services,
                () -> true, retired -> { });
        actor.start();
        return actor;
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(10);
        }
    }

    private static long archivedUpTo() {
        return store.archive().mark(COUPLE).join().archivedUpTo();
    }

    private static int cellsInCoupleRow() {
        Result row = hbase.getTable(schema.couples())
                .get(new Get(HBaseSchema.coupleRow(Shards.shardOf(COUPLE, schema.shardCount()), COUPLE))
                        .addFamily(HBaseSchema.MESSAGES)).join();
        return row.isEmpty() ? 0 : row.getFamilyMap(HBaseSchema.MESSAGES).size();
    }

    private static void send(CoupleActor actor, int from, int to) throws Exception {
        List<CompletableFuture<?>> sent = new ArrayList<>();
        for (int i = from; i <= to; i++) {
            sent.add(actor.send(i % 2 == 0 ? ANN : BOB, "phone", new SendMessageRequest("m" + i, "message " + i, 1)));
        }
        CompletableFuture.allOf(sent.toArray(new CompletableFuture<?>[0])).get(30, TimeUnit.SECONDS);
    }

    private static List<Message> history(CoupleActor actor, int pageSize) throws Exception {
        List<Message> all = new ArrayList<>();
        long after = 0;
        HistoryPage page;
        do {
            page = actor.history(ANN, after, null, pageSize).get(30, TimeUnit.SECONDS);
            all.addAll(page.getMessages());
            after = page.getNextCursor();
        } while (page.isHasMore());
        return all;
    }

    @Test
    void oldMessagesMoveInTheBackgroundAndEveryReadFindsThem() throws Exception {
        assertThat(store.create(COUPLE, ANN, BOB, 0).get(30, TimeUnit.SECONDS)).isTrue();
        CoupleActor owner = actor(1);
        send(owner, 1, 100);
        await("buckets up to 80 archived", () -> archivedUpTo() == 80);
        assertThat(cellsInCoupleRow()).isEqualTo(20);
        assertThat(history(owner, 7)).extracting(Message::getSeq).containsExactlyElementsOf(
                LongStream.rangeClosed(1, 100).boxed().toList());

        // Ann's message 4 is archived: her edit lands in the couple row, and the next move folds it in.
        assertThat(owner.editMessage(ANN, 4, "four, edited", 0L).get(30, TimeUnit.SECONDS).getVersion()).isEqualTo(1);
        await("the edit folded in", () -> cellsInCoupleRow() == 20);
        assertThat(owner.history(ANN, 3, null, 1).get(30, TimeUnit.SECONDS).getMessages().get(0).getText())
                .isEqualTo("four, edited");

        // A new owner loads across the mark and moves on; the deposed one can no longer edit.
        CoupleActor next = actor(2);
        send(next, 101, 130);
        await("buckets up to 110 archived", () -> archivedUpTo() == 110);
        List<Message> all = history(next, 500);
        assertThat(all).extracting(Message::getSeq).containsExactlyElementsOf(LongStream.rangeClosed(1, 130).boxed().toList());
        assertThat(all.get(3).getText()).isEqualTo("four, edited");
        assertThatThrownBy(() -> owner.editMessage(ANN, 6, "too late", null).get(30, TimeUnit.SECONDS))
                .hasCauseInstanceOf(NotOwnerException.class);
        assertThat(next.history(BOB, 5, null, 1).get(30, TimeUnit.SECONDS).getMessages().get(0).getText()).isEqualTo("message 6");
    }
}
