package io.duet.presentation.drain;

import io.duet.presentation.session.SessionRegistry;
import io.duet.process.admin.DrainControl;
import io.duet.process.admin.DrainStatus;
import io.duet.process.admin.DrainStatus.Phase;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A presentation server's drain, one way from serving to drained. {@link #startDrain()} turns the server
 * not ready; after the delay (0 by default; behind a load balancer that does not retry a refused connection
 * on another server, the time its health checks take to notice) it stops accepting connections (so that a
 * client reconnecting through the load balancer before its health checks have seen {@code /ready} turn
 * 503 is refused and sent to another server), then asks every client to reconnect, spread over the window
 * ({@link DrainSpread}); the clients keep being served until they go.
 * At the deadline those still connected are closed with {@code SHUTTING_DOWN}: a client that does not know
 * the notice reconnects as after any lost connection.
 *
 * <p>Started by SIGTERM (the server's close waits in {@link #awaitDrained()}) or by {@code POST /drain}
 * on the admin port, which it serves as the server's {@link DrainControl}. Only {@link #awaitDrained()}
 * blocks; the rest returns at once, and each session's notice and deadline run on its own event loop.
 */
public final class Drain implements DrainControl {
    private static final Logger LOG = LoggerFactory.getLogger(Drain.class);
    /** How long after the deadline {@link #awaitDrained()} gives the last sessions to close. */
    static final Duration CLOSE_GRACE = Duration.ofSeconds(2);

    private enum State { SERVING, DRAINING, DRAINED }

    private final DrainSettings settings;
    private final SessionRegistry sessions;
    private final Runnable stopAccepting;
    private final AtomicReference<State> state = new AtomicReference<>(State.SERVING);
    private volatile long startedNanos;
    private volatile int sessionsAtStart;
    private volatile long tookMillis;
    /** Whether the delay is over: the listeners are closed and the clients were asked to move. */
    private volatile boolean moving;

    /**
     * @param stopAccepting closes the server's listeners without waiting; run once, when the drain starts
     */
    public Drain(DrainSettings settings, SessionRegistry sessions, Runnable stopAccepting) {
        this.settings = settings;
        this.sessions = sessions;
        this.stopAccepting = stopAccepting;
    }

    /**
     * Starts the drain unless it has started; returns at once. The server is not ready from now on; after
     * the delay it stops accepting and asks its clients to move.
     */
    @Override
    public DrainStatus startDrain() {
        if (state.compareAndSet(State.SERVING, State.DRAINING)) {
            startedNanos = System.nanoTime();
            if (settings.delay.isZero()) {
                moveClients();
            } else {
                LOG.info("Draining: not ready; accepting for {} ms more while the load balancer takes this server out",
                        settings.delay.toMillis());
                CompletableFuture.delayedExecutor(settings.delay.toMillis(), TimeUnit.MILLISECONDS)
                        .execute(this::moveClients);
            }
        }
        return drainStatus();
    }

    private void moveClients() {
        stopAccepting.run();
        Duration left = settings.deadline.minus(settings.delay);
        sessionsAtStart = sessions.drain(new DrainSpread(settings.window, settings.maxReconnectSpread), left);
        moving = true;
        LOG.info("Draining: {} client sessions asked to reconnect elsewhere over {} ms; the rest are closed in {} ms",
                sessionsAtStart, settings.window.toMillis(), left.toMillis());
        sessions.whenEmpty().thenRun(this::drained);
    }

    private void drained() {
        tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos);
        state.set(State.DRAINED);
        LOG.info("Drained: the {} client sessions left in {} ms", sessionsAtStart, tookMillis);
    }

    /** Whether the drain has started: the server is then not ready. */
    public boolean isStarted() {
        return state.get() != State.SERVING;
    }

    /**
     * Blocks the calling thread (never an event loop) until every session has left, or until the deadline
     * and {@link #CLOSE_GRACE} have passed since the drain started; returns whether every session left.
     * Returns false at once if the drain has not started.
     */
    public boolean awaitDrained() {
        if (!isStarted()) {
            return false;
        }
        long waitNanos = startedNanos + settings.deadline.plus(CLOSE_GRACE).toNanos() - System.nanoTime();
        try {
            sessions.whenEmpty().get(Math.max(0, waitNanos), TimeUnit.NANOSECONDS);
            return true;
        } catch (TimeoutException e) {
            LOG.warn("{} client sessions still connected after the drain deadline", sessions.size());
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (ExecutionException e) {
            throw new IllegalStateException("whenEmpty() never fails", e);
        }
    }

    @Override
    public DrainStatus drainStatus() {
        switch (state.get()) {
            case SERVING:
                return DrainStatus.of(Phase.NOT_STARTED, "serving " + sessions.size() + " client sessions");
            case DRAINING:
                if (!moving) {
                    return DrainStatus.of(Phase.DRAINING, "not ready, still accepting: " + sessions.size()
                            + " client sessions, asked to move " + settings.delay.toMillis() + " ms after the drain began");
                }
                return DrainStatus.of(Phase.DRAINING, sessions.size() + " of " + sessionsAtStart
                        + " client sessions left after " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos)
                        + " ms");
            default:
                return DrainStatus.of(Phase.DRAINED, "the " + sessionsAtStart + " client sessions left in "
                        + tookMillis + " ms");
        }
    }
}
