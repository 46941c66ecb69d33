package io.duet.app.couple;

import static org.assertj.core.api.Assertions.assertThat;

import io.duet.app.internal.SerialExecutor;
import io.duet.app.storage.CoupleStore;
import io.duet.app.storage.CoupleStoreSettings;
import io.duet.app.storage.HBaseSchema;
import io.duet.protocol.api.DuetError;
import io.duet.protocol.api.ErrorCode;
import io.duet.protocol.api.Event;
import io.duet.protocol.api.HistoryPage;
import io.duet.protocol.api.Message;
import io.duet.protocol.api.MissingRange;
import io.duet.protocol.thrift.MalformedPayloadException;
import io.duet.protocol.thrift.ThriftCodec;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.apache.hadoop.hbase.client.AsyncConnection;
import org.apache.hadoop.hbase.client.AsyncTable;
import org.apache.hadoop.hbase.client.Get;
import org.apache.hadoop.hbase.client.Result;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Committed messages HBase lost, found by a load (kept out of memory), a catch-up and a history page
 * (reported, skipped, never waited for), and the bounds of history reads. HBase is a stub here whose reads
 * complete when the test says, with no message: the range read is all missing.
 */
class LostMessagesTest {
    private static final long COUPLE = 9;
    private static final long ANN = 1;

    private final ExecutorService pool = Executors.newSingleThreadExecutor();
    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();
    /** The reads sent to the stub table, not yet answered. */
    private final BlockingQueue<CompletableFuture<Result>> reads = new LinkedBlockingQueue<>();
    private final CoupleStore store = new CoupleStore(stubConnection(), new HBaseSchema("none", 4), null,
            CoupleStoreSettings.defaults());

    @AfterEach
    void stop() {
        timers.shutdownNow();
        pool.shutdownNow();
    }

    private AsyncConnection stubConnection() {
        AsyncTable<?> table = (AsyncTable<?>) Proxy.newProxyInstance(AsyncTable.class.getClassLoader(),
                new Class<?>[] {AsyncTable.class}, (proxy, method, args) -> {
                    if (method.getName().equals("get") && args.length == 1 && args[0] instanceof Get) {
                        if (!((Get) args[0]).getFamilyMap().containsKey(HBaseSchema.MESSAGES)) {
                            // The archive mark, read after a page found messages missing: none archived.
                            return CompletableFuture.completedFuture(Result.EMPTY_RESULT);
                        }
                        CompletableFuture<Result> read = new CompletableFuture<>();
                        reads.add(read);
                        return read;
                    }
                    return null;
                });
        return (AsyncConnection) Proxy.newProxyInstance(AsyncConnection.class.getClassLoader(),
                new Class<?>[] {AsyncConnection.class}, (proxy, method, args) -> method.getName().equals("getTable") ? table : null);
    }

    private static List<Message> messages(LongStream seqs) {
        return seqs.mapToObj(seq -> new Message().setSeq(seq).setText("m" + seq)).collect(Collectors.toList());
    }

    @Test
    void aLoadKeepsOnlyTheUnbrokenRunOfTheNewestMessages() {
        CoupleLog log = new CoupleLog(COUPLE, store, 256);
        // The newest messages are gone: nothing in memory, every read goes to HBase and finds them missing.
        load(log, 400, messages(LongStream.rangeClosed(145, 394)));
        assertThat(log.oldestInMemory()).isEqualTo(401);
        assertThat(log.inMemory(1, 400)).isEmpty();

        // A hole inside the window: memory starts after it.
        load(log, 400, messages(LongStream.concat(LongStream.rangeClosed(145, 199), LongStream.rangeClosed(206, 400))));
        assertThat(log.oldestInMemory()).isEqualTo(206);
        assertThat(log.inMemory(1, 400)).hasSize(195);

        // No hole: the window's worth.
        load(log, 400, messages(LongStream.rangeClosed(1, 400)));
        assertThat(log.oldestInMemory()).isEqualTo(145);
        load(log, 0, List.of());
        assertThat(log.oldestInMemory()).isEqualTo(1);
    }

