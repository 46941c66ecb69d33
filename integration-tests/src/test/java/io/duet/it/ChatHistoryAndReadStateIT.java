package io.duet.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.duet.client.DuetClient;
import io.duet.client.DuetHttp;
import io.duet.deploy.local.LocalCluster;
import io.duet.protocol.api.DuetError;
import io.duet.protocol.api.ErrorCode;
import io.duet.protocol.api.HistoryPage;
import io.duet.protocol.api.Message;
import io.duet.protocol.api.ReadState;
import io.duet.protocol.api.Session;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/**
 * History paged both ways and read state on the local cluster, over HTTP ({@link DuetHttp}) and TCP
 * ({@link DuetClient}): pages at both ends, read marks that only move forward, the partner and the
 * user's other device hearing each mark, unread counts, and another couple that sees none of it.
 */
class ChatHistoryAndReadStateIT {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @Test
    void historyPagesBothWaysAndReadMarksReachEveryDevice() throws Exception {
        LocalCluster cluster = SharedCluster.get();
        TestCouple couple = TestCouple.pair(cluster);
        TestCouple others = TestCouple.pair(cluster);
        DuetHttp annHttp = TestCouple.http(cluster, 0, TestCouple.ANN_DEVICE);
        DuetHttp bobHttp = TestCouple.http(cluster, 1, TestCouple.BOB_DEVICE);
        String ann = couple.ann.getToken();
        String bob = couple.bob.getToken();
        long annId = couple.ann.getUserId();
        long bobId = couple.bob.getUserId();
        // Bob sends 1..12, Ann 13..15.
        for (int i = 1; i <= 15; i++) {
            (i <= 12 ? bobHttp : annHttp).sendMessage(i <= 12 ? bob : ann, UUID.randomUUID().toString(), "message " + i);
        }

        Session annTabletSession = couple.logInOnDevice(couple.ann, 1, "ann-tablet");
        RecordingListener annPhoneHears = new RecordingListener();
        RecordingListener annTabletHears = new RecordingListener();
        RecordingListener bobHears = new RecordingListener();
        try (DuetClient annPhone = couple.connect(couple.ann, 0, annPhoneHears, 15);
                DuetClient annTablet = couple.connect(annTabletSession, 1, annTabletHears, 15);
                DuetClient bobPhone = couple.connect(couple.bob, 1, bobHears, 15)) {
            // Forwards over TCP, 6 at a time: 1-6, 7-12, 13-15, then nothing after the end.
            List<Long> forward = new ArrayList<>();
            long after = 0;
            List<Boolean> more = new ArrayList<>();
            HistoryPage page;
            do {
                page = annPhone.fetchHistory(after, 6).get(30, TimeUnit.SECONDS);
                page.getMessages().forEach(m -> forward.add(m.getSeq()));
                more.add(page.isHasMore());
                assertThat(page.getLatestSeq()).isEqualTo(15);
                after = page.getNextCursor();
            } while (page.isHasMore());
            assertThat(forward).containsExactlyElementsOf(LongStream.rangeClosed(1, 15).boxed().toList());
            assertThat(more).containsExactly(true, true, false);
            HistoryPage end = annPhone.fetchHistory(15, 6).get(30, TimeUnit.SECONDS);
            assertThat(end.getMessages()).isEmpty();
            assertThat(end.isHasMore()).isFalse();

            // Backwards over HTTP, 6 at a time from the newest: 10-15, 4-9, 1-3, each oldest first.
            List<List<Long>> backward = new ArrayList<>();
            long before = Long.MAX_VALUE;
            do {
                page = bobHttp.fetchHistoryBefore(bob, before, 6);
                backward.add(page.getMessages().stream().map(Message::getSeq).toList());
                before = page.getNextCursor();
            } while (page.isHasMore());
            assertThat(backward).containsExactly(List.of(10L, 11L, 12L, 13L, 14L, 15L), List.of(4L, 5L, 6L, 7L, 8L, 9L),
                    List.of(1L, 2L, 3L));
            assertThat(before).isEqualTo(1);
            HistoryPage start = bobHttp.fetchHistoryBefore(bob, 1, 6);
            assertThat(start.getMessages()).isEmpty();
            assertThat(start.isHasMore()).isFalse();
            assertThat(tcp(bobPhone.fetchHistoryBefore(4, 2)).getMessages()).extracting(Message::getText)
                    .containsExactly("message 2", "message 3");

            // Nobody has read anything: Ann has Bob's 12 unread, Bob Ann's 3.
            assertThat(annHttp.readState(ann)).isEqualTo(new ReadState(0, 0, 12, false, 15));
            assertThat(tcp(bobPhone.readState())).isEqualTo(new ReadState(0, 0, 3, false, 15));

            // Ann reads up to 8 on her phone: durable when acknowledged, heard by Bob and by her tablet.
            assertThat(tcp(annPhone.markRead(8))).isEqualTo(new ReadState(8, 0, 4, false, 15));
            RecordingListener.await(WAIT, "Bob sees that Ann read up to 8", () -> bobHears.reads.contains(annId + "@8"));
            RecordingListener.await(WAIT, "Ann's tablet clears up to 8", () -> annTabletHears.reads.contains(annId + "@8"));
            // A stale mark is no error and moves nothing.
            assertThat(tcp(annTablet.markRead(5))).isEqualTo(new ReadState(8, 0, 4, false, 15));
            assertThat(annHttp.markRead(ann, 0).getReadUpTo()).isEqualTo(8);
            // Past the newest counts as the newest.
            assertThat(annHttp.markRead(ann, Long.MAX_VALUE)).isEqualTo(new ReadState(15, 0, 0, false, 15));
            RecordingListener.await(WAIT, "Bob sees that Ann read everything", () -> bobHears.reads.contains(annId + "@15"));
            assertThat(bobHttp.readState(bob)).isEqualTo(new ReadState(0, 15, 3, false, 15));

            // A burst of marks from Bob's phone: every one acknowledged, the mark ends at the highest.
            List<CompletableFuture<ReadState>> burst = new ArrayList<>();
            for (long seq = 1; seq <= 15; seq++) {
                burst.add(bobPhone.markRead(seq));
            }
            for (CompletableFuture<ReadState> mark : burst) {
                assertThat(tcp(mark).getReadUpTo()).isBetween(1L, 15L);
            }
            assertThat(tcp(burst.get(14))).isEqualTo(new ReadState(15, 15, 0, false, 15));
            assertThat(annHttp.readState(ann)).isEqualTo(new ReadState(15, 15, 0, false, 15));
            RecordingListener.await(WAIT, "Ann's devices see that Bob read everything",
                    () -> annPhoneHears.reads.contains(bobId + "@15") && annTabletHears.reads.contains(bobId + "@15"));
            assertThat(bobHears.reads).filteredOn(r -> r.startsWith(bobId + "@")).last().isEqualTo(bobId + "@15");

            // A new message from Bob is unread for Ann until she reads it.
            bobHttp.sendMessage(bob, UUID.randomUUID().toString(), "message 16");
            assertThat(annHttp.readState(ann).getUnreadCount()).isEqualTo(1);

            // Another couple sees none of this, and its marks stay within its own (empty) history.
            DuetHttp otherHttp = TestCouple.http(cluster, 1, TestCouple.ANN_DEVICE);
            String other = others.ann.getToken();
            assertThat(otherHttp.markRead(other, 15)).isEqualTo(new ReadState(0, 0, 0, false, 0));
            assertThat(otherHttp.fetchHistoryBefore(other, Long.MAX_VALUE, 500).getMessages()).isEmpty();
            assertThat(otherHttp.fetchHistory(other, 0, 500).getMessages()).isEmpty();
            assertThat(annHttp.readState(ann)).isEqualTo(new ReadState(15, 15, 1, false, 16));
            assertThat(bobHears.reads).noneMatch(r -> r.startsWith(others.ann.getUserId() + "@"));

            // Bad input and the unpaired get clear errors.
            expectError(ErrorCode.INVALID_ARGUMENT, () -> annHttp.markRead(ann, -1));
            Session single = TestCouple.http(cluster, 0, "single-phone")
                    .signUp(TestCouple.uniqueEmail("single"), "single's password", "Sam");
            expectError(ErrorCode.NOT_PAIRED, () -> annHttp.markRead(single.getToken(), 1));
            expectError(ErrorCode.NOT_PAIRED, () -> annHttp.readState(single.getToken()));
        }
    }

    private static <T> T tcp(CompletableFuture<T> call) throws Exception {
        return call.get(30, TimeUnit.SECONDS);
    }

    private static void expectError(ErrorCode code, org.assertj.core.api.ThrowableAssert.ThrowingCallable call) {
        assertThatThrownBy(call).isInstanceOfSatisfying(DuetError.class, error -> assertThat(error.getCode()).isEqualTo(code));
    }
}
