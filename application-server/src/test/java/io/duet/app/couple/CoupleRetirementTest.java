package io.duet.app.couple;

import static org.assertj.core.api.Assertions.assertThat;

import io.duet.app.internal.SerialExecutor;
import io.duet.app.storage.CoupleStore;
import io.duet.app.storage.CoupleStoreSettings;
import io.duet.app.storage.HBaseSchema;
import io.duet.protocol.api.SendMessageRequest;
import io.duet.protocol.api.SendMessageResult;
import io.duet.protocol.api.SubscribeResult;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.hadoop.hbase.Cell;
import org.apache.hadoop.hbase.KeyValue;
import org.apache.hadoop.hbase.client.AsyncConnection;
import org.apache.hadoop.hbase.client.AsyncTable;
import org.apache.hadoop.hbase.client.CheckAndMutate;
import org.apache.hadoop.hbase.client.CheckAndMutateResult;
import org.apache.hadoop.hbase.client.Get;
import org.apache.hadoop.hbase.client.Put;
import org.apache.hadoop.hbase.client.Result;
import org.apache.hadoop.hbase.util.Bytes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A closed couple leaves the registry (until it does, its calls are answered "being reloaded; retry"): as
 * soon as the HBase call it was waiting for ends, whichever part made it, and at the latest after the retire
 * timeout; and a load that never answers is given up after the load timeout. The table under the store is a
 * stand-in that answers the claim at once and holds the calls a test names; the couple's executor runs
 * only when the test drains its pool, so a close can be put between two steps of a call.
 */
class CoupleRetirementTest {
    private static final long COUPLE = 81;
    private static final long ANN = 1;
    private static final long BOB = 2;
    private static final long LAST_SEQ = 5;
    private static final Duration SHORT = Duration.ofMillis(200);

    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();
    private final BlockingQueue<Runnable> pool = new LinkedBlockingQueue<>();
    private final AtomicBoolean retired = new AtomicBoolean();
    /** Calls of the stand-in table held, never answered unless a test does. */
    private final List<CompletableFuture<?>> held = new ArrayList<>();
    private volatile boolean holdOwnerRead;
    private volatile boolean holdSpaceLoad;
    private volatile boolean holdCommits;

    @AfterEach
    void stop() {
        timers.shutdownNow();
    }

    @Test
    void aCoupleClosedWhileASubscribeReplaysItsChangesRetiresWhenTheReplayEnds() throws Exception {
        CoupleActor actor = loadedActor(CoupleLimits.defaults());
        Session session = new Session(ANN);
        actor.attach(session);
        runPool();

        // The replay of missed changes reads on (one hop through the executor), and the shard moves meanwhile.
        CompletableFuture<SubscribeResult> subscribed = actor.subscribe(session, LAST_SEQ, true, 0L);
        actor.close("shard 0 moved");
        runPool();

        assertThat(subscribed).isCompletedExceptionally();
        assertThat(retired).as("retired once the replay ended, not left \"being reloaded\"").isTrue();
    }

    @Test
    void aSessionThatThrowsWhenToldToMoveDoesNotKeepTheCoupleFromRetiring() {
        CoupleActor actor = loadedActor(CoupleLimits.defaults());
        Session session = new Session(ANN) {
            @Override
            public void moved(String detail) {
                throw new IllegalStateException("its event loop is shutting down");
            }
        };
        actor.attach(session);
        runPool();

        actor.close("shard 0 moved");
        runPool();
        assertThat(retired).isTrue();
    }

    @Test
    void aCoupleClosedWhileItsSpaceLoadsRetiresWhenTheLoadEnds() {
        CoupleActor actor = loadedActor(CoupleLimits.defaults());
        holdSpaceLoad = true;
        CompletableFuture<Object> call = actor.space(ANN, space -> {
            throw new AssertionError("runs only once the space is loaded");
        });
        runPool();
        assertThat(held).as("the space's load").hasSize(1);

        actor.close("shard 0 moved");
        runPool();
        assertThat(call).isCompletedExceptionally();
        assertThat(retired).as("the space's load is under way").isFalse();

        complete(held.get(0), Result.EMPTY_RESULT);
        runPool();
        assertThat(retired).as("retired once the space's load ended").isTrue();
    }