    @Test
    void aCatchUpPastLostNewestMessagesIsToldOfThemAndGoesLiveInsteadOfSpinning() throws Exception {
        CatchUpReads catchUpReads = new CatchUpReads(CatchUpLimits.defaults(), timers);
        SerialExecutor executor = new SerialExecutor(pool, "couple-" + COUPLE);
        CoupleLog log = new CoupleLog(COUPLE, store, 256);
        Delivery delivery = new Delivery(COUPLE, executor, log, catchUpReads, Delivery.UNMEASURED);
        Session bob = new Session();
        run(executor, () -> {
            // As the claim read it: last sequence 400, but 395 to 400 are gone.
            load(log, 400, messages(LongStream.rangeClosed(139, 394)));
            delivery.attach(bob);
            delivery.subscribe(bob, 390, false);
        });
        // Read from HBase, which has none of 391 to 400 (the stub answers with nothing).
        reads.poll(10, TimeUnit.SECONDS).complete(Result.EMPTY_RESULT);
        run(executor, () -> {
            log.append(messages(LongStream.of(401)));
            delivery.broadcast(messages(LongStream.of(401)), System.nanoTime());
        });

        assertThat(bob.events()).containsExactly("missing 391..400", "message 401");
        assertThat(catchUpReads.missingRanges()).isEqualTo(1);
        assertThat(catchUpReads.missingMessages()).isEqualTo(10);
        assertThat(reads).isEmpty();
    }

