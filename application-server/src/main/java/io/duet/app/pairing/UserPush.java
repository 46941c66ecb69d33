package io.duet.app.pairing;

import io.duet.protocol.api.Event;
import java.util.Collection;

/**
 * Delivers an event to every session of some users, wherever they are connected; used where no couple
 * stream exists yet. Best effort: a user who is offline learns the news at the next log-in.
 */
public interface UserPush {
    void push(Collection<Long> userIds, Event event);
}
