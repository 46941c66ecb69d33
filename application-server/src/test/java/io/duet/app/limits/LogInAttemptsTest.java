package io.duet.app.limits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.duet.protocol.api.DuetError;
import io.duet.protocol.api.ErrorCode;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

class LogInAttemptsTest {
    private static final Duration HOUR = Duration.ofHours(1);
    private static final String ANN = "ann@example.com";

    /** A clock moved by the test, starting at the beginning of a window. */
    private static final class FakeClock extends Clock {
        long millis = 1_000 * HOUR.toMillis();

        @Override
        public long millis() {
            return millis;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis);
        }

        @Override
        public ZoneId getZone() {
            return ZoneId.of("UTC");
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException();
        }

        void advance(Duration duration) {
            millis += duration.toMillis();
        }
    }

    /** Counters in memory, as the HBase table keeps them: one store for every server. */
    private static final class MemoryCounters implements LogInAttempts.Counters {
        final Map<String, Long> counts = new HashMap<>();

        @Override
        public synchronized CompletableFuture<long[]> add(String account, long window, long delta) {
            counts.merge(account + "/" + window, delta, Long::sum);
            return CompletableFuture.completedFuture(new long[] {count(account, window - 1), count(account, window)});
        }

        synchronized long count(String account, long window) {
            return counts.getOrDefault(account + "/" + window, 0L);
        }
    }

    private final FakeClock clock = new FakeClock();
    private final MemoryCounters counters = new MemoryCounters();

    private LogInAttempts attempts(long tokens) {
        return new LogInAttempts(Rate.of(tokens, HOUR), counters, clock);
    }

    private static DuetError refusal(LogInAttempts attempts, String account) {
        try {
            attempts.take(account).join();
            return null;
        } catch (CompletionException e) {
            return (DuetError) e.getCause();
        }
    }

    private static boolean allowed(LogInAttempts attempts, String account) {
        return refusal(attempts, account) == null;
    }

    private long window() {
        return clock.millis() / HOUR.toMillis();
    }

    @Test
    void wrongPasswordsSpendTheBudgetThenEvenTheRightOneIsRefusedWithTheWait() {
        LogInAttempts attempts = attempts(10);
        for (int i = 0; i < 10; i++) {
            assertThat(attempts.take(ANN).join()).isNotNull();
        }
        DuetError refused = refusal(attempts, ANN);

        assertThat(refused.getCode()).isEqualTo(ErrorCode.RATE_LIMITED);
        assertThat(refused.getMessage()).startsWith("too many wrong passwords tried for this account; retry in");
        // All 10 in this window: the first comes back once a tenth of the next window has passed.
        assertThat(refused.getRetryAfterMillis()).isEqualTo((int) (HOUR.toMillis() + HOUR.toMillis() / 10));
        assertThat(attempts.refusals()).isEqualTo(1);
        // The refused attempt was given back: hammering does not push the wait further.
        assertThat(counters.count(ANN, window())).isEqualTo(10);
        assertThat(refusal(attempts, ANN).getRetryAfterMillis()).isEqualTo(refused.getRetryAfterMillis());
        // Other accounts are counted apart.
        assertThat(allowed(attempts, "bob@example.com")).isTrue();
    }

    @Test
    void aPasswordThatMatchedDoesNotCount() {
        LogInAttempts attempts = attempts(2);
        for (int i = 0; i < 5; i++) {
            attempts.take(ANN).join().passwordMatched();
        }

        assertThat(counters.count(ANN, window())).isZero();
        assertThat(allowed(attempts, ANN)).isTrue();
        assertThat(allowed(attempts, ANN)).isTrue();
        assertThat(allowed(attempts, ANN)).isFalse();
    }

    @Test
    void attemptsOnTwoServersShareOneBudget() {
        LogInAttempts first = attempts(10);
        LogInAttempts second = attempts(10);
        for (int i = 0; i < 10; i++) {
            assertThat(allowed(i % 2 == 0 ? first : second, ANN)).as("attempt %d", i).isTrue();
        }

        assertThat(allowed(first, ANN)).isFalse();
        assertThat(allowed(second, ANN)).isFalse();
    }

    @Test
    void aSpentBudgetComesBackSmoothlyAcrossTheWindowsEdge() {
        LogInAttempts attempts = attempts(10);
        clock.advance(HOUR.dividedBy(2));
        for (int i = 0; i < 10; i++) {
            attempts.take(ANN).join();
        }
        DuetError refused = refusal(attempts, ANN);
        // Half this window, then a tenth of the next.
        assertThat(refused.getRetryAfterMillis()).isEqualTo((int) (HOUR.toMillis() * 6 / 10));

        // At the next window's start the previous one still counts whole: no fresh burst at the edge.
        clock.advance(HOUR.dividedBy(2));
        refused = refusal(attempts, ANN);
        assertThat((Object) refused).isNotNull();
        assertThat(refused.getRetryAfterMillis()).isEqualTo((int) (HOUR.toMillis() / 10));

        clock.advance(Duration.ofMillis(refused.getRetryAfterMillis()));
        assertThat(allowed(attempts, ANN)).isTrue();
        assertThat(allowed(attempts, ANN)).isFalse();
        // Half-way, half the previous window's attempts still count: 5 + 1 now, 4 more.
        clock.advance(HOUR.dividedBy(2).minus(HOUR.dividedBy(10)));
        for (int i = 0; i < 4; i++) {
            assertThat(allowed(attempts, ANN)).as("attempt %d", i).isTrue();
        }
        assertThat(allowed(attempts, ANN)).isFalse();
    }

    @Test
    void atMostTheTokensAreCountedInAnyOneWindow() {
        LogInAttempts attempts = attempts(10);
        int passed = 0;
        // One attempt a minute for ten hours: about 10 an hour get through, never more than 10 in a window.
        for (int minute = 0; minute < 600; minute++) {
            if (allowed(attempts, ANN)) {
                passed++;
            }
            clock.advance(Duration.ofMinutes(1));
        }
        assertThat(passed).isBetween(85, 100);
        for (long window = window() - 10; window < window(); window++) {
            assertThat(counters.count(ANN, window)).isLessThanOrEqualTo(10);
        }
    }

    @Test
    void aStorageFailureFailsTheAttempt() {
        LogInAttempts attempts = new LogInAttempts(Rate.of(10, HOUR),
                (account, window, delta) -> CompletableFuture.failedFuture(new IOException("HBase is down")), clock);

        assertThatThrownBy(() -> attempts.take(ANN).join()).hasCauseInstanceOf(IOException.class);
    }

    @Test
    void refusesAPeriodLongerThanTheCountersLive() {
        assertThatThrownBy(() -> new LogInAttempts(Rate.of(10, Duration.ofDays(2)), counters, clock))
                .hasMessageContaining("limits.log-in.per-account: period PT48H (expected: 1 ms to PT24H)");
    }
}
