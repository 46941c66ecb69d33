package io.duet.app.couple;

import io.duet.app.internal.SerialExecutor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * When a closed couple leaves the registry: once none of its parts has an HBase call under way, so that a
 * second load of the couple does not race a write of the first; and at the latest {@link
 * CoupleLimits#retireTimeout} after it closed, whatever is still under way. Until it leaves, calls of the
 * couple are answered "being reloaded; retry" ({@link CoupleRegistry#actorFor}), so a call that never ends
 * (a lost callback, a future nobody completes) must not keep it there: the couple is loaded again under a
 * raised fence, which refuses whatever the late call would still write. Confined to the couple's executor.
 */
final class Retirement {
    private static final Logger LOG = LoggerFactory.getLogger(Retirement.class);

    private final long coupleId;
    private final SerialExecutor executor;
    private final ScheduledExecutorService timers;
    private final Duration timeout;
    private final Map<String, BooleanSupplier> parts;
    private final Runnable retire;

    // Confined to the executor.
    private long closedNanos;
    private boolean closed;
    private boolean retired;
    private ScheduledFuture<?> deadline;

    /**
     * @param parts whether each part has an HBase call under way, by what such a call is (for the log)
     * @param retire takes the couple out of the registry; run once, on the executor
     */
    Retirement(long coupleId, SerialExecutor executor, ScheduledExecutorService timers, Duration timeout,
            Map<String, BooleanSupplier> parts, Runnable retire) {
        this.coupleId = coupleId;
        this.executor = executor;
        this.timers = timers;
        this.timeout = timeout;
        this.parts = parts;
        this.retire = retire;
    }

    /** The couple closed: it retires as soon as nothing is under way, or when the retire timeout passes. */
    void closed() {
        executor.checkInContext();
        if (closed) {
            return;
        }
        closed = true;
        closedNanos = System.nanoTime();
        check();
        if (!retired) {
            try {
                deadline = timers.schedule(() -> executor.execute(this::timedOut), timeout.toMillis(),
                        TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) {
                // The server is stopping (its timers are shut down): it waits for its couples with a deadline
                // of its own (CoupleRegistry#awaitRetired).
            }
        }
    }

    /** Something ended: a closed couple with nothing left under way retires now. */
    void check() {
        executor.checkInContext();
        if (closed && !retired && underWay().isEmpty()) {
            retireNow();
        }
    }

    private void timedOut() {
        if (retired) {
            return;
        }
        LOG.warn("Couple {} leaves the registry {} ms after it closed with {} still under way (retire timeout {} ms); "
                + "its next load raises the fence, which refuses a late write", coupleId,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - closedNanos), String.join(", ", underWay()),
                timeout.toMillis());
        retireNow();
    }

    private List<String> underWay() {
        List<String> busy = new ArrayList<>(parts.size());
        parts.forEach((what, inFlight) -> {
            if (inFlight.getAsBoolean()) {
                busy.add(what);
            }
        });
        return busy;
    }

    private void retireNow() {
        retired = true;
        if (deadline != null) {
            deadline.cancel(false);
        }
        retire.run();
    }
}
