package io.duet.app.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
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

    @Test
    void anInlineCapableThreadRunsAnIdleExecutorsTasksItself() throws Exception {
        SerialExecutor serial = new SerialExecutor(pool, "test");
        SerialExecutor other = new SerialExecutor(pool, "other");
        ExecutorService capable = Executors.newSingleThreadExecutor(SerialExecutor.inlineCapable(Executors.defaultThreadFactory()));
        try {
            List<String> seen = Collections.synchronizedList(new ArrayList<>());
            CountDownLatch otherRan = new CountDownLatch(1);
            capable.submit(() -> {
                Thread caller = Thread.currentThread();
                serial.execute(() -> {
                    seen.add("first on caller: " + (Thread.currentThread() == caller) + ", in context: " + serial.isInContext());
                    // Behind the running task, in order, on the same drain.
                    serial.execute(() -> seen.add("second on caller: " + (Thread.currentThread() == caller)));
                    // Another executor's work, handed over from inside a drain: to the pool, not nested.
                    other.execute(() -> {
                        seen.add("other on caller: " + (Thread.currentThread() == caller));
                        otherRan.countDown();
                    });
                });
                seen.add("after execute");
            }).get(5, TimeUnit.SECONDS);
            assertThat(otherRan.await(5, TimeUnit.SECONDS)).isTrue();
            assertThat(seen).contains("other on caller: false");
            // The other executor's task runs on the pool, at any moment: the caller's own order without it.
            assertThat(seen.stream().filter(entry -> !entry.startsWith("other")))
                    .containsExactly("first on caller: true, in context: true", "second on caller: true", "after execute");
        } finally {
            capable.shutdownNow();
        }
    }

    @Test
    void anInlineCapableThreadQueuesBehindARunningDrainAndStopsAfterItsShare() throws Exception {
        SerialExecutor serial = new SerialExecutor(pool, "test");
        ExecutorService capable = Executors.newSingleThreadExecutor(SerialExecutor.inlineCapable(Executors.defaultThreadFactory()));
        try {
            // Busy on the pool: a task from a capable thread waits for that drain, as from any thread.
            CountDownLatch release = new CountDownLatch(1);
            CountDownLatch running = new CountDownLatch(1);
            serial.execute(() -> {
                running.countDown();
                await(release);
            });
            assertThat(running.await(5, TimeUnit.SECONDS)).isTrue();
            List<Thread> ranOn = new java.util.concurrent.CopyOnWriteArrayList<>();
            Thread caller = capable.submit(() -> {
                serial.execute(() -> ranOn.add(Thread.currentThread()));
                return Thread.currentThread();
            }).get(5, TimeUnit.SECONDS);
            assertThat(ranOn).isEmpty();
            release.countDown();
            awaitSize(ranOn, 1);
            assertThat(ranOn.get(0)).isNotSameAs(caller);

            // Idle again: a capable thread runs at most its share of a burst, and the pool the rest, in order.
            int burst = SerialExecutor.MAX_INLINE_TASKS * 3;
            List<Integer> order = new java.util.concurrent.CopyOnWriteArrayList<>();
            List<Thread> threads = new java.util.concurrent.CopyOnWriteArrayList<>();
            capable.submit(() -> serial.execute(() -> {
                for (int i = 0; i < burst; i++) {
                    int n = i;
                    serial.execute(() -> {
                        order.add(n);
                        threads.add(Thread.currentThread());
                    });
                }
            })).get(5, TimeUnit.SECONDS);
            awaitSize(order, burst);
            for (int i = 0; i < burst; i++) {
                assertThat(order.get(i)).isEqualTo(i);
            }
            assertThat(threads.stream().filter(thread -> thread == caller).count())
                    .isEqualTo(SerialExecutor.MAX_INLINE_TASKS - 1);
        } finally {
            capable.shutdownNow();
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void awaitSize(List<?> list, int size) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (list.size() < size && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(list).hasSize(size);
    }
}
