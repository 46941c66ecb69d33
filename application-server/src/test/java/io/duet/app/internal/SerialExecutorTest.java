package io.duet.app.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SerialExecutorTest {
    private final ExecutorService pool = Executors.newFixedThreadPool(4);

    @AfterEach
    void stopPool() {
        pool.shutdownNow();
    }

    @Test
    void runsTasksOneAtATimeInSubmissionOrderFromManyThreads() throws Exception {
        SerialExecutor serial = new SerialExecutor(pool, "test");
        List<Integer> seen = new ArrayList<>();
        AtomicInteger concurrent = new AtomicInteger();
        AtomicInteger maxConcurrent = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(10_000);
        for (int i = 0; i < 10_000; i++) {
            int n = i;
            serial.execute(() -> {
                maxConcurrent.accumulateAndGet(concurrent.incrementAndGet(), Math::max);
                seen.add(n);
                concurrent.decrementAndGet();
                done.countDown();
            });
        }
        assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(maxConcurrent.get()).isEqualTo(1);
        for (int i = 0; i < seen.size(); i++) {
            assertThat(seen.get(i)).isEqualTo(i);
        }
    }

    @Test
    void aFailingTaskDoesNotStopTheOnesAfterIt() throws Exception {
        SerialExecutor serial = new SerialExecutor(pool, "test");
        CountDownLatch ran = new CountDownLatch(1);
        serial.execute(() -> {
            throw new IllegalStateException("boom");
        });
        serial.execute(ran::countDown);
        assertThat(ran.await(5, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void knowsWhetherItIsTheCurrentContext() throws Exception {
        SerialExecutor serial = new SerialExecutor(pool, "test");
        assertThatThrownBy(serial::checkInContext).isInstanceOf(IllegalStateException.class).hasMessageContaining("test");
        CountDownLatch checked = new CountDownLatch(1);
        serial.execute(() -> {
            serial.checkInContext();
            checked.countDown();
        });
        assertThat(checked.await(5, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void everyTaskRunsInContextWhileDrainsComeAndGoFromManyThreads() throws Exception {
        // Short bursts from several threads: each drain empties the queue and ends just as the next
        // burst schedules a new one, on another pool thread. The race this guards against (a drain that
        // ended clearing the context of the next one) has a narrow window, so this test catches it only
        // sometimes; under load, ReconnectStormIT's pipelined sends hit it too.
        SerialExecutor serial = new SerialExecutor(pool, "test");
        AtomicInteger outOfContext = new AtomicInteger();
        int bursts = 20_000;
        CountDownLatch done = new CountDownLatch(bursts);
        ExecutorService submitters = Executors.newFixedThreadPool(3);
        try {
            for (int i = 0; i < bursts; i++) {
                submitters.execute(() -> serial.execute(() -> {
                    if (!serial.isInContext()) {
                        outOfContext.incrementAndGet();
                    }
                    done.countDown();
                }));
            }
            assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();
        } finally {
            submitters.shutdownNow();
        }
        assertThat(outOfContext).hasValue(0);
    }

    @Test
    void tryExecuteRefusesNewWorkWhileCapacityTasksWaitButExecuteStillTakesFollowUps() throws Exception {
        SerialExecutor serial = new SerialExecutor(pool, "test", 3);
        CountDownLatch blocker = new CountDownLatch(1);
        CountDownLatch running = new CountDownLatch(1);
        assertThat(serial.tryExecute(() -> {
            running.countDown();
            try {
                blocker.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        })).isTrue();
        assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();
        AtomicInteger ran = new AtomicInteger();
        for (int i = 0; i < 3; i++) {
            assertThat(serial.tryExecute(ran::incrementAndGet)).as("task %d", i).isTrue();
        }
        assertThat(serial.tryExecute(ran::incrementAndGet)).as("a fourth waiting task").isFalse();
        assertThat(serial.queued()).isEqualTo(3);
        serial.execute(ran::incrementAndGet); // admitted work's follow-up: never refused
        assertThat(serial.queued()).isEqualTo(4);

        CountDownLatch done = new CountDownLatch(1);
        blocker.countDown();
        serial.execute(done::countDown);
        assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(ran.get()).isEqualTo(4);
        assertThat(serial.tryExecute(ran::incrementAndGet)).as("room again once drained").isTrue();
    }
}
