package io.duet.app.limits;

import io.duet.app.rpc.ApiErrors;
import io.duet.protocol.api.DuetError;
import io.duet.protocol.api.ErrorCode;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The per-account log-in limit ({@link Limit#LOG_IN_PER_ACCOUNT}), counted in shared storage (HBase) so
 * that it holds across the cluster, however many application servers an attacker's addresses reach.
 * Each password check against an account takes one attempt from its budget <em>before</em> the Argon2
 * verify; an attempt whose password matched is given back, so the budget counts wrong passwords (and
 * checks in progress).
 *
 * <p>A sliding-window counter: time is cut into windows of the rate's period, each with an atomic counter,
 * and an attempt is allowed while {@code previous × (1 − elapsed fraction of the current window) +
 * current} stays within the rate's tokens. So at most {@code tokens} attempts are counted in any one
 * window, a spent budget comes back smoothly, and a window's edge gives no double burst. The take is one
 * atomic increment that returns both counts, so concurrent attempts on any servers cannot all slip under
 * the limit. A refused attempt is given back, so hammering a spent budget does not keep it spent.
 */
public final class LogInAttempts {
    private static final Logger LOG = LoggerFactory.getLogger(LogInAttempts.class);
    /** The longest period: storage keeps a window's counter two days ({@code HBaseSchema}). */
    public static final Duration MAX_PERIOD = Duration.ofDays(1);

    /** Where the counters live. */
    @FunctionalInterface
    public interface Counters {
        /**
         * Atomically adds {@code delta} to {@code account}'s counter of {@code window}.
         *
         * @return the counters of {@code window - 1} and {@code window} after the add
         */
        CompletableFuture<long[]> add(String account, long window, long delta);
    }

    private final long tokens;
    private final long periodMillis;
    private final Counters counters;
    private final Clock clock;
    private final LongAdder refusals = new LongAdder();

    public LogInAttempts(Rate rate, Counters counters, Clock clock) {
        if (rate.period().compareTo(MAX_PERIOD) > 0 || rate.period().toMillis() < 1) {
            throw new IllegalArgumentException("limits." + Limit.LOG_IN_PER_ACCOUNT.key() + ": period "
                    + rate.period() + " (expected: 1 ms to " + MAX_PERIOD + ")");
        }
        this.tokens = rate.tokens();
        this.periodMillis = rate.period().toMillis();
        this.counters = counters;
        this.clock = clock;
    }

    /**
     * Takes one attempt of {@code account}'s budget: completes with it, or fails with {@code RATE_LIMITED}
     * (and a retry-after) when the budget is spent, or with the storage's failure.
     *
     * @param account the normalized email
     */
    public CompletableFuture<Attempt> take(String account) {
        long now = clock.millis();
        long window = Math.floorDiv(now, periodMillis);
        return counters.add(account, window, 1).thenCompose(counts -> {
            long previous = Math.max(0, counts[0]);
            long current = Math.max(0, counts[1]);
            long elapsed = now - window * periodMillis;
            // previous × (1 − elapsed / period) + current <= tokens, in whole numbers.
            if (previous * (periodMillis - elapsed) + current * periodMillis <= tokens * periodMillis) {
                return CompletableFuture.completedFuture(new Attempt(account, window));
            }
            giveBack(account, window);
            refusals.increment();
            long retryAfter = retryAfterMillis(previous, current - 1, elapsed);
            DuetError refused = ApiErrors.of(ErrorCode.RATE_LIMITED, "too many " + Limit.LOG_IN_PER_ACCOUNT.counted()
                    + "; retry in " + retryAfter + " ms")
                    .setRetryAfterMillis((int) Math.min(Integer.MAX_VALUE, retryAfter));
            return CompletableFuture.failedFuture(refused);
        });
    }

    /**
     * How long until one more attempt is allowed, if no other comes: {@code previous} and {@code current}
     * are the counts without it, {@code elapsed} the milliseconds of the current window gone.
     */
    private long retryAfterMillis(long previous, long current, long elapsed) {
        long wait;
        if (current + 1 <= tokens) {
            // This window, once previous × (period − e) <= (tokens − 1 − current) × period.
            long needed = previous == 0 ? elapsed : periodMillis - (tokens - 1 - current) * periodMillis / previous;
            wait = needed - elapsed;
        } else {
            // The next window, where this one's count is the previous:
            // current × (period − e) <= (tokens − 1) × period.
            wait = periodMillis - elapsed + periodMillis - (tokens - 1) * periodMillis / current;
        }
        return Math.max(1, wait);
    }

    private void giveBack(String account, long window) {
        counters.add(account, window, -1).whenComplete((ignored, failure) -> {
            if (failure != null) {
                LOG.warn("Could not give back a log-in attempt (the account's budget is one short for a while): {}",
                        failure.toString());
            }
        });
    }

    /** Attempts refused since start. */
    public long refusals() {
        return refusals.sum();
    }

    /** One attempt taken from an account's budget. */
    public final class Attempt {
        private final String account;
        private final long window;

        private Attempt(String account, long window) {
            this.account = account;
            this.window = window;
        }

        /** The password was right: the attempt does not count. */
        public void passwordMatched() {
            giveBack(account, window);
        }
    }
}
