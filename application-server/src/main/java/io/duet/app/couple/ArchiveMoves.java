package io.duet.app.couple;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This server's archive moves, all couples together, in the background: couples whose rows hold a
 * bucket to move ask for a turn ({@link #want}), and every tick starts at most {@link
 * ArchiveSettings#movesPerTick} moves, never more in flight than that. Each move runs on its couple's
 * executor (see {@link CoupleArchiving}) and asks again if it moved something, so a couple with a long
 * backlog (its first load after an upgrade) drains a bucket per turn, taking its turn with the others.
 * The waiting couples are bounded; a couple dropped asks again at its next commit or load. Thread-safe.
 */
public final class ArchiveMoves implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ArchiveMoves.class);

    /** Moves nothing (archiving disabled). */
    static final ArchiveMoves NONE = new ArchiveMoves(ArchiveSettings.disabled(), null);

    final ArchiveSettings settings;
    private final Object lock = new Object();
    // @GuardedBy("lock")
    private final LinkedHashSet<Supplier<CompletableFuture<Boolean>>> waiting = new LinkedHashSet<>();
    // @GuardedBy("lock")
    private int inFlight;
    private final AtomicLong moves = new AtomicLong();
    private final ScheduledFuture<?> ticks;

    /** @param timers runs the ticks, which only hand moves to the couples' executors */
    ArchiveMoves(ArchiveSettings settings, ScheduledExecutorService timers) {
        this.settings = settings;
        this.ticks = settings.enabled && timers != null ? timers.scheduleWithFixedDelay(this::tick,
                settings.tick.toMillis(), settings.tick.toMillis(), TimeUnit.MILLISECONDS) : null;
    }

    boolean enabled() {
        return ticks != null;
    }

    /**
     * Gives {@code step} a turn: it starts one move and completes with whether it moved something (then
     * it gets another turn). The same step asking twice waits once. False if too many couples wait: ask
     * again later. Moves disabled, it accepts and runs nothing.
     */
    boolean want(Supplier<CompletableFuture<Boolean>> step) {
        if (!enabled()) {
            return true;
        }
        synchronized (lock) {
            if (waiting.size() >= settings.maxWaiting && !waiting.contains(step)) {
                return false;
            }
            waiting.add(step);
            return true;
        }
    }

    /** Bucket moves that moved something, since the start. */
    public long moves() {
        return moves.get();
    }

    private void tick() {
        List<Supplier<CompletableFuture<Boolean>>> turn = new ArrayList<>();
        synchronized (lock) {
            var it = waiting.iterator();
            while (inFlight < settings.movesPerTick && it.hasNext()) {
                turn.add(it.next());
                it.remove();
                inFlight++;
            }
        }
        for (Supplier<CompletableFuture<Boolean>> step : turn) {
            CompletableFuture<Boolean> moved;
            try {
                moved = step.get();
            } catch (RuntimeException e) {
                moved = CompletableFuture.failedFuture(e);
            }
            moved.whenComplete((more, failure) -> {
                synchronized (lock) {
                    inFlight--;
                }
                if (failure != null) {
                    LOG.debug("Archive move failed: {}", failure.toString());
                } else if (more) {
                    moves.incrementAndGet();
                    // Past the bound if need be (by at most movesPerTick): the step counts on its next turn.
                    synchronized (lock) {
                        waiting.add(step);
                    }
                }
            });
        }
    }

    @Override
    public void close() {
        if (ticks != null) {
            ticks.cancel(false);
        }
        synchronized (lock) {
            waiting.clear();
        }
    }
}
