package io.duet.app.couple;

import static org.assertj.core.api.Assertions.assertThat;

import io.duet.app.internal.SerialExecutor;
import io.duet.process.metrics.FanOutLag;
import io.duet.protocol.api.Event;
import io.duet.protocol.api.Message;
import io.duet.protocol.thrift.MalformedPayloadException;
import io.duet.protocol.thrift.ThriftCodec;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Who is sent a committed message: every subscribed session of the couple except the one it was
 * acknowledged to if that one subscribed with noEcho, live and in a catch-up, until it subscribes again.
 * Every message is in memory here, so no store is needed.
 */
class DeliveryTest {
    private static final long COUPLE = 5;
    private static final long ANN = 1;
    private static final long BOB = 2;

    private final ExecutorService pool = Executors.newSingleThreadExecutor();
    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();
    private final SerialExecutor executor = new SerialExecutor(pool, "delivery-test");
    private final CoupleLog log = new CoupleLog(COUPLE, null, 1000);
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final Timer fanOutLag = FanOutLag.timer(registry, FanOutLag.COMMITTED_TO_RELAY);
    private final Delivery delivery = new Delivery(COUPLE, executor, log,
            new CatchUpReads(CatchUpLimits.defaults(), timers), fanOutLag);
    private final Session annPhone = new Session(ANN, "phone");
    private final Session annTablet = new Session(ANN, "tablet");
    private final Session bobPhone = new Session(BOB, "phone");

    @AfterEach
    void stop() {
        timers.shutdownNow();
        pool.shutdownNow();
    }

    @Test
    void theSendingSessionGetsItsAckNotAnEchoWhileTheSendersOtherDevicesAndThePartnerGetTheMessage() throws Exception {
        subscribeAll(0, annPhone, annTablet, bobPhone);

        commit(message(1, ANN, "phone"), annPhone);
        commit(message(2, BOB, "phone"), bobPhone);
        commit(message(3, ANN, "tablet"), annTablet);
        commit(message(4, ANN, "phone"), null); // over HTTP: no session was answered

        assertThat(annPhone.seqs()).containsExactly(2L, 3L, 4L);
        assertThat(annTablet.seqs()).containsExactly(1L, 2L, 4L);
        assertThat(bobPhone.seqs()).containsExactly(1L, 3L, 4L);
    }

    @Test
    void aSessionThatSubscribesAgainIsSentItsOwnMessagesToo() throws Exception {
        subscribeAll(0, annPhone, bobPhone);
        commit(message(1, ANN, "phone"), annPhone);
        commit(message(2, BOB, "phone"), bobPhone);
        assertThat(annPhone.seqs()).containsExactly(2L);

        // Its reply may have been lost with the connection: a resume from 0 replays 1 and 2.
        subscribeAll(0, annPhone);

        assertThat(annPhone.seqs()).containsExactly(2L, 1L, 2L);
    }

    @Test
    void aMessageAcknowledgedDuringACatchUpIsSkippedByIt() throws Exception {
        onExecutor(() -> {
            log.append(List.of(message(1, BOB, "phone"), message(2, BOB, "phone")));
            return null;
        });
        annPhone.credit = false;
        subscribeAll(0, annPhone);
        assertThat(annPhone.seqs()).as("no credit: the replay waits").isEmpty();

        commit(message(3, ANN, "phone"), annPhone);
        commit(message(4, BOB, "phone"), bobPhone);
        annPhone.grantCredit();
        onExecutor(() -> null);

        assertThat(annPhone.seqs()).containsExactly(1L, 2L, 4L);
    }

    @Test
    void aSessionThatDidNotAskForNoEchoGetsItsOwnMessagesAsBefore() throws Exception {
        onExecutor(() -> {
            delivery.attach(annPhone);
            delivery.subscribe(annPhone, 0, false);
            return null;
        });
        onExecutor(() -> null);
        commit(message(1, ANN, "phone"), annPhone);

        assertThat(annPhone.seqs()).containsExactly(1L);
    }

    @Test
    void anAcknowledgementToASessionNotSubscribedYetChangesNothing() throws Exception {
        onExecutor(() -> {
            delivery.attach(annPhone);
            log.append(List.of(message(1, ANN, "phone")));
            delivery.acknowledged(annPhone, 1);
            return null;
        });
        subscribeAll(0, annPhone);

        assertThat(annPhone.seqs()).containsExactly(1L);
    }

