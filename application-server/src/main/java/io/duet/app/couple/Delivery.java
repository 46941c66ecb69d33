package io.duet.app.couple;

import io.duet.app.internal.SerialExecutor;
import io.duet.protocol.api.Event;
import io.duet.protocol.api.Message;
import io.duet.protocol.api.MessageEvent;
import io.duet.protocol.thrift.ThriftCodec;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The couple's attached sessions and what they have been sent. A subscribed session first catches up
 * on every message after the sequence number it gave (from memory, or from HBase page by page), then
 * gets live messages, always in sequence order and without gaps. Confined to the couple's executor.
 */
final class Delivery {
    private static final Logger LOG = LoggerFactory.getLogger(Delivery.class);
    private static final ThriftCodec EVENTS = ThriftCodec.INTERNAL;
    private static final int CATCH_UP_PAGE = 500;

    private final long coupleId;
    private final SerialExecutor executor;
    private final CoupleLog log;
    private final Map<SessionStream, Subscription> sessions = new IdentityHashMap<>();

    Delivery(long coupleId, SerialExecutor executor, CoupleLog log) {
        this.coupleId = coupleId;
        this.executor = executor;
        this.log = log;
    }

    void attach(SessionStream stream) {
        if (stream.isOpen()) {
            sessions.putIfAbsent(stream, new Subscription(stream));
        }
    }

    /** Forgets a session; true if another session of the same user is still attached. */
    boolean detach(SessionStream stream) {
        sessions.remove(stream);
        return sessions.keySet().stream().anyMatch(s -> s.userId() == stream.userId());
    }

    boolean isEmpty() {
        return sessions.isEmpty();
    }

    /** Starts (or restarts) delivery to an attached session after {@code afterSeq}; false if not attached. */
    boolean subscribe(SessionStream stream, long afterSeq) {
        Subscription subscription = sessions.get(stream);
        if (subscription == null) {
            return false;
        }
        subscription.restartFrom(Math.max(0, Math.min(afterSeq, log.lastSeq())));
        int generation = subscription.generation;
        executor.execute(() -> catchUp(subscription, generation));
        return true;
    }

    private boolean current(Subscription subscription, int generation) {
        return sessions.get(subscription.stream) == subscription && subscription.generation == generation;
    }

    private void catchUp(Subscription subscription, int generation) {
        executor.checkInContext();
        if (!current(subscription, generation)) {
            return;
        }
        long oldestInMemory = log.oldestInMemory();
        if (subscription.delivered + 1 >= oldestInMemory) {
            for (Message message : log.inMemory(subscription.delivered + 1, log.lastSeq())) {
                subscription.push(message, encode(message));
            }
            subscription.live = true;
            return;
        }
        long from = subscription.delivered + 1;
        long to = oldestInMemory - 1;
        log.read(from, to, CATCH_UP_PAGE).whenCompleteAsync((messages, failure) -> {
            if (!current(subscription, generation)) {
                return;
            }
            if (failure != null) {
                LOG.warn("Catch-up of couple {} from {} failed: {}", coupleId, from, failure.toString());
                sessions.remove(subscription.stream);
                subscription.stream.moved("catch-up failed; resubscribe");
                return;
            }
            if (messages.isEmpty() || messages.get(0).getSeq() != from) {
                long missingTo = messages.isEmpty() ? to : messages.get(0).getSeq() - 1;
                // Committed but not in HBase: data loss. Say so loudly, with the range, and move on
                // rather than loop the client on a hole that will never fill.
                LOG.error("DATA LOSS: couple {} is missing committed messages {}..{} in HBase (last seq {}); "
                        + "skipping them for session of user {}", coupleId, from, missingTo, log.lastSeq(),
                        subscription.stream.userId());
                subscription.delivered = missingTo;
            }
            for (Message message : messages) {
                subscription.push(message, encode(message));
            }
            catchUp(subscription, generation);
        }, executor);
    }

    /** Delivers newly committed messages to every live subscription. */
    void broadcast(List<Message> messages) {
        for (Message message : messages) {
            byte[] event = encode(message);
            for (Subscription subscription : sessions.values()) {
                if (subscription.live && message.getSeq() > subscription.delivered) {
                    subscription.push(message, event);
                }
            }
        }
    }

    /** Pushes an event to every subscribed session except those of {@code exceptUserId}. */
    void pushToOthers(long exceptUserId, byte[] event) {
        for (Subscription subscription : sessions.values()) {
            if (subscription.subscribed && subscription.stream.userId() != exceptUserId) {
                subscription.stream.pushEvent(event);
            }
        }
    }

    /** Tells every session to route again, and forgets them all. */
    void moveAll(String reason) {
        for (SessionStream stream : sessions.keySet()) {
            stream.moved(reason);
        }
        sessions.clear();
    }

    private static byte[] encode(Message message) {
        return EVENTS.encode(Event.message(new MessageEvent(message)));
    }

    private static final class Subscription {
        final SessionStream stream;
        boolean subscribed;
        boolean live;
        long delivered;
        int generation;

        Subscription(SessionStream stream) {
            this.stream = stream;
        }

        void restartFrom(long afterSeq) {
            subscribed = true;
            live = false;
            delivered = afterSeq;
            generation++;
        }

        void push(Message message, byte[] event) {
            stream.pushEvent(event);
            delivered = message.getSeq();
        }
    }
}