    @Test
    void aCoupleWhoseCommitNeverAnswersRetiresAfterTheRetireTimeout() throws Exception {
        CoupleActor actor = loadedActor(CoupleLimits.builder().retireTimeout(SHORT).build());
        holdCommits = true;
        CompletableFuture<SendMessageResult> sent = actor.send(ANN, "phone", new SendMessageRequest("m1", "hello", 1));
        runPool();
        assertThat(held).as("the commit").hasSize(1);

        long closedAt = System.nanoTime();
        actor.close("shard 0 moved");
        runPool();
        assertThat(retired).as("a commit is under way").isFalse();

        long retiredAfter = awaitRetired(closedAt);
        assertThat(retiredAfter).as("ms from the close to the retirement").isBetween(SHORT.toMillis(), 5_000L);
        assertThat(sent).as("the commit's outcome is still unknown").isNotDone();
    }

    /**
     * A claim that does not answer is given up after the load timeout: its waiting calls are refused, to be
     * retried. The couple stays in the registry while the claim may still write (a second claim beside it
     * could depose the next owner), at most the retire timeout.
     */
    @Test
    void aClaimThatNeverAnswersIsGivenUpAfterTheLoadTimeout() throws Exception {
        holdOwnerRead = true;
        long startedAt = System.nanoTime();
        CoupleActor actor = actor(CoupleLimits.builder().loadTimeout(SHORT).retireTimeout(SHORT).build());
        CompletableFuture<SendMessageResult> sent = actor.send(ANN, "phone", new SendMessageRequest("m1", "hello", 1));
        runPool();
        assertThat(sent).as("waits for the load").isNotDone();

        long retiredAfter = awaitRetired(startedAt);
        assertThat(retiredAfter).as("ms until retired: the load timeout, then the retire timeout")
                .isBetween(2 * SHORT.toMillis(), 5_000L);
        assertThat(sent).isCompletedExceptionally();
        assertThat(failureOf(sent)).isInstanceOf(NotOwnerException.class).hasMessageContaining("did not load within");
    }

    @Test
    void aCoupleWhoseLoadTimedOutRetiresWhenItsClaimAnswers() throws Exception {
        holdOwnerRead = true;
        CoupleActor actor = actor(CoupleLimits.builder().loadTimeout(SHORT).build());
        CompletableFuture<SendMessageResult> sent = actor.send(ANN, "phone", new SendMessageRequest("m1", "hello", 1));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!sent.isDone() && System.nanoTime() < deadline) {
            runPool();
            Thread.sleep(10);
        }
        assertThat(failureOf(sent)).as("refused at the load timeout").hasMessageContaining("did not load within");
        assertThat(retired).as("the claim is still under way").isFalse();

