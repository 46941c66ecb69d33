package io.duet.app.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.duet.app.StorageCluster;
import io.duet.protocol.api.Message;
import io.duet.protocol.api.MessageKind;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class CoupleStoreIT {
    private static final AtomicLong IDS = new AtomicLong(1000);
    private static CoupleStore store;
    private static HBaseSchema schema;

    @BeforeAll
    static void startHBase() throws Exception {
        schema = StorageCluster.freshPreSplitSchema(8);
        store = new CoupleStore(StorageCluster.connection(), schema, StorageCluster.callbacks(),
                CoupleStoreSettings.defaults());
    }

    private static <T> T await(CompletableFuture<T> future) throws Exception {
        return future.get(30, TimeUnit.SECONDS);
    }

    private static long newCouple() throws Exception {
        long id = IDS.incrementAndGet();
        assertThat(await(store.create(id, 1, 2, 0))).isTrue();
        return id;
    }

    private static List<Message> messages(long fromSeq, int count) {
        List<Message> batch = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            long seq = fromSeq + i;
            batch.add(new Message(seq, "client-" + seq, 1, "phone", 1000 + seq, MessageKind.TEXT, "text " + seq));
        }
        return batch;
    }

    @Test
    void creatingACoupleTwiceWithTheSameMembersIsIdempotent() throws Exception {
        long id = newCouple();
        assertThat(await(store.create(id, 2, 1, 5))).isTrue();
        assertThat(await(store.create(id, 1, 3, 5))).as("other members").isFalse();
    }

    @Test
    void committedBatchIsReadBackInSequenceOrder() throws Exception {
        long id = newCouple();
        CoupleSnapshot owner = await(store.claim(id, 1, 10));
        await(store.commit(id, owner.fence(), 0, messages(1, 3), Map.of()));
        await(store.commit(id, owner.fence(), 3, messages(4, 2), Map.of()));

        assertThat(await(store.read(id, 1, 5, 100))).extracting(Message::getSeq).containsExactly(1L, 2L, 3L, 4L, 5L);
        assertThat(await(store.read(id, 2, 4, 2))).extracting(Message::getSeq).containsExactly(2L, 3L);
        assertThat(await(store.findSend(id, 1, "client-4", null)).storedSeq()).hasValue(4);
        assertThat(await(store.findSend(id, 1, "never-sent", null)).storedSeq()).isEmpty();

        CoupleSnapshot reloaded = await(store.claim(id, 2, 3));
        assertThat(reloaded.lastSeq()).isEqualTo(5);
        assertThat(await(reloaded.recentMessages())).extracting(Message::getSeq).containsExactly(3L, 4L, 5L);
        assertThat(await(reloaded.recentMessages()).get(0).getText()).isEqualTo("text 3");
        assertThat(reloaded.hasMember(1)).isTrue();
        assertThat(reloaded.partnerOf(1)).isEqualTo(2);
    }

    @Test
    void newerOwnerFencesTheWritesOfTheOlderOne() throws Exception {
        long id = newCouple();
        CoupleSnapshot older = await(store.claim(id, 5, 10));
        await(store.commit(id, older.fence(), 0, messages(1, 1), Map.of()));

        CoupleSnapshot newer = await(store.claim(id, 7, 10));
        assertThat(newer.lastSeq()).isEqualTo(1);
        assertThatThrownBy(() -> await(store.commit(id, older.fence(), 1, messages(2, 1), Map.of())))
                .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(FencedException.class);
        await(store.commit(id, newer.fence(), 1, messages(2, 1), Map.of()));
        assertThat(await(store.read(id, 1, 10, 10))).hasSize(2);
    }

    @Test
    void olderEpochCannotClaimARowANewerOneHolds() throws Exception {
        long id = newCouple();
        await(store.claim(id, 9, 10));
        assertThatThrownBy(() -> await(store.claim(id, 8, 10)))
                .hasCauseInstanceOf(FencedException.class);
    }

    @Test
    void reloadingUnderTheSameEpochFencesThePreviousLoad() throws Exception {
        long id = newCouple();
        CoupleSnapshot first = await(store.claim(id, 3, 10));
        CoupleSnapshot second = await(store.claim(id, 3, 10));
        assertThat(second.fence()).isGreaterThan(first.fence());
        assertThatThrownBy(() -> await(store.commit(id, first.fence(), 0, messages(1, 1), Map.of())))
                .hasCauseInstanceOf(FencedException.class);
        await(store.commit(id, second.fence(), 0, messages(1, 1), Map.of()));
    }

    @Test
    void claimingAnUnknownCoupleFails() {
        assertThatThrownBy(() -> await(store.claim(424242424242L, 1, 10)))
                .hasCauseInstanceOf(CoupleNotFoundException.class);
    }

    @Test
    void aRowWrittenBeforeTheWriterCellIsClaimedOnItsEpochAndLoadedWhole() throws Exception {
        long id = newCouple();
        CoupleSnapshot owner = await(store.claim(id, 1, 10));
        await(store.commit(id, owner.fence(), 0, messages(1, 3), Map.of()));
        // As the first release left it: no writer cell, the last sequence number in its own cell.
        byte[] row = HBaseSchema.coupleRow(io.duet.protocol.cluster.Shards.shardOf(id, schema.shardCount()), id);
        await(StorageCluster.connection().getTable(schema.couples())
                .delete(new org.apache.hadoop.hbase.client.Delete(row).addColumns(HBaseSchema.OWNER, HBaseSchema.WRITER)));

        CoupleSnapshot reloaded = await(store.claim(id, 2, 10));
        assertThat(reloaded.lastSeq()).isEqualTo(3);
        assertThat(await(reloaded.recentMessages())).extracting(Message::getSeq).containsExactly(1L, 2L, 3L);
        await(store.commit(id, reloaded.fence(), 3, messages(4, 1), Map.of()));
        assertThatThrownBy(() -> await(store.commit(id, owner.fence(), 3, messages(4, 1), Map.of())))
                .hasCauseInstanceOf(FencedException.class);
    }

    @Test
    void aReplayedOlderBatchCannotMoveTheSequenceBackwards() throws Exception {
        long id = newCouple();
        CoupleSnapshot owner = await(store.claim(id, 1, 10));
        await(store.commit(id, owner.fence(), 0, messages(1, 2), Map.of()));
        await(store.commit(id, owner.fence(), 2, messages(3, 1), Map.of()));
        // The same owner, same fence: a late replay of the first batch must not win.
        assertThatThrownBy(() -> await(store.commit(id, owner.fence(), 0, messages(1, 2), Map.of())))
                .hasCauseInstanceOf(FencedException.class);
        CoupleSnapshot reloaded = await(store.claim(id, 2, 10));
        assertThat(reloaded.lastSeq()).isEqualTo(3);
        assertThat(await(reloaded.recentMessages())).extracting(Message::getSeq).containsExactly(1L, 2L, 3L);
    }

    @Test
    void commitsOfManyCouplesInOneGroupKeepTheirOwnFences() throws Exception {
        CoupleStore grouping = new CoupleStore(StorageCluster.connection(), schema, StorageCluster.callbacks(),
                CoupleStoreSettings.builder().commitRequestsInFlight(1).commitsPerRegion(true).build());
        int couples = 40;
        long[] ids = new long[couples];
        long[] fences = new long[couples];
        for (int i = 0; i < couples; i++) {
            ids[i] = newCouple();
            fences[i] = await(grouping.claim(ids[i], 1, 10)).fence();
            await(grouping.commit(ids[i], fences[i], 0, messages(1, 1), Map.of()));
        }
        long stale = ids[7];
        long reclaimedFence = await(store.claim(stale, 2, 10)).fence();
        long opener = newCouple();
        long openerFence = await(grouping.claim(opener, 1, 10)).fence();
        long before = grouping.atomicRegionShares();

        // A large commit holds the one request slot, so the others wait and go together in the next group,
        // each region's share as one atomic call: a stale fence and a replayed batch among them.
        CompletableFuture<Void> opening = grouping.commit(opener, openerFence, 0, messages(1, 500), Map.of());
        List<CompletableFuture<Void>> results = new ArrayList<>();
        for (int i = 0; i < couples; i++) {
            long expected = i == 13 ? 0 : 1;
            results.add(grouping.commit(ids[i], fences[i], expected, messages(expected + 1, 2), Map.of()));
        }
        for (int i = 0; i < couples; i++) {
            if (i == 7 || i == 13) {
                int which = i;
                assertThatThrownBy(() -> await(results.get(which))).as("commit " + i)
                        .hasCauseInstanceOf(FencedException.class);
            } else {
                await(results.get(i));
            }
        }
        await(opening);
        assertThat(grouping.atomicRegionShares()).as("regions' shares written atomically").isGreaterThan(before);
        for (int i = 0; i < couples; i++) {
            List<Message> stored = await(store.read(ids[i], 1, 10, 10));
            assertThat(stored).as("couple " + i).extracting(Message::getSeq)
                    .containsExactlyElementsOf(i == 7 || i == 13 ? List.of(1L) : List.of(1L, 2L, 3L));
        }
        assertThat(await(store.claim(ids[13], 3, 10)).lastSeq()).as("the replay wrote nothing").isEqualTo(1);
        await(store.commit(stale, reclaimedFence, 1, messages(2, 1), Map.of()));
    }

    @Test
    void dedupIsPerSenderAndOrderMarksAreStoredWithTheBatch() throws Exception {
        long id = newCouple();
        CoupleSnapshot owner = await(store.claim(id, 1, 10));
        CoupleStore.OrderKey annsPhone = new CoupleStore.OrderKey(1, "stream-a");
        await(store.commit(id, owner.fence(), 0, messages(1, 3), Map.of(annsPhone, 7L)));

        CoupleStore.SendHistory found = await(store.findSend(id, 1, "client-2", annsPhone));
        assertThat(found.storedSeq()).hasValue(2);
        assertThat(found.lastOrdinal()).isEqualTo(7);
        assertThat(await(store.findSend(id, 2, "client-2", null)).storedSeq()).as("same id, other sender").isEmpty();
        assertThat(await(store.findSend(id, 1, "x", new CoupleStore.OrderKey(2, "stream-a"))).lastOrdinal())
                .isEqualTo(CoupleStore.SendHistory.NO_ORDINAL);
    }

    @Test
    void aNewOwnerGetsTheOrderStreamsMarksWithItsClaim() throws Exception {
        long id = newCouple();
        CoupleSnapshot owner = await(store.claim(id, 1, 10));
        assertThat(owner.orderMarks()).isEmpty();
        CoupleStore.OrderKey annsPhone = new CoupleStore.OrderKey(1, "stream-a");
        CoupleStore.OrderKey bobsPhone = new CoupleStore.OrderKey(2, "stream-b");
        await(store.commit(id, owner.fence(), 0, messages(1, 2), Map.of(annsPhone, 2L)));
        await(store.commit(id, owner.fence(), 2, messages(3, 2), Map.of(annsPhone, 4L, bobsPhone, 9L)));

        CoupleSnapshot next = await(store.claim(id, 2, 10));

        assertThat(next.orderMarks()).containsExactlyInAnyOrderEntriesOf(Map.of(annsPhone, 4L, bobsPhone, 9L));
        assertThat(next.lastSeq()).isEqualTo(4);
        assertThat(await(next.recentMessages())).extracting(Message::getSeq).containsExactly(1L, 2L, 3L, 4L);
        assertThat(await(next.readMarks())).isNull();
        assertThat(await(next.changes())).isNull();
    }

    @Test
    void whatADeposedOwnerWroteUnderTheEpochCellBeforeTheClaimIsReadAfterIt() throws Exception {
        long id = newCouple();
        CoupleSnapshot older = await(store.claim(id, 1, 10));
        await(store.commit(id, older.fence(), 0, messages(1, 2), Map.of()));
        await(store.space().write(id, older.fence(), SpaceStore.readMarksQualifier(), new byte[] {1, 2, 3}));
        await(store.rewriteMessage(id, older.fence(), 2, await(store.readStoredMessage(id, 1)), new byte[] {7, 8}));

        CoupleSnapshot newer = await(store.claim(id, 2, 10));

        assertThat(await(newer.readMarks())).containsExactly(1, 2, 3);
        // The change log, written with the edit, is the new owner's to number the next change from.
        assertThat(await(newer.changes())).containsExactly(7, 8);
        assertThat(await(newer.recentMessages())).extracting(Message::getText).containsExactly("text 1", "text 1");
        assertThatThrownBy(() -> await(store.space().write(id, older.fence(), SpaceStore.readMarksQualifier(),
                new byte[] {4}))).hasCauseInstanceOf(FencedException.class);
        assertThatThrownBy(() -> await(store.rewriteMessage(id, older.fence(), 1, new byte[] {4}, new byte[] {9})))
                .hasCauseInstanceOf(FencedException.class);
    }
}
