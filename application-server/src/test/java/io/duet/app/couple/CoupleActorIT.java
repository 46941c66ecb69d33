package io.duet.app.couple;

import static org.assertj.core.api.Assertions.assertThat;

import io.duet.app.StorageCluster;
import io.duet.app.internal.SerialExecutor;
import io.duet.app.storage.CoupleStore;
import io.duet.app.storage.HBaseSchema;
import io.duet.protocol.api.DuetError;
import io.duet.protocol.api.ErrorCode;
import io.duet.protocol.api.Event;
import io.duet.protocol.api.SendMessageRequest;
import io.duet.protocol.api.SendMessageResult;
import io.duet.protocol.thrift.ThriftCodec;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Couple actors against real HBase: group commit, deduplication across reloads, fencing. */
class CoupleActorIT {
    private static final long ANN = 1;
    private static final long BOB = 2;
    private static final AtomicLong COUPLES = new AtomicLong(5000);
    private static CoupleStore store;
    private static ExecutorService workers;
    private static ScheduledExecutorService timers;

    @BeforeAll
    static void startHBase() throws Exception {
        HBaseSchema schema = StorageCluster.freshSchema(4);
        store = new CoupleStore(StorageCluster.connection(), schema, StorageCluster.callbacks());
        workers = Executors.newFixedThreadPool(4);
        timers = Executors.newSingleThreadScheduledExecutor();
    }

    @AfterAll
    static void stopThreads() {
        workers.shutdownNow();
        timers.shutdownNow();
    }

    private static long newCouple() throws Exception {
        long id = COUPLES.incrementAndGet();
        store.create(id, ANN, BOB, 0).get(30, TimeUnit.SECONDS);
        return id;
    }

    private static CoupleActor actor(long coupleId, long epoch) {
        CoupleActor actor = new CoupleActor(coupleId, 0, epoch, new SerialExecutor(workers, "couple-" + coupleId), store,
                new CoupleLimits(256, 4096, 128, 4096, Duration.ofSeconds(8), Duration.ofMinutes(5)), timers,
                Clock.systemUTC(), () -> true, retired -> { });
        actor.start();
        return actor;
    }

    private static SendMessageRequest message(String id, int attempt) {
        return new SendMessageRequest(id, "text of " + id, attempt);
    }

    @Test
    void concurrentSendsGetConsecutiveSequenceNumbersInArrivalOrder() throws Exception {
        CoupleActor actor = actor(newCouple(), 1);
        List<CompletableFuture<SendMessageResult>> sends = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            sends.add(actor.send(i % 2 == 0 ? ANN : BOB, "phone", message("m" + i, 1)));
        }
        for (int i = 0; i < 500; i++) {
            SendMessageResult result = sends.get(i).get(30, TimeUnit.SECONDS);
            assertThat(result.getSeq()).isEqualTo(i + 1);
            assertThat(result.isDuplicate()).isFalse();
        }
    }

    @Test
    void aRetryIsStoredOnceEvenAfterTheCoupleWasReloadedAndTheMessageLeftMemory() throws Exception {
        long coupleId = newCouple();
        CoupleActor first = actor(coupleId, 1);
        long original = first.send(ANN, "phone", message("keep-me", 1)).get(30, TimeUnit.SECONDS).getSeq();
        List<CompletableFuture<SendMessageResult>> later = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            later.add(first.send(BOB, "phone", message("later" + i, 1)));
        }
        CompletableFuture.allOf(later.toArray(new CompletableFuture<?>[0])).get(30, TimeUnit.SECONDS);
        first.close("test");

        CoupleActor reloaded = actor(coupleId, 1);
        SendMessageResult retry = reloaded.send(ANN, "phone", message("keep-me", 2)).get(30, TimeUnit.SECONDS);
        assertThat(retry.getSeq()).isEqualTo(original);
        assertThat(retry.isDuplicate()).isTrue();
        assertThat(reloaded.send(ANN, "phone", message("fresh", 1)).get(30, TimeUnit.SECONDS).getSeq()).isEqualTo(302);
    }

    @Test
    void aDeposedOwnerCannotStoreAndItsSendsAreToldToRetryElsewhere() throws Exception {
        long coupleId = newCouple();
        CoupleActor old = actor(coupleId, 1);
        old.send(ANN, "phone", message("before", 1)).get(30, TimeUnit.SECONDS);
        CoupleActor successor = actor(coupleId, 2);
        successor.send(BOB, "phone", message("by the successor", 1)).get(30, TimeUnit.SECONDS);

        ExecutionException failure = org.assertj.core.api.Assertions.catchThrowableOfType(ExecutionException.class,
                () -> old.send(ANN, "phone", message("too late", 1)).get(30, TimeUnit.SECONDS));
        assertThat(failure.getCause()).isInstanceOf(NotOwnerException.class);
        assertThat(successor.send(ANN, "phone", message("after", 1)).get(30, TimeUnit.SECONDS).getSeq()).isEqualTo(3);
    }

    @Test
    void outsidersCanNeitherSendNorAttach() throws Exception {
        CoupleActor actor = actor(newCouple(), 1);
        ExecutionException failure = org.assertj.core.api.Assertions.catchThrowableOfType(ExecutionException.class,
                () -> actor.send(99, "phone", message("intruder", 1)).get(30, TimeUnit.SECONDS));
        assertThat(((DuetError) failure.getCause()).getCode()).isEqualTo(ErrorCode.PERMISSION_DENIED);
    }

    @Test
    void aSubscribedSessionGetsTheMissedMessagesThenLiveOnesInOrder() throws Exception {
        CoupleActor actor = actor(newCouple(), 1);
        for (int i = 0; i < 5; i++) {
            actor.send(ANN, "phone", message("old" + i, 1)).get(30, TimeUnit.SECONDS);
        }
        RecordingSession bob = new RecordingSession(BOB);
        actor.attach(bob).get(30, TimeUnit.SECONDS);
        assertThat(actor.subscribe(bob, 2).get(30, TimeUnit.SECONDS).getLatestSeq()).isEqualTo(5);
        actor.send(ANN, "phone", message("live", 1)).get(30, TimeUnit.SECONDS);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (bob.seqs().size() < 4 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(bob.seqs()).containsExactly(3L, 4L, 5L, 6L);
    }

    /** A session that records the sequence numbers of the message events pushed to it. */
    private static final class RecordingSession implements SessionStream {
        private final long userId;
        private final List<byte[]> events = new CopyOnWriteArrayList<>();

        RecordingSession(long userId) {
            this.userId = userId;
        }

        List<Long> seqs() throws Exception {
            List<Long> seqs = new ArrayList<>();
            for (byte[] bytes : events) {
                Event event = ThriftCodec.INTERNAL.decode(bytes, new Event());
                if (event.isSetMessage()) {
                    seqs.add(event.getMessage().getMessage().getSeq());
                }
            }
            return seqs;
        }

        @Override
        public long userId() {
            return userId;
        }

        @Override
        public String deviceId() {
            return "phone";
        }

        @Override
        public void pushEvent(byte[] event) {
            events.add(event);
        }

        @Override
        public void moved(String detail) {
        }

        @Override
        public boolean isOpen() {
            return true;
        }
    }
}
