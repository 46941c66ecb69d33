package io.duet.app.couple;

import io.duet.protocol.api.Event;
import io.duet.protocol.api.Message;
import io.duet.protocol.thrift.ThriftCodec;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Where a couple's events go, each to every way of receiving them: the TCP sessions ({@link Delivery}), the
 * event feed's polls ({@link EventFeed}) and the HTTP subscribe polls waiting for a message ({@link
 * ParkedPolls}). The actor's parts report what happened here, once. Confined to the couple's executor.
 */
final class CoupleEvents {
    private static final ThriftCodec EVENTS = ThriftCodec.INTERNAL;

    private final Delivery delivery;
    private final ParkedPolls messagePolls;
    /** Set once, by the actor's constructor (the feed reads parts made after this). */
    private EventFeed feed;

    CoupleEvents(Delivery delivery, ParkedPolls messagePolls) {
        this.delivery = delivery;
        this.messagePolls = messagePolls;
    }

    void feed(EventFeed feed) {
        this.feed = feed;
    }

    /** Messages were committed, in order. */
    void committed(List<Message> messages, long committedNanos) {
        delivery.broadcast(messages, committedNanos);
        messagePolls.wakeAll();
        feed.committed(messages);
    }

    /** A message changed: change {@code change} of the couple. */
    void changed(Message message, long change) {
        delivery.changed(message, change);
        feed.changed(message, change);
    }

    /** An event for both partners. */
    void toAll(Event event) {
        delivery.pushToAll(EVENTS.encode(event));
        feed.pushed(event, 0);
    }

    /** An encoded event for the partner of {@code userId} only (typing). */
    void toPartnerOf(long userId, byte[] event) {
        delivery.pushToOthers(userId, event);
        feed.pushed(event, userId);
    }

    /** Completes when a message is committed, or after {@code waitMillis} (an HTTP subscribe's long poll). */
    CompletableFuture<Void> nextMessage(long userId, long waitMillis) {
        return messagePolls.park(userId, waitMillis);
    }

    /** The couple is unloaded: sessions are told to route again, and polls return. */
    void close(String reason) {
        delivery.moveAll(reason);
        messagePolls.wakeAll();
        feed.close();
    }
}
