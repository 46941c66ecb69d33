package io.duet.app.couple;

import io.duet.app.internal.SerialExecutor;
import io.duet.protocol.api.DuetError;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A couple's parked HTTP long polls: each waits for the couple's next commit, or its wait to pass, then
 * returns (an empty reply if nothing came). Admitted within the server's bounds ({@link LongPolls}). On the
 * couple's executor only; the list is made at the first poll.
 */
final class ParkedPolls {
    private final SerialExecutor executor;
    private final ScheduledExecutorService timers;
    private final LongPolls bounds;
    private List<Parked> parked;

    ParkedPolls(SerialExecutor executor, ScheduledExecutorService timers, LongPolls bounds) {
        this.executor = executor;
        this.timers = timers;
        this.bounds = bounds;
    }

    /** Completes, on the executor, at the next {@link #wakeAll()} or after {@code waitMillis}; fails if not admitted. */
    CompletableFuture<Void> park(long userId, long waitMillis) {
        DuetError refused = bounds.admit(userId);
        if (refused != null) {
            return CompletableFuture.failedFuture(refused);
        }
        if (parked == null) {
            parked = new ArrayList<>(2);
        }
        Parked poll = new Parked(userId);
        parked.add(poll);
        poll.timeout = timers.schedule(() -> executor.execute(() -> {
            if (parked != null && parked.remove(poll)) {
                poll.release();
            }
        }), waitMillis, TimeUnit.MILLISECONDS);
        return poll.done;
    }

    /** A commit, or the couple's unloading: every parked poll returns now. */
    void wakeAll() {
        if (parked == null || parked.isEmpty()) {
            return;
        }
        List<Parked> woken = parked;
        parked = null;
        for (Parked poll : woken) {
            poll.timeout.cancel(false);
            poll.release();
        }
    }

    int size() {
        return parked == null ? 0 : parked.size();
    }

    private final class Parked {
        final long userId;
        final CompletableFuture<Void> done = new CompletableFuture<>();
        ScheduledFuture<?> timeout;

        Parked(long userId) {
            this.userId = userId;
        }

        void release() {
            bounds.release(userId);
            done.complete(null);
        }
    }
}
