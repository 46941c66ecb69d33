package io.duet.presentation.session;

import io.duet.presentation.auth.Revocations;
import io.duet.presentation.relay.UserEvents;
import io.duet.protocol.relay.Revocation;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The authenticated sessions on this server by user, for events addressed to users rather than streams,
 * for revocations (ending the sessions whose token was revoked: {@link #revoke}), and for a drain: asking
 * every session to reconnect elsewhere ({@link #drain}) and telling when none is left ({@link
 * #whenEmpty()}), counting connections still authenticating, which may yet become sessions.
 */
public final class SessionRegistry implements UserEvents {
    private final Revocations revocations;
    private final ConcurrentMap<Long, Set<RegisteredSession>> byUser = new ConcurrentHashMap<>();
    private final CompletableFuture<Void> empty = new CompletableFuture<>();
    /** Connections accepted and not yet authenticated (nor closed): each may still register a session. */
    private final AtomicInteger authenticating = new AtomicInteger();
    /** While draining, what the notice of a session that registers from now on hints; null before. */
    private volatile Duration drainingWithin;
    /** While draining, when sessions still connected are closed ({@link System#nanoTime()}). */
    private volatile long drainDeadlineNanos;

    public SessionRegistry(Revocations revocations) {
        this.revocations = revocations;
    }

    /**
     * Registers an authenticated session. One that registers while the drain starts is asked to move
     * however the two interleave: {@link #drain} raises its flag before it lists the sessions, and this
     * adds the session before it reads the flag, each with a full fence between its write and its read,
     * so at least one of the two sees the other (one that both see is asked twice, which it ignores).
     */
    void register(long userId, RegisteredSession session) {
        byUser.computeIfAbsent(userId, id -> ConcurrentHashMap.newKeySet()).add(session);
        VarHandle.fullFence();
        Duration within = drainingWithin;
        if (within != null) {
            // Authenticated after the drain began: it moves at once.
            session.drain(Duration.ZERO, within, untilDeadline());
        }
    }

    private Duration untilDeadline() {
        return Duration.ofNanos(Math.max(0, drainDeadlineNanos - System.nanoTime()));
    }

    void unregister(long userId, RegisteredSession session) {
        byUser.computeIfPresent(userId, (id, sessions) -> {
            sessions.remove(session);
            return sessions.isEmpty() ? null : sessions;
        });
        completeIfEmpty();
    }

    /** A connection was accepted: until {@link #authenticationEnded()}, a drain is not over. */
    void authenticationStarted() {
        authenticating.incrementAndGet();
    }

    /**
     * That connection has registered its session ({@link #register} came first) or closed without one,
     * such as at its auth timeout.
     */
    void authenticationEnded() {
        authenticating.decrementAndGet();
        completeIfEmpty();
    }

    /** Once a drain has begun, completes {@link #whenEmpty()} when no session is left nor may still come. */
    private void completeIfEmpty() {
        if (drainingWithin != null && byUser.isEmpty() && authenticating.get() == 0) {
            empty.complete(null);
        }
    }

    /**
     * Starts moving every client away: each session present now is asked, on its own event loop, to
     * reconnect after the delay {@code schedule} gives its place, and each that authenticates from now on
     * is asked at once; each still connected {@code deadline} after this call is closed with
     * SHUTTING_DOWN. Call once; returns how many sessions were present.
     */
    public int drain(ReconnectSchedule schedule, Duration deadline) {
        drainDeadlineNanos = System.nanoTime() + deadline.toNanos();
        // The flag goes up before the sessions are listed (see register): a session that registers from
        // now on asks itself to move, so none is missed, neither noticed nor closed at the deadline.
        // Those that come late hint at the spread for the count present now.
        drainingWithin = schedule.reconnectWithin(size());
        VarHandle.fullFence();
        List<RegisteredSession> present = all();
        int count = present.size();
        Duration within = schedule.reconnectWithin(count);
        for (int i = 0; i < count; i++) {
            present.get(i).drain(schedule.delay(i, count), within, untilDeadline());
        }
        completeIfEmpty();
        return count;
    }

    /**
     * Completes once a drain has begun and no session is left, nor any connection still authenticating
     * (it would register a session, which the drain asks to move at once).
     */
    public CompletableFuture<Void> whenEmpty() {
        return empty;
    }

    private List<RegisteredSession> all() {
        return byUser.values().stream().flatMap(Set::stream).toList();
    }

    @Override
    public void deliver(List<Long> userIds, byte[] event) {
        for (long userId : userIds) {
            Set<RegisteredSession> sessions = byUser.get(userId);
            if (sessions != null) {
                sessions.forEach(session -> session.pushEvent(event));
            }
        }
    }

    @Override
    public void revoke(Revocation revocation) {
        revocations.add(revocation);
        Set<RegisteredSession> sessions = byUser.get(revocation.getUserId());
        if (sessions != null) {
            sessions.forEach(session -> session.revokeIf(revocation));
        }
    }

    /**
     * The shard map changed: every session checks, on its own event loop, whether its couple now has
     * another owner, and if so moves its stream there at once (rather than waiting for the old owner,
     * which may be dead or paused, to close it).
     */
    public void routesChanged() {
        byUser.values().forEach(sessions -> sessions.forEach(RegisteredSession::routesChanged));
    }

    /** How many client sessions are connected. */
    public int size() {
        return byUser.values().stream().mapToInt(Set::size).sum();
    }
}
