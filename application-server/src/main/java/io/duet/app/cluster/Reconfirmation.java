package io.duet.app.cluster;

import java.time.Duration;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state machine behind {@link ShardOwnership#reconfirmShardMap}: after a lapsed lease or a reconnection,
 * this server serves again only by a shard map at least as new as the one in ZooKeeper now, so it re-reads
 * that map's epoch ({@link #requiredEpoch()}, {@link Long#MAX_VALUE} until the re-read succeeds).
 * <ul>
 *   <li>A failed re-read (it threw, ZooKeeper answered with an error, the map could not be parsed) is
 *       retried after a backoff that doubles from {@link Backoff#first()} up to {@link Backoff#max()}, for
 *       as long as it takes: without the epoch the server never serves again.
 *   <li>Each {@link #start()} begins a new generation; only the newest generation's re-read sets the epoch
 *       or schedules a retry, so an older re-read that finishes last cannot undo a newer one.
 *   <li>While it cannot re-read, {@link #failedAttempts()} and {@link #lastFailure()} say so (a gauge and
 *       the server's readiness reason), and each failure is logged with the next delay.
 *   <li>Once {@link #close() closed} it reads nothing more: pending retries are cancelled, late answers
 *       ignored, and {@link #start()} does nothing.
 * </ul>
 * It knows nothing of ZooKeeper: the re-read is a {@link MapReader} ({@link ShardMapReader} in production)
 * and retries go to a {@link Scheduler}, so that tests drive it with doubles. Thread-safe: re-reads answer
 * on ZooKeeper's event thread, retries run on the scheduler's, and {@link #start()} is called from the
 * connection-state and the heartbeat threads.
 */
final class Reconfirmation implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Reconfirmation.class);

    /** How long to wait before retrying a failed re-read: doubling from {@code first}, at most {@code max}. */
    record Backoff(Duration first, Duration max) {
        /** The first retry after 100 ms, then 200, 400 ms... at most every 5 s. */
        static final Backoff DEFAULT = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5));

        Backoff {
            if (first.isNegative() || first.isZero()) {
                throw new IllegalArgumentException("first: " + first + " (expected: > 0)");
            }
            if (max.compareTo(first) < 0) {
                throw new IllegalArgumentException("max: " + max + " (expected: >= first, " + first + ")");
            }
        }

        /** The delay before retry number {@code retry} (1 for the first). */
        Duration delay(int retry) {
            int doublings = Math.min(Math.max(retry - 1, 0), 30);
            Duration delay = first.multipliedBy(1L << doublings);
            return delay.compareTo(max) > 0 ? max : delay;
        }
    }

    /** What one re-read found: the map's epoch (0 when there is no map yet), or why it failed. */
    record Outcome(long epoch, String failure) {
        static Outcome found(long epoch) {
            return new Outcome(epoch, null);
        }

        static Outcome failed(String failure) {
            return new Outcome(-1, failure);
        }

        boolean succeeded() {
            return failure == null;
        }
    }

    /** Re-reads the shard map as it is in ZooKeeper now, answering {@code done} once, on any thread. */
    @FunctionalInterface
    interface MapReader {
        void read(Consumer<Outcome> done) throws Exception;
    }

    /** Runs {@code task} once after {@code delay}; the returned action cancels it. */
    @FunctionalInterface
    interface Scheduler {
        Runnable schedule(Runnable task, Duration delay);
    }

    private final MapReader reader;
    private final Scheduler scheduler;
    private final Backoff backoff;
    // Guarded by this.
    private long generation;
    private Runnable cancelRetry = () -> { };
    private boolean closed;
    private String lastFailure;
    // Written under this, read without it (requiredEpoch on every call the server serves).
    private volatile long requiredEpoch;
    private volatile int failedAttempts;

    Reconfirmation(MapReader reader, Scheduler scheduler, Backoff backoff) {
        this.reader = reader;
        this.scheduler = scheduler;
        this.backoff = backoff;
    }

    /** Stops serving until the map is re-read; supersedes any re-read under way. Does nothing once closed. */
    void start() {
        long started;
        synchronized (this) {
            if (closed) {
                return;
            }
            started = ++generation;
            cancelRetry.run();
            cancelRetry = () -> { };
            requiredEpoch = Long.MAX_VALUE;
            failedAttempts = 0;
            lastFailure = null;
        }
        attempt(started);
    }

    private void attempt(long attemptGeneration) {
        synchronized (this) {
            if (closed || attemptGeneration != generation) {
                return;
            }
        }
        try {
            reader.read(outcome -> finished(attemptGeneration, outcome));
        } catch (Exception e) {
            finished(attemptGeneration, Outcome.failed(e.toString()));
        }
    }

    private synchronized void finished(long attemptGeneration, Outcome outcome) {
        if (closed || attemptGeneration != generation || requiredEpoch != Long.MAX_VALUE) {
            // Superseded, closed, or a second answer to a re-read that already ended.
            return;
        }
        if (outcome.succeeded()) {
            if (failedAttempts > 0) {
                LOG.info("Re-read the shard map (epoch {}) after {} failed attempts", outcome.epoch(), failedAttempts);
            }
            failedAttempts = 0;
            lastFailure = null;
            requiredEpoch = outcome.epoch();
            return;
        }
        int failed = failedAttempts + 1;
        failedAttempts = failed;
        lastFailure = outcome.failure();
        Duration delay = backoff.delay(failed);
        LOG.warn("Cannot re-read the shard map (attempt {}: {}); not serving until it can, retrying in {} ms", failed,
                outcome.failure(), delay.toMillis());
        cancelRetry = scheduler.schedule(() -> attempt(attemptGeneration), delay);
    }

    /** The map epoch this server must have seen before serving: 0 at first, MAX while re-reading. */
    long requiredEpoch() {
        return requiredEpoch;
    }

    /** How many re-reads in a row have failed since the last {@link #start()}; 0 once one succeeds. */
    int failedAttempts() {
        return failedAttempts;
    }

    /** Why the last re-read failed, while the re-read has not succeeded since; else null. */
    synchronized String lastFailure() {
        return lastFailure;
    }

    @Override
    public void close() {
        Runnable cancel;
        synchronized (this) {
            closed = true;
            cancel = cancelRetry;
            cancelRetry = () -> { };
        }
        cancel.run();
    }
}
