package io.duet.deploy.local;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;

/**
 * When to restart one node after a death, by {@link SupervisionSettings}: exponential backoff, reset by
 * a long enough life, and a crash loop after too many deaths in the window. Pure logic; times are
 * {@link System#nanoTime()} values passed in. Not thread-safe: its owner serializes calls.
 */
final class RestartPolicy {
    private final SupervisionSettings settings;
    private final Deque<Long> deaths = new ArrayDeque<>();
    private Duration nextBackoff;

    RestartPolicy(SupervisionSettings settings) {
        this.settings = settings;
        this.nextBackoff = settings.firstBackoff();
    }

    /**
     * A death at {@code now} after {@code uptime} up ({@link Duration#ZERO} for a failed start): how long
     * to wait before restarting, or empty when this death makes a crash loop.
     */
    Optional<Duration> died(long now, Duration uptime) {
        if (uptime.compareTo(settings.stableAfter()) >= 0) {
            nextBackoff = settings.firstBackoff();
        }
        deaths.addLast(now);
        while (now - deaths.peekFirst() > settings.crashLoopWindow().toNanos()) {
            deaths.removeFirst();
        }
        if (deaths.size() >= settings.crashLoopDeaths()) {
            return Optional.empty();
        }
        Duration delay = nextBackoff;
        Duration doubled = nextBackoff.multipliedBy(2);
        nextBackoff = doubled.compareTo(settings.maxBackoff()) > 0 ? settings.maxBackoff() : doubled;
        return Optional.of(delay);
    }

    /** The deaths counted towards a crash loop now. */
    int recentDeaths() {
        return deaths.size();
    }

    /** Forgets every death: a fresh start. */
    void reset() {
        deaths.clear();
        nextBackoff = settings.firstBackoff();
    }
}