    /** Runs {@code task} on {@code executor} and waits for it and for what it queued behind it. */
    private static void run(SerialExecutor executor, Runnable task) throws Exception {
        for (Runnable step : List.of(task, () -> { })) {
            CompletableFuture<Void> done = new CompletableFuture<>();
            executor.execute(() -> {
                step.run();
                done.complete(null);
            });
            done.get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aPageMissingMessagesNamesThemAndCountsThem() throws Exception {
        CatchUpReads catchUpReads = new CatchUpReads(CatchUpLimits.defaults(), timers);
        Couple couple = new Couple(COUPLE, catchUpReads);

        CompletableFuture<HistoryPage> page = couple.call(() -> couple.history.page(ANN, HistoryRange.after(0, 100, 400),
                400));
        reads.poll(10, TimeUnit.SECONDS).complete(Result.EMPTY_RESULT);

        HistoryPage answer = page.get(10, TimeUnit.SECONDS);
        assertThat(answer.getMessages()).isEmpty();
        assertThat(answer.getMissing()).containsExactly(new MissingRange(1, 100));
        assertThat(answer.getNextCursor()).isEqualTo(100);
        assertThat(catchUpReads.missingRanges()).isEqualTo(1);
        assertThat(catchUpReads.missingMessages()).isEqualTo(100);

        // From memory, complete: nothing missing, no field.
        HistoryPage newest = couple.call(() -> couple.history.page(ANN, HistoryRange.before(Long.MAX_VALUE, 10, 400),
                400)).get(10, TimeUnit.SECONDS);
        assertThat(newest.getMessages()).extracting(Message::getSeq).containsExactly(391L, 392L, 393L, 394L, 395L,
                396L, 397L, 398L, 399L, 400L);
        assertThat(newest.isSetMissing()).isFalse();
        assertThat(reads).isEmpty();
    }

    @Test
    void aCoupleHasAtMostTwoOlderReadsInFlightAndTheThirdIsBusy() throws Exception {
        Couple couple = new Couple(COUPLE, new CatchUpReads(CatchUpLimits.defaults(), timers));
        CompletableFuture<List<Message>> first = couple.call(() -> couple.history.read(1, 10));
        CompletableFuture<List<Message>> second = couple.call(() -> couple.history.read(11, 20));
        CompletableFuture<List<Message>> third = couple.call(() -> couple.history.read(21, 30));
        assertThat(busy(third)).isTrue();
        // Memory needs no read: not bounded.
        assertThat(couple.call(() -> couple.history.read(391, 400)).get(10, TimeUnit.SECONDS)).hasSize(10);

        reads.poll(10, TimeUnit.SECONDS).complete(Result.EMPTY_RESULT);
        first.get(10, TimeUnit.SECONDS);
        CompletableFuture<List<Message>> again = couple.call(() -> couple.history.read(21, 30));
        assertThat(again).isNotDone();
        reads.poll(10, TimeUnit.SECONDS).complete(Result.EMPTY_RESULT);
        reads.poll(10, TimeUnit.SECONDS).complete(Result.EMPTY_RESULT);
        assertThat(second.get(10, TimeUnit.SECONDS)).isEmpty();
        assertThat(again.get(10, TimeUnit.SECONDS)).isEmpty();
    }

    @Test
    void aReadFindingTheServersReadsAllTakenIsBusy() throws Exception {
        CatchUpReads catchUpReads = new CatchUpReads(CatchUpLimits.builder().maxReads(1).maxWaitingReads(1)
                .readWait(Duration.ofMinutes(1)).build(), timers);
        Couple one = new Couple(COUPLE, catchUpReads);
        Couple other = new Couple(COUPLE + 1, catchUpReads);
        CompletableFuture<List<Message>> inFlight = one.call(() -> one.history.read(1, 10));
        CompletableFuture<List<Message>> waiting = other.call(() -> other.history.read(1, 10));
        assertThat(reads.poll(10, TimeUnit.SECONDS)).as("the first read").isNotNull();
        assertThat(waiting).as("waits its turn").isNotDone();

        assertThat(busy(one.call(() -> one.history.read(11, 20)))).isTrue();
        assertThat(inFlight).isNotDone();
    }

    private static boolean busy(CompletableFuture<?> call) throws InterruptedException {
        try {
            call.get(10, TimeUnit.SECONDS);
            return false;
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            return cause instanceof DuetError && ((DuetError) cause).getCode() == ErrorCode.BUSY
                    && ((DuetError) cause).getRetryAfterMillis() > 0;
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("no answer", e);
        }
    }

    /** A couple with messages 1 to 400, the newest 256 in memory. */
    private final class Couple {
        final SerialExecutor executor;
        final HistoryReads history;

        Couple(long coupleId, CatchUpReads catchUpReads) throws Exception {
            executor = new SerialExecutor(pool, "couple-" + coupleId);
            CoupleLog log = new CoupleLog(coupleId, store, 256);
            history = new HistoryReads(coupleId, executor, log, catchUpReads);
            call(() -> {
                load(log, 400, messages(LongStream.rangeClosed(1, 400)));
                return CompletableFuture.completedFuture(null);
            }).get(10, TimeUnit.SECONDS);
        }

        /** Runs {@code call} on the couple's executor; its future. */
        <T> CompletableFuture<T> call(Callable<CompletableFuture<T>> call) throws Exception {
            CompletableFuture<CompletableFuture<T>> started = new CompletableFuture<>();
            executor.execute(() -> {
                try {
                    started.complete(call.call());
                } catch (Exception e) {
                    started.completeExceptionally(e);
                }
            });
            return started.get(10, TimeUnit.SECONDS);
        }
    }

    /** A session with all the credit it wants that records what it is sent: "message N", "missing A..B". */
    private static final class Session extends AcceptingSession {
        private final List<String> events = new ArrayList<>();

        Session() {
            super(2, "phone");
        }

        synchronized List<String> events() {
            return List.copyOf(events);
        }

        @Override
        public synchronized void pushEvent(byte[] bytes) {
            try {
                Event event = ThriftCodec.INTERNAL.decode(bytes, new Event());
                events.add(event.isSetMessage() ? "message " + event.getMessage().getMessage().getSeq()
                        : "missing " + event.getMessagesMissing().getFromSeq() + ".." + event.getMessagesMissing().getToSeq());
            } catch (MalformedPayloadException e) {
                throw new AssertionError(e);
            }
        }

        @Override
        public void moved(String detail) {
            throw new AssertionError("moved: " + detail);
        }

        @Override
        public void whenReplayable(Runnable task) {
            throw new AssertionError("it always has credit");
        }
    }

    /** A new owner's load: the last sequence number from the claim, then the newest messages read after it. */
    private static void load(CoupleLog log, long lastSeq, List<Message> newest) {
        log.startFrom(lastSeq);
        log.fill(newest);
    }
}