        holdOwnerRead = false;
        List<CompletableFuture<?>> claims;
        synchronized (this) {
            claims = new ArrayList<>(held);
            held.clear();
        }
        claims.forEach(call -> complete(call, ownerCells()));
        runPool();
        assertThat(retired).as("retired once the claim answered").isTrue();
    }

    @Test
    void aClaimThatThrowsFailsTheLoadInsteadOfLeavingItLoading() throws Exception {
        // A table that is not there: the claim throws before it returns a future.
        CoupleStore broken = new CoupleStore((AsyncConnection) Proxy.newProxyInstance(AsyncConnection.class.getClassLoader(),
                new Class<?>[] {AsyncConnection.class}, (proxy, method, args) -> null), new HBaseSchema("none", 4), null,
                CoupleStoreSettings.defaults());
        CoupleActor actor = actor(broken, CoupleLimits.defaults());
        CompletableFuture<SendMessageResult> sent = actor.send(ANN, "phone", new SendMessageRequest("m1", "hello", 1));
        runPool();

        assertThat(sent).as("refused at once, to be retried").isCompletedExceptionally();
        assertThat(retired).isTrue();
    }

    // ---- the stand-ins ---------------------------------------------------------------------------

    private CoupleActor loadedActor(CoupleLimits limits) {
        CoupleActor actor = actor(limits);
        runPool();
        assertThat(held).as("nothing held while loading").isEmpty();
        return actor;
    }

    private CoupleActor actor(CoupleLimits limits) {
        AsyncTable<?> table = (AsyncTable<?>) Proxy.newProxyInstance(AsyncTable.class.getClassLoader(),
                new Class<?>[] {AsyncTable.class}, (proxy, method, args) -> answer(method.getName(), args));
        AsyncConnection connection = (AsyncConnection) Proxy.newProxyInstance(AsyncConnection.class.getClassLoader(),
                new Class<?>[] {AsyncConnection.class},
                (proxy, method, args) -> method.getName().equals("getTable") ? table : null);
        return actor(new CoupleStore(connection, new HBaseSchema("none", 4), null, CoupleStoreSettings.defaults()), limits);
    }

    private CoupleActor actor(CoupleStore store, CoupleLimits limits) {
        CoupleActor actor = new CoupleActor(COUPLE, 0, 1, new SerialExecutor(pool::add, "couple-" + COUPLE),
                CoupleServices.builder(store, limits, new CatchUpReads(CatchUpLimits.defaults(), timers), timers).build(),
                () -> true, gone -> retired.set(true));
        actor.start();
        return actor;
    }

    private Object answer(String method, Object[] args) {
        if (method.equals("get")) {
            Get get = (Get) args[0];
            if (get.familySet().contains(HBaseSchema.OWNER)) {
                return holdOwnerRead ? hold() : CompletableFuture.completedFuture(ownerCells());
            }
            if (holdSpaceLoad && get.familySet().contains(HBaseSchema.SPACE) && get.hasFamilies()
                    && get.getFamilyMap().get(HBaseSchema.SPACE) == null) {
                return hold(); // the whole family: the space's load (the read marks name their columns)
            }
            return CompletableFuture.completedFuture(Result.EMPTY_RESULT);
        }
        if (method.equals("checkAndMutate")) {
            CheckAndMutate write = (CheckAndMutate) args[0];
            if (holdCommits && ((Put) write.getAction()).getFamilyCellMap().containsKey(HBaseSchema.MESSAGES)) {
                return hold();
            }
            return CompletableFuture.completedFuture(new CheckAndMutateResult(true, null));
        }
        throw new UnsupportedOperationException(method);
    }

    private synchronized <T> CompletableFuture<T> hold() {
        CompletableFuture<T> call = new CompletableFuture<>();
        held.add(call);
        return call;
    }

    @SuppressWarnings("unchecked")
    private static <T> void complete(CompletableFuture<?> call, T value) {
        ((CompletableFuture<T>) call).complete(value);
    }

    private static Result ownerCells() {
        byte[] writer = new byte[2 * Long.BYTES];
        Bytes.putLong(writer, Long.BYTES, LAST_SEQ);
        return Result.create(List.of(owner(HBaseSchema.MEMBER_A, Bytes.toBytes(ANN)),
                owner(HBaseSchema.MEMBER_B, Bytes.toBytes(BOB)), owner(HBaseSchema.EPOCH, Bytes.toBytes(0L)),
                owner(HBaseSchema.LAST_SEQ, Bytes.toBytes(LAST_SEQ)), owner(HBaseSchema.WRITER, writer)));
    }

    private static Cell owner(byte[] qualifier, byte[] value) {
        return new KeyValue(new byte[] {1}, HBaseSchema.OWNER, qualifier, 1L, value);
    }

    /** Runs the couple's executor until nothing is left to run now. */
    private void runPool() {
        for (Runnable task = pool.poll(); task != null; task = pool.poll()) {
            task.run();
        }
    }

    /** Runs the pool (where the timers hand their work) until the couple retired; ms since {@code fromNanos}. */
    private long awaitRetired(long fromNanos) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!retired.get() && System.nanoTime() < deadline) {
            Runnable task = pool.poll(20, TimeUnit.MILLISECONDS);
            if (task != null) {
                task.run();
            }
        }
        assertThat(retired).as("retired within 5 s").isTrue();
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - fromNanos);
    }

    private static Throwable failureOf(CompletableFuture<?> future) throws InterruptedException {
        try {
            future.get();
            throw new AssertionError("completed normally");
        } catch (ExecutionException e) {
            return e.getCause();
        }
    }

    /** A phone's session that takes whatever it is sent. */
    private static class Session extends AcceptingSession {
        Session(long userId) {
            super(userId, "phone");
        }
    }
}
