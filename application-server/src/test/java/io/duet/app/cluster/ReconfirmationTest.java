package io.duet.app.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.duet.app.cluster.Reconfirmation.Backoff;
import io.duet.app.cluster.Reconfirmation.Outcome;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.Consumer;
import org.apache.zookeeper.KeeperException.Code;
import org.junit.jupiter.api.Test;

/**
 * The re-read of the shard map after a lapsed lease or a reconnection, driven by a scripted reader (the
 * real one is ZooKeeper: ShardOwnershipIT) and a scheduler whose retries the test runs by hand.
 */
class ReconfirmationTest {
    private static final Backoff BACKOFF = new Backoff(Duration.ofMillis(100), Duration.ofMillis(1_000));

    /** Keeps each re-read's answer callback, for the test to answer (or to throw at once, when scripted so). */
    private static final class Reader implements Reconfirmation.MapReader {
        final List<Consumer<Outcome>> pending = new ArrayList<>();
        final Deque<Exception> throwNext = new ArrayDeque<>();
        int reads;

        @Override
        public void read(Consumer<Outcome> done) throws Exception {
            reads++;
            Exception failure = throwNext.poll();
            if (failure != null) {
                throw failure;
            }
            pending.add(done);
        }

        void answerLast(Outcome outcome) {
            pending.remove(pending.size() - 1).accept(outcome);
        }
    }

    /** Holds scheduled retries with their delays; {@link #runNext} runs the oldest not cancelled. */
    private static final class Scheduler implements Reconfirmation.Scheduler {
        final List<Duration> delays = new ArrayList<>();
        final Deque<Runnable> tasks = new ArrayDeque<>();
        int cancelled;

        @Override
        public Runnable schedule(Runnable task, Duration delay) {
            delays.add(delay);
            tasks.add(task);
            return () -> {
                if (tasks.remove(task)) {
                    cancelled++;
                }
            };
        }

        void runNext() {
            tasks.remove().run();
        }
    }

    private final Reader reader = new Reader();
    private final Scheduler scheduler = new Scheduler();
    private final Reconfirmation reconfirmation = new Reconfirmation(reader, scheduler, BACKOFF);

    @Test
    void untilTheMapIsReReadNothingIsServedThenItsEpochIsRequired() {
        assertThat(reconfirmation.requiredEpoch()).isZero();
        reconfirmation.start();
        assertThat(reconfirmation.requiredEpoch()).isEqualTo(Long.MAX_VALUE);
        reader.answerLast(Outcome.found(7));
        assertThat(reconfirmation.requiredEpoch()).isEqualTo(7);
        assertThat(scheduler.delays).isEmpty();
    }

    @Test
    void aReadThatThrowsIsRetriedAfterTheBackoffAndTheServerServesAgain() {
        reader.throwNext.add(new IllegalStateException("instance must be started"));
        reconfirmation.start();
        assertThat(reconfirmation.failedAttempts()).isEqualTo(1);
        assertThat(reconfirmation.lastFailure()).contains("instance must be started");
        assertThat(scheduler.delays).containsExactly(Duration.ofMillis(100));

        scheduler.runNext();
        reader.answerLast(Outcome.found(3));
        assertThat(reader.reads).isEqualTo(2);
        assertThat(reconfirmation.requiredEpoch()).isEqualTo(3);
        assertThat(reconfirmation.failedAttempts()).isZero();
        assertThat(reconfirmation.lastFailure()).isNull();
    }

    @Test
    void failedReadsAreRetriedWithADoublingBackoffThatStopsAtItsBound() {
        reconfirmation.start();
        for (int attempt = 1; attempt <= 7; attempt++) {
            reader.answerLast(Outcome.failed("read: CONNECTIONLOSS"));
            assertThat(reconfirmation.failedAttempts()).isEqualTo(attempt);
            assertThat(reader.reads).as("reads before the retry is due").isEqualTo(attempt);
            scheduler.runNext();
        }
        assertThat(scheduler.delays).extracting(Duration::toMillis).containsExactly(100L, 200L, 400L, 800L, 1_000L,
                1_000L, 1_000L);
        assertThat(reconfirmation.requiredEpoch()).isEqualTo(Long.MAX_VALUE);
        reader.answerLast(Outcome.found(9));
        assertThat(reconfirmation.requiredEpoch()).isEqualTo(9);
        assertThat(reconfirmation.failedAttempts()).isZero();
    }

    @Test
    void anUnreadableMapIsCountedAndRetriedUntilItCanBeRead() {
        reconfirmation.start();
        reader.answerLast(ShardMapReader.ofRead(Code.OK.intValue(), new byte[] {1, 2, 3}));
        assertThat(reconfirmation.requiredEpoch()).isEqualTo(Long.MAX_VALUE);
        assertThat(reconfirmation.failedAttempts()).isEqualTo(1);
        assertThat(reconfirmation.lastFailure()).startsWith("unreadable shard map");

        scheduler.runNext();
        reader.answerLast(Outcome.found(4));
        assertThat(reconfirmation.requiredEpoch()).isEqualTo(4);
    }

    @Test
    void anOlderReReadThatFinishesLastDoesNotOverwriteTheNewerOnes() {
        reconfirmation.start();
        Consumer<Outcome> older = reader.pending.remove(0);
        reconfirmation.start();
        reader.answerLast(Outcome.found(6));
        older.accept(Outcome.found(5));
        assertThat(reconfirmation.requiredEpoch()).isEqualTo(6);

        // Nor does its failure schedule a retry, or count.
        older.accept(Outcome.failed("read: CONNECTIONLOSS"));
        assertThat(scheduler.delays).isEmpty();
        assertThat(reconfirmation.failedAttempts()).isZero();
    }

    @Test
    void aNewReconfirmCancelsTheRetryOfTheOneItSupersedes() {
        reconfirmation.start();
        reader.answerLast(Outcome.failed("read: CONNECTIONLOSS"));
        reconfirmation.start();
        assertThat(scheduler.cancelled).isEqualTo(1);
        assertThat(reconfirmation.failedAttempts()).as("failures of the superseded re-read").isZero();
        reader.answerLast(Outcome.found(2));
        assertThat(reconfirmation.requiredEpoch()).isEqualTo(2);
        assertThat(reader.reads).isEqualTo(2);
    }

    @Test
    void onceClosedItReadsAndRetriesNothingAndIgnoresLateAnswers() {
        reconfirmation.start();
        reader.answerLast(Outcome.failed("read: CONNECTIONLOSS"));
        reconfirmation.start();
        reconfirmation.close();
        assertThat(scheduler.tasks).as("retries pending once closed").isEmpty();
        reader.answerLast(Outcome.failed("read: SESSIONEXPIRED"));
        assertThat(scheduler.delays).as("retries scheduled").hasSize(1);

        reconfirmation.start();
        assertThat(reader.reads).isEqualTo(2);
    }

    @Test
    void aBackoffMustBePositiveAndItsBoundNoShorterThanItsFirstDelay() {
        assertThatThrownBy(() -> new Backoff(Duration.ZERO, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("first: PT0S (expected: > 0)");
        assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("max: PT1S (expected: >= first, PT2S)");
        assertThat(Backoff.DEFAULT.delay(1_000)).isEqualTo(Duration.ofSeconds(5));
    }
}
