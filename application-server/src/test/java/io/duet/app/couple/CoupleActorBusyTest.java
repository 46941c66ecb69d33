package io.duet.app.couple;

import static org.assertj.core.api.Assertions.assertThat;

import io.duet.app.internal.SerialExecutor;
import io.duet.app.storage.CoupleStore;
import io.duet.app.storage.CoupleStoreSettings;
import io.duet.app.storage.HBaseSchema;
import io.duet.protocol.api.DuetError;
import io.duet.protocol.api.ErrorCode;
import io.duet.protocol.api.Message;
import io.duet.protocol.api.SendMessageRequest;
import java.lang.reflect.Proxy;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.hadoop.hbase.client.AsyncConnection;
import org.apache.hadoop.hbase.client.AsyncTable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A couple actor refuses calls with BUSY and a retry-after once its queues are full, whether its executor
 * is behind or the couple is still loading, and so does its send pipeline once too many sends wait to
 * be stored. The store's tables never answer: the couple does not load (within the test; its load timeout
 * is longer), and no send is ever stored, so everything admitted waits.
 */
class CoupleActorBusyTest {
    private static final long COUPLE = 77;
    private static final long ANN = 1;
    private static final CoupleLimits LIMITS = CoupleLimits.builder().maxQueuedTasks(2).build();

    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();
    private static final AsyncTable<?> SILENT = (AsyncTable<?>) Proxy.newProxyInstance(AsyncTable.class.getClassLoader(),
            new Class<?>[] {AsyncTable.class}, (proxy, method, args) -> new CompletableFuture<>());
    private final CoupleStore store = new CoupleStore((AsyncConnection) Proxy.newProxyInstance(
            AsyncConnection.class.getClassLoader(), new Class<?>[] {AsyncConnection.class},
            (proxy, method, args) -> method.getName().equals("getTable") ? SILENT : null),
            new HBaseSchema("none", 4), null, CoupleStoreSettings.defaults());

    @AfterEach
    void stopTimers() {
        timers.shutdownNow();
    }

    private CoupleActor actor(Executor pool) {
        CoupleActor actor = new CoupleActor(COUPLE, 0, 1, new SerialExecutor(pool, "couple-" + COUPLE,
                LIMITS.maxQueuedTasks), CoupleServices.builder(store, LIMITS, new CatchUpReads(CatchUpLimits.defaults(),
                timers), timers).build(), () -> true, retired -> { });
        actor.start();
        return actor;
    }

    private static List<CompletableFuture<?>> calls(CoupleActor actor, int count) {
        List<CompletableFuture<?>> calls = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            calls.add(actor.history(ANN, 0, null, 10));
        }
        return calls;
    }

    private static void assertBusy(CompletableFuture<?> call) {
        assertThat(call).isCompletedExceptionally();
        Throwable failure = org.assertj.core.api.Assertions.catchThrowableOfType(ExecutionException.class, call::get)
                .getCause();
        assertThat(failure).isInstanceOf(DuetError.class);
        assertThat(((DuetError) failure).getCode()).isEqualTo(ErrorCode.BUSY);
        assertThat(((DuetError) failure).getRetryAfterMillis()).isPositive();
    }

    @Test
    void aFullExecutorQueueRefusesWithBusy() {
        List<Runnable> held = new ArrayList<>();
        CoupleActor actor = actor(held::add); // nothing runs: the load and every admitted call wait
        List<CompletableFuture<?>> calls = calls(actor, 4);

        assertThat(calls.get(0)).as("admitted: it waits behind the load").isNotDone();
        calls.subList(1, 4).forEach(CoupleActorBusyTest::assertBusy);
    }

    @Test
    void aFullLoadingQueueRefusesWithBusy() {
        // Tasks run at once; the claim never answers, so calls wait for the load.
        CoupleActor actor = actor(Runnable::run);
        List<CompletableFuture<?>> calls = calls(actor, 4);

        assertThat(calls.subList(0, 2)).allMatch(call -> !call.isDone(), "waiting for the load");
        calls.subList(2, 4).forEach(CoupleActorBusyTest::assertBusy);
    }

    @Test
    void aFullSendQueueRefusesWithBusy() {
        CoupleLimits limits = CoupleLimits.builder().maxQueued(1).build();
        SerialExecutor executor = new SerialExecutor(Runnable::run, "couple-" + COUPLE);
        SendPipeline sends = new SendPipeline(COUPLE, executor, null, limits, timers, Clock.systemUTC(),
                new CoupleLog(COUPLE, null, limits.recentMessages), new TestFence(), new SendPipeline.Owner() {
                    @Override
                    public void committed(List<Message> messages, long committedNanos) {
                    }

                    @Override
                    public void storedMessageLost(long seq) {
                    }
                });
        AtomicReference<CompletableFuture<?>> second = new AtomicReference<>();
        executor.execute(() -> {
            try {
                sends.send(ANN, "phone", new SendMessageRequest("first", "one", 1));
            } catch (NullPointerException noStore) {
                // Admitted: it waits to be looked up in the store there is not.
            }
            second.set(sends.send(ANN, "phone", new SendMessageRequest("second", "two", 1)));
        });
        assertBusy(second.get());
    }
}