    @Test
    void eachLivePushIsTimedFromTheCommitAndNeitherTheSkippedEchoNorACatchUpIs() throws Exception {
        onExecutor(() -> {
            log.append(List.of(message(1, BOB, "phone"), message(2, BOB, "phone")));
            return null;
        });
        subscribeAll(0, annPhone, annTablet, bobPhone);
        assertThat(annPhone.seqs()).as("caught up").containsExactly(1L, 2L);
        assertThat(fanOutLag.count()).as("a catch-up is no fan-out").isZero();

        long committedNanos = System.nanoTime() - TimeUnit.MILLISECONDS.toNanos(30);
        commit(message(3, ANN, "phone"), annPhone, committedNanos);

        assertThat(fanOutLag.count()).as("pushed to ann's tablet and bob's phone, not echoed to ann's phone")
                .isEqualTo(2);
        assertThat(fanOutLag.max(TimeUnit.MILLISECONDS)).as("from the commit, not from the push").isBetween(30.0,
                10_000.0);
        assertThat(registry.get("duet.event.fanout.lag").tag("stage", "committed-to-relay").timer())
                .isSameAs(fanOutLag);
        assertThat(fanOutLag.takeSnapshot().histogramCounts()).as("the shared latency buckets").hasSize(15);
    }

    @Test
    void aUserWhoseSessionsAreAllQuietHasNoLiveSessionForPushes() throws Exception {
        subscribeAll(0, annPhone, annTablet, bobPhone);
        assertThat(onExecutor(() -> delivery.hasLiveSessionOf(ANN))).isTrue();

        annPhone.quiet = true;
        assertThat(onExecutor(() -> delivery.hasLiveSessionOf(ANN))).as("the tablet is live").isTrue();
        annTablet.quiet = true;
        assertThat(onExecutor(() -> delivery.hasLiveSessionOf(ANN))).as("every session quiet").isFalse();
        assertThat(onExecutor(() -> delivery.hasSessionOf(ANN))).as("still attached, still sent events").isTrue();
        assertThat(onExecutor(() -> delivery.hasLiveSessionOf(BOB))).isTrue();

        commit(message(1, BOB, "phone"), bobPhone);
        assertThat(annPhone.seqs()).as("a quiet session is still sent what comes").containsExactly(1L);
        annPhone.quiet = false;
        assertThat(onExecutor(() -> delivery.hasLiveSessionOf(ANN))).as("heard from again").isTrue();
    }

    /** Commits {@code message} as the send pipeline does: its sender's session is answered, then it is broadcast. */
    private void commit(Message message, Session answered) throws Exception {
        commit(message, answered, System.nanoTime());
    }

    private void commit(Message message, Session answered, long committedNanos) throws Exception {
        onExecutor(() -> {
            log.append(List.of(message));
            if (answered != null) {
                delivery.acknowledged(answered, message.getSeq());
            }
            delivery.broadcast(List.of(message), committedNanos);
            return null;
        });
    }

    /** Attaches and subscribes the sessions with noEcho, and waits for their replays to end. */
    private void subscribeAll(long afterSeq, Session... sessions) throws Exception {
        onExecutor(() -> {
            for (Session session : sessions) {
                delivery.attach(session);
                assertThat(delivery.subscribe(session, afterSeq, true)).isTrue();
            }
            return null;
        });
        onExecutor(() -> null); // The replays were queued behind the subscribes.
    }

    private static Message message(long seq, long senderId, String deviceId) {
        return new Message().setSeq(seq).setClientMessageId("m" + seq).setSenderId(senderId)
                .setSenderDeviceId(deviceId).setSentAtMillis(1000 + seq).setText("text " + seq);
    }

    private <T> T onExecutor(Supplier<T> task) throws Exception {
        CompletableFuture<T> result = new CompletableFuture<>();
        executor.execute(() -> {
            try {
                result.complete(task.get());
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        });
        return result.get(10, TimeUnit.SECONDS);
    }

    /** A session that records the sequence numbers of the messages pushed to it. */
    private static final class Session extends AcceptingSession {
        private final List<Long> seqs = new ArrayList<>();
        volatile boolean credit = true;
        volatile boolean quiet;
        private Runnable whenReplayable;

        Session(long userId, String deviceId) {
            super(userId, deviceId);
        }

        synchronized List<Long> seqs() {
            return List.copyOf(seqs);
        }

        synchronized void grantCredit() {
            credit = true;
            Runnable task = whenReplayable;
            whenReplayable = null;
            if (task != null) {
                task.run();
            }
        }

        @Override
        public synchronized void pushEvent(byte[] event) {
            try {
                seqs.add(ThriftCodec.INTERNAL.decode(event, new Event()).getMessage().getMessage().getSeq());
            } catch (MalformedPayloadException e) {
                throw new AssertionError(e);
            }
        }

        @Override
        public void moved(String detail) {
            throw new AssertionError("moved: " + detail);
        }

        @Override
        public boolean isClientQuiet() {
            return quiet;
        }

        @Override
        public boolean canReplay() {
            return credit;
        }

        @Override
        public synchronized void whenReplayable(Runnable task) {
            whenReplayable = task;
        }
    }
}
