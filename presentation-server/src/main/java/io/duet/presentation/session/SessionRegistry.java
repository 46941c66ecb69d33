package io.duet.presentation.session;

import io.duet.presentation.relay.UserEvents;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/** The authenticated sessions on this server by user, for events addressed to users rather than streams. */
public final class SessionRegistry implements UserEvents {
    private final ConcurrentMap<Long, Set<SessionRelayHandler>> byUser = new ConcurrentHashMap<>();

    void register(long userId, SessionRelayHandler session) {
        byUser.computeIfAbsent(userId, id -> ConcurrentHashMap.newKeySet()).add(session);
    }

    void unregister(long userId, SessionRelayHandler session) {
        byUser.computeIfPresent(userId, (id, sessions) -> {
            sessions.remove(session);
            return sessions.isEmpty() ? null : sessions;
        });
    }

    @Override
    public void deliver(List<Long> userIds, byte[] event) {
        for (long userId : userIds) {
            Set<SessionRelayHandler> sessions = byUser.get(userId);
            if (sessions != null) {
                sessions.forEach(session -> session.pushEvent(event));
            }
        }
    }

    /**
     * The shard map changed: every session checks, on its own event loop, whether its couple now has
     * another owner, and if so moves its stream there at once (rather than waiting for the old owner,
     * which may be dead or paused, to close it).
     */
    public void routesChanged() {
        byUser.values().forEach(sessions -> sessions.forEach(SessionRelayHandler::routesChanged));
    }

    /** How many client sessions are connected. */
    public int size() {
        return byUser.values().stream().mapToInt(Set::size).sum();
    }
}
