package io.duet.app.couple;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ArchiveMovesTest {
    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();

    @AfterEach
    void stop() {
        timers.shutdownNow();
    }

    private static void await(String what, java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(5);
        }
    }

    @Test
    void startsAtMostMovesPerTickAndNeverMoreInFlight() throws Exception {
        ArchiveMoves moves = new ArchiveMoves(ArchiveSettings.builder().movesPerTick(2).tick(Duration.ofMillis(5)).build(),
                timers);
        List<CompletableFuture<Boolean>> started = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            moves.want(() -> {
                CompletableFuture<Boolean> move = new CompletableFuture<>();
                synchronized (started) {
                    started.add(move);
                }
                return move;
            });
        }
        await("two moves started", () -> size(started) == 2);
        Thread.sleep(50);
        assertThat(size(started)).as("the first two still in flight").isEqualTo(2);
        synchronized (started) {
            started.get(0).complete(false);
        }
        await("a third move", () -> size(started) == 3);
        Thread.sleep(50);
        assertThat(size(started)).isEqualTo(3);
        moves.close();
    }

    @Test
    void aStepThatMovedSomethingGetsAnotherTurnAndAskingTwiceWaitsOnce() throws Exception {
        ArchiveMoves moves = new ArchiveMoves(ArchiveSettings.builder().movesPerTick(4).tick(Duration.ofMillis(5)).build(),
                timers);
        AtomicInteger turns = new AtomicInteger();
        Supplier<CompletableFuture<Boolean>> step = () -> CompletableFuture.completedFuture(turns.incrementAndGet() < 3);
        moves.want(step);
        moves.want(step);
        await("three turns", () -> turns.get() == 3);
        Thread.sleep(50);
        assertThat(turns.get()).as("the third moved nothing: no fourth").isEqualTo(3);
        assertThat(moves.moves()).isEqualTo(2);
        moves.close();
    }

    @Test
    void disabledMovesRunNothing() throws Exception {
        ArchiveMoves moves = new ArchiveMoves(ArchiveSettings.disabled(), timers);
        AtomicInteger turns = new AtomicInteger();
        moves.want(() -> CompletableFuture.completedFuture(turns.incrementAndGet() > 0));
        Thread.sleep(50);
        assertThat(turns.get()).isZero();
        moves.close();
    }

    private static int size(List<?> list) {
        synchronized (list) {
            return list.size();
        }
    }
}
