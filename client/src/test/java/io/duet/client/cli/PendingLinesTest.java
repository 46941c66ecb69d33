package io.duet.client.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class PendingLinesTest {
    private final PendingLines pending = new PendingLines();

    @Test
    void listsWhatWaitsInTheOrderTyped() {
        assertThat(pending.describe()).isEqualTo("(nothing waiting: every message you typed was sent)");
        long first = pending.add("first");
        pending.add("second");
        pending.add("x".repeat(100));
        assertThat(pending.describe()).isEqualTo("(3 messages waiting to be sent:\n  first\n  second\n  "
                + "x".repeat(57) + "...)");
        pending.settle(first);
        pending.settle(first);
        assertThat(pending.count()).isEqualTo(2);
    }

    @Test
    void reportsTheUnsentOnesOnceAndCountsThoseItDoesNotQuote() {
        assertThat(pending.unsentReport()).isEmpty();
        pending.add("only");
        assertThat(pending.unsentReport()).isEqualTo("1 message was not sent:\n  only");
        for (int i = 0; i < PendingLines.REPORT_LIMIT + 4; i++) {
            pending.add("line " + i);
        }
        String report = pending.unsentReport();
        assertThat(report).startsWith("15 messages were not sent:\n  only\n  line 0\n")
                .endsWith("\n  line 8\n  ... and 5 more");
    }

    @Test
    void waitingEndsAtOnceWhenEverythingIsSettled() throws Exception {
        assertThat(pending.awaitSettled(Duration.ofSeconds(5), Duration.ofSeconds(5))).isTrue();
        long id = pending.add("a");
        CompletableFuture<Boolean> settled = CompletableFuture.supplyAsync(() -> await(Duration.ofSeconds(5)));
        Thread.sleep(100);
        assertThat(settled).isNotDone();
        pending.settle(id);
        assertThat(settled.get(2, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void waitingGivesUpWhenNothingGoesOutForTheIdleTime() throws Exception {
        pending.add("stuck");
        long start = System.nanoTime();
        assertThat(pending.awaitSettled(Duration.ofMillis(300), Duration.ofSeconds(10))).isFalse();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(300), Duration.ofSeconds(3));
    }

    @Test
    void waitingGoesOnWhileLinesGoOutButNotPastTheCap() throws Exception {
        for (int i = 0; i < 100; i++) {
            pending.add("line " + i);
        }
        Thread settler = new Thread(() -> {
            for (long id = 0; id < 100; id++) {
                pending.settle(id);
                sleep(100);
            }
        });
        settler.setDaemon(true);
        settler.start();
        long start = System.nanoTime();
        // Idle 300 ms but a line settles every 100 ms: only the 1 s cap ends the wait.
        assertThat(pending.awaitSettled(Duration.ofMillis(300), Duration.ofSeconds(1))).isFalse();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(1000), Duration.ofSeconds(3));
        assertThat(pending.count()).isBetween(70, 95);
        settler.interrupt();
    }

    @Test
    void stopWaitingEndsTheWait() throws Exception {
        pending.add("stuck");
        CompletableFuture<Boolean> settled = CompletableFuture.supplyAsync(() -> await(Duration.ofSeconds(30)));
        Thread.sleep(100);
        pending.stopWaiting();
        assertThat(settled.get(2, TimeUnit.SECONDS)).isFalse();
    }

    private boolean await(Duration idle) {
        try {
            return pending.awaitSettled(idle, idle);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
