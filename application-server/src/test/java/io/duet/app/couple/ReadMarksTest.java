package io.duet.app.couple;

import static org.assertj.core.api.Assertions.assertThat;

import io.duet.protocol.api.Message;
import io.duet.protocol.storage.StoredReadMarks;
import io.duet.protocol.thrift.ThriftCodec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

class ReadMarksTest {
    private static final long ANN = 11;
    private static final long BOB = 22;
    private static final long FENCE = 7L << 20;

    private final List<byte[]> written = new ArrayList<>();
    private final List<CompletableFuture<Void>> writes = new ArrayList<>();
    private final List<String> heard = new ArrayList<>();
    private final ReadMarks marks = new ReadMarks(1, Runnable::run, new ReadMarks.Writer() {
        @Override
        public long fence() {
            return FENCE;
        }

        @Override
        public CompletableFuture<Void> write(byte[] value) {
            written.add(value);
            CompletableFuture<Void> write = new CompletableFuture<>();
            writes.add(write);
            return write;
        }
    }, new ReadMarks.Listener() {
        @Override
        public void moved(long userId, long readUpTo) {
            heard.add(userId + "@" + readUpTo);
        }

        @Override
        public void writeFailed(Throwable cause) {
            heard.add("failed");
        }
    });

    private static StoredReadMarks decode(byte[] value) throws Exception {
        return ThriftCodec.INTERNAL.decode(value, new StoredReadMarks());
    }

    @Test
    void aMarkIsAcknowledgedOnlyOnceWrittenAndThenHeard() throws Exception {
        CompletableFuture<Long> ack = marks.mark(ANN, 5);

        assertThat(ack).isNotDone();
        assertThat(marks.markOf(ANN)).isZero();
        assertThat(marks.inFlight()).isTrue();
        assertThat(decode(written.get(0)).getReadUpTo()).isEqualTo(Map.of(ANN, 5L));
        assertThat(decode(written.get(0)).getFence()).isEqualTo(FENCE);

        writes.get(0).complete(null);

        assertThat(ack.get()).isEqualTo(5);
        assertThat(marks.markOf(ANN)).isEqualTo(5);
        assertThat(heard).containsExactly(ANN + "@5");
        assertThat(marks.isIdle()).isTrue();
    }

    @Test
    void aStaleMarkChangesNothingAndIsNoError() throws Exception {
        marks.mark(ANN, 9);
        writes.get(0).complete(null);

        CompletableFuture<Long> stale = marks.mark(ANN, 4);

        assertThat(stale.get()).isEqualTo(9);
        assertThat(written).hasSize(1);
        assertThat(heard).containsExactly(ANN + "@9");
    }

    @Test
    void aBurstOfMarksCostsTwoWritesCarryingTheLatest() throws Exception {
        CompletableFuture<Long> first = marks.mark(ANN, 1);
        List<CompletableFuture<Long>> burst = new ArrayList<>();
        for (long seq = 2; seq <= 50; seq++) {
            burst.add(marks.mark(ANN, seq));
        }
        burst.add(marks.mark(BOB, 30));
        CompletableFuture<Long> coveredByFirst = marks.mark(ANN, 1);

        assertThat(written).hasSize(1);
        writes.get(0).complete(null);
        assertThat(first.get()).isEqualTo(1);
        assertThat(coveredByFirst.get()).isEqualTo(1);
        assertThat(burst).noneMatch(CompletableFuture::isDone);
        assertThat(written).hasSize(2);
        assertThat(decode(written.get(1)).getReadUpTo()).isEqualTo(Map.of(ANN, 50L, BOB, 30L));

        writes.get(1).complete(null);

        assertThat(burst).allMatch(CompletableFuture::isDone);
        assertThat(burst.get(0).get()).isEqualTo(50);
        assertThat(marks.markOf(BOB)).isEqualTo(30);
        assertThat(heard).containsExactlyInAnyOrder(ANN + "@1", ANN + "@50", BOB + "@30");
        assertThat(written).hasSize(2);
    }

    @Test
    void aFailedWriteAcknowledgesNothingAndClosesTheMarks() {
        marks.mark(ANN, 3);
        writes.get(0).complete(null);
        CompletableFuture<Long> lost = marks.mark(ANN, 8);
        CompletableFuture<Long> waiting = marks.mark(BOB, 2);
        // BOB's mark waits for the next write: the first is out.
        writes.get(1).completeExceptionally(new IllegalStateException("fenced"));

        assertThat(lost).isCompletedExceptionally();
        assertThat(heard).endsWith("failed");
        assertThat(marks.markOf(ANN)).isEqualTo(3);
        assertThat(marks.mark(ANN, 9)).isCompletedExceptionally();
        assertThat(waiting.isDone()).isTrue();
        assertThat(waiting).isCompletedExceptionally();
        assertThat(marks.inFlight()).isFalse();
    }

    @Test
    void loadsStoredMarksAndKeepsFieldsItDoesNotKnow() throws Exception {
        byte[] stored = ThriftCodec.INTERNAL.encode(new StoredReadMarks().setReadUpTo(Map.of(ANN, 4L, BOB, 6L)).setFence(1));
        // A field 40 this release does not know (a string, compact protocol), before the stop byte.
        byte[] unknown = {0x08, 0x50, 0x03, 'z', 'q', '9'};
        byte[] newer = Arrays.copyOf(stored, stored.length + unknown.length);
        System.arraycopy(unknown, 0, newer, stored.length - 1, unknown.length);
        newer[newer.length - 1] = 0;
        marks.load(newer);

        assertThat(marks.markOf(ANN)).isEqualTo(4);
        assertThat(marks.markOf(BOB)).isEqualTo(6);
        marks.mark(BOB, 10);

        byte[] rewritten = written.get(0);
        assertThat(new String(rewritten, java.nio.charset.StandardCharsets.ISO_8859_1)).contains("zq9");
        assertThat(decode(rewritten).getReadUpTo()).isEqualTo(Map.of(ANN, 4L, BOB, 10L));
    }

    @Test
    void anUnreadableCellStartsFromNoMarks() {
        marks.load(new byte[] {(byte) 0xff, 0x01});

        assertThat(marks.markOf(ANN)).isZero();
    }

    @Test
    void countsTheMessagesOfOneSender() {
        List<Message> messages = List.of(new Message().setSeq(1).setSenderId(ANN), new Message().setSeq(2).setSenderId(BOB),
                new Message().setSeq(3).setSenderId(BOB));

        assertThat(ReadMarks.countFrom(messages, BOB)).isEqualTo(2);
        assertThat(ReadMarks.countFrom(List.of(), BOB)).isZero();
        // A tombstone is nothing to read.
        assertThat(ReadMarks.countFrom(List.of(new Message().setSeq(4).setSenderId(BOB).setDeleted(true)), BOB)).isZero();
    }
}
