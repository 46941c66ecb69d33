package io.duet.app.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** The cluster package's tests' one wait: polls a condition until it holds, failing after 20 s. */
final class Eventually {
    private static final Duration WITHIN = Duration.ofSeconds(20);
    private static final long POLL_MILLIS = 10;

    private Eventually() {
    }

    /** Returns once {@code condition} holds; fails, naming {@code what}, if it does not within 20 s. */
    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + WITHIN.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("waiting for " + what).isLessThan(deadline);
            Thread.sleep(POLL_MILLIS);
        }
    }
}
