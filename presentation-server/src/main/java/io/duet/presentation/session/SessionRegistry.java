package io.duet.presentation.session;

import io.duet.presentation.auth.Revocations;
import io.duet.presentation.relay.UserEvents;
import io.duet.protocol.relay.Revocation;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
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
    /**
     * The sessions of each user with any, as an array replaced whole on every change (a user has one to a
     * few sessions, and an array of one costs a fraction of a set): readers iterate a snapshot.
     */
    private final ConcurrentMap<Long, RegisteredSession[]> byUser = new ConcurrentHashMap<>();
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
        byUser.merge(userId, new RegisteredSession[] {session}, SessionRegistry::with);
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
        byUser.computeIfPresent(userId, (id, sessions) -> without(sessions, session));
        completeIfEmpty();
    }

    /** {@code sessions} and the one session of {@code added}, unless it is there already. */
    private static RegisteredSession[] with(RegisteredSession[] sessions, RegisteredSession[] added) {
        for (RegisteredSession session : sessions) {
            if (session == added[0]) {
                return sessions;
            }
        }
        RegisteredSession[] more = Arrays.copyOf(sessions, sessions.length + 1);
        more[sessions.length] = added[0];
        return more;
    }

    /** {@code sessions} less {@code removed}; null when none is left. */
    private static RegisteredSession[] without(RegisteredSession[] sessions, RegisteredSession removed) {
        int at = -1;
        for (int i = 0; i < sessions.length; i++) {
            if (sessions[i] == removed) {
                at = i;
            }
        }
        if (at < 0) {
            return sessions;
        }
        if (sessions.length == 1) {
            return null;
        }
        RegisteredSession[] fewer = new RegisteredSession[sessions.length - 1];
        System.arraycopy(sessions, 0, fewer, 0, at);
        System.arraycopy(sessions, at + 1, fewer, at, sessions.length - at - 1);
        return fewer;
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
        return byUser.values().stream().flatMap(Arrays::stream).toList();
    }

    @Override
    public void deliver(List<Long> userIds, byte[] event) {
        for (long userId : userIds) {
            RegisteredSession[] sessions = byUser.get(userId);
            if (sessions != null) {
                for (RegisteredSession session : sessions) {
                    session.pushEvent(event);
                }
            }
        }
    }

    @Override
    public void revoke(Revocation revocation) {
        revocations.add(revocation);
        RegisteredSession[] sessions = byUser.get(revocation.getUserId());
        if (sessions != null) {
            for (RegisteredSession session : sessions) {
                session.revokeIf(revocation);
            }
        }
    }

    /**
     * The shard map changed: every session checks, on its own event loop, whether its couple now has
     * another owner, and if so moves its stream there at once (rather than waiting for the old owner,
     * which may be dead or paused, to close it).
     */
    public void routesChanged() {
        byUser.values().forEach(sessions -> {
            for (RegisteredSession session : sessions) {
                session.routesChanged();
            }
        });
    }

    /** How many client sessions are connected. */
    public int size() {
        return byUser.values().stream().mapToInt(sessions -> sessions.length).sum();
    }
}
