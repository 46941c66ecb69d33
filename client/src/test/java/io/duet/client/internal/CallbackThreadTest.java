package io.duet.client.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class CallbackThreadTest {
    @Test
    void runsTasksInOrderOnItsThreadSurvivesAFailingOneAndRefusesNewOnesOnceShutDown() throws Exception {
        CallbackThread callbacks = new CallbackThread("test-callbacks");
        List<String> ran = new CopyOnWriteArrayList<>();
        CountDownLatch done = new CountDownLatch(1);
        for (int i = 0; i < 1000; i++) {
            int n = i;
            callbacks.execute(() -> ran.add(Thread.currentThread().getName() + ":" + n));
        }
        callbacks.execute(() -> {
            throw new IllegalStateException("a listener bug");
        });
        callbacks.execute(done::countDown);
        assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(ran).hasSize(1000).startsWith("test-callbacks:0").endsWith("test-callbacks:999");
        callbacks.shutdown();
        assertThatThrownBy(() -> callbacks.execute(() -> { })).isInstanceOf(RejectedExecutionException.class);
    }
}
