package io.duet.client.internal;

import io.duet.client.ConnectionState;
import io.duet.protocol.api.Event;
import io.duet.client.DuetListener;
import io.duet.protocol.api.Message;
import io.duet.protocol.api.MessageChangedEvent;
import io.duet.protocol.api.MessageChangesLostEvent;
import io.duet.protocol.api.MessageKind;
import io.duet.protocol.api.SendMessageRequest;
import io.duet.protocol.api.SendMessageResult;
import io.duet.protocol.api.SubscribeResult;
import io.duet.protocol.thrift.MalformedPayloadException;
import io.duet.protocol.thrift.ThriftCodec;
import io.netty.channel.EventLoop;
import java.util.TreeMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The events the server pushes, handed to the listener. Messages are delivered exactly once and in
 * sequence order: {@code deliveredSeq} is the last one handed to the listener with none missing before it
 * (where the next subscribe resumes), an early message is held until the gap before it fills, and a gap
 * still open after two seconds makes the session resubscribe. A range the server says it lost is taken as
 * seen. Changes of messages (edits, deletes) go to the listener once each: {@code deliveredChange} is the
 * highest change number handed over, sent with every subscribe so that the server replays the changes
 * missed while away. What the app persists, {@link #lastSeq()} and {@link #lastChange()}, moves only once
 * the listener returned ({@link HandledCursors}); after a listener that threw, the next subscribe resumes
 * from there, so that the event is given again. Typing and partner-joined events go straight to the
 * listener; each message is also shown to the {@link SendPipeline}, since our own message coming back
 * acknowledges its send.
 *
 * <p><b>Our own messages</b> come from the replies to our sends ({@link #ownMessageStored}): the session
 * subscribes with {@code noEcho}, so the server pushes our messages to our other devices but not back to
 * this session. Such a
 * message is seen like one pushed, so it counts towards {@code deliveredSeq} where it falls: an own message
 * acknowledged before the partner's message just before it arrived is held like an early one, and is
 * no gap. A catch-up after a reconnect replays our own messages too (their replies may have been lost),
 * and each is delivered once, whichever way it came first.
 *
 * <p>Confined to the session's event loop, except {@link #lastSeq()} and {@link #lastChange()}, which the
 * application may read from any thread.
 */
final class Delivery {
    private static final Logger LOG = LoggerFactory.getLogger(Delivery.class);
    private static final ThriftCodec CODEC = ThriftCodec.INTERNAL;
    private static final long GAP_RESUBSCRIBE_MILLIS = 2000;

    private final EventLoop loop;
    private final ListenerCallbacks listeners;
    private final SendPipeline sends;
    private final SessionLifecycle lifecycle;

    // Confined to the loop.
    private long deliveredSeq;
    /** The highest change number handed over ({@code MessageChangedEvent.change}): the next subscribe's afterChange. */
    private long deliveredChange;
    private final HandledCursors handled;
    private final TreeMap<Long, Message> outOfOrder = new TreeMap<>();
    private ScheduledFuture<?> gapCheck;

    Delivery(EventLoop loop, long lastSeq, ListenerCallbacks listeners, SendPipeline sends,
            SessionLifecycle lifecycle) {
        this.loop = loop;
        this.deliveredSeq = lastSeq;
        this.handled = new HandledCursors(lastSeq, 0);
        this.listeners = listeners;
        this.sends = sends;
        this.lifecycle = lifecycle;
    }

    /** The last sequence number the listener handled (returned from) with none missing before it; any thread. */
    long lastSeq() {
        return handled.seq();
    }

    /** The highest change number the listener handled; any thread. */
    long lastChange() {
        return handled.change();
    }

    /** Before the session starts: the app already applied the changes up to {@code lastChange}. */
    void startChangesAfter(long lastChange) {
        this.deliveredChange = lastChange;
        handled.startChangesAfter(lastChange);
    }

    /**
     * Right before a subscribe: if the listener threw since the last one, what was handed over is rewound to
     * what the listener handled, so that the subscribe ({@link #deliveredSeq()}, {@link #deliveredChange()})
     * has the server give the failed event again; the cursors move again from the replay on.
     */
    void beforeSubscribe() {
        if (handled.stopped()) {
            LOG.info("The listener failed on an event; resuming after message {} and change {}, which it handled",
                    handled.seq(), handled.change());
            deliveredSeq = handled.seq();
            deliveredChange = handled.change();
            listeners.then(handled::replayStarts);
        }
    }

    /** Where the next subscribe resumes: the last message handed over with none missing before it. */
    long deliveredSeq() {
        return deliveredSeq;
    }

    /** The next subscribe's afterChange: the highest change handed over. */
    long deliveredChange() {
        return deliveredChange;
    }

    /**
     * A subscribe succeeded: the changes pushed before its result (the replay of those missed) are applied,
     * and the messages after the point it resumed from come as they are now, so the cursor is at least the
     * couple's newest change then. A server that does not number changes says nothing.
     */
    void subscribed(SubscribeResult result) {
        if (result.isSetLatestChange()) {
            long latest = result.getLatestChange();
            deliveredChange = Math.max(deliveredChange, latest);
            // Behind the replayed changes: handled once the listener has handled them.
            listeners.then(() -> handled.handled(0, latest, true));
        }
    }

    void onEvent(byte[] payload) {
        Event event;
        try {
            event = CODEC.decode(payload, new Event());
        } catch (MalformedPayloadException e) {
            LOG.warn("Ignoring an unreadable event: {}", e.getMessage());
            return;
        }
        if (event.getSetField() == null) {
            return;
        }
        switch (event.getSetField()) {
            case MESSAGE:
                onMessage(event.getMessage().getMessage());
                break;
            case MESSAGES_MISSING:
                onMessagesMissing(event.getMessagesMissing().getFromSeq(), event.getMessagesMissing().getToSeq());
                break;
            case PARTNER_JOINED:
                listeners.post(l -> l.onPartnerJoined(event.getPartnerJoined().getCoupleId(),
                        event.getPartnerJoined().getPartner()));
                lifecycle.partnerJoined();
                break;
            case MESSAGE_CHANGED:
                onMessageChanged(event.getMessageChanged());
                break;
            case MESSAGE_CHANGES_LOST:
                onChangesLost(event.getMessageChangesLost());
                break;
            default:
                listeners.post(l -> EventCallbacks.deliver(event, l));
                break;
        }
    }

    /** Our own message, stored as the reply to its send says: delivered like one pushed. */
    void ownMessageStored(SendMessageRequest request, SendMessageResult result) {
        Message message = new Message()
                .setSeq(result.getSeq())
                .setClientMessageId(request.getClientMessageId())
                .setSenderId(lifecycle.userId())
                .setSenderDeviceId(lifecycle.deviceId())
                .setSentAtMillis(result.getSentAtMillis())
                .setText(request.getText());
        if (request.isSetSticker()) {
            message.setKind(MessageKind.STICKER).setSticker(request.getSticker()).setText("");
        } else {
            message.setKind(MessageKind.TEXT);
        }
        onMessage(message);
    }

    /**
     * A change of a message held for a gap replaces it there: the listener gets the message as it is now, once.
     * A numbered change at or below the cursor was applied already (heard live before a resubscribe replayed
     * it): dropped, so that each change reaches the listener once.
     */
    private void onMessageChanged(MessageChangedEvent event) {
        Message changed = event.getMessage();
        if (event.isSetChange()) {
            if (event.getChange() <= deliveredChange) {
                return;
            }
            deliveredChange = event.getChange();
        }
        long change = event.isSetChange() ? event.getChange() : 0;
        if (outOfOrder.containsKey(changed.getSeq())) {
            outOfOrder.put(changed.getSeq(), changed);
        } else {
            listeners.post(l -> l.onMessageChanged(changed), normally -> handled.handled(0, change, normally));
        }
    }

    /**
     * The server no longer keeps the changes after our cursor up to {@code oldestKept - 1}: some changes of
     * messages we have may be missed. The app refetches what it shows; the kept changes follow.
     */
    private void onChangesLost(MessageChangesLostEvent lost) {
        LOG.warn("The server no longer keeps the message changes after {} (it keeps those from {}); the app is told to "
                + "fetch its history again", lost.getAfterChange(), lost.getOldestKept());
        long restart = Math.max(0, lost.getOldestKept() - 1);
        deliveredChange = restart;
        listeners.post(DuetListener::onMessageChangesLost, normally -> handled.changesRestart(restart, normally));
    }

    /** Delivers messages exactly once and in sequence order, holding early ones until the gap fills. */
    private void onMessage(Message message) {
        long seq = message.getSeq();
        sends.acknowledgeIfOurs(message, lifecycle.userId());
        if (seq <= deliveredSeq) {
            return;
        }
        if (seq > deliveredSeq + 1) {
            outOfOrder.put(seq, message);
            if (gapCheck == null) {
                gapCheck = loop.schedule(this::resubscribeIfGap, GAP_RESUBSCRIBE_MILLIS, TimeUnit.MILLISECONDS);
            }
            return;
        }
        deliver(message);
        deliverHeld();
    }

    /** Delivers the held messages that now follow on. */
    private void deliverHeld() {
        while (!outOfOrder.isEmpty() && outOfOrder.firstKey() <= deliveredSeq + 1) {
            Message next = outOfOrder.pollFirstEntry().getValue();
            if (next.getSeq() == deliveredSeq + 1) {
                deliver(next);
            }
        }
    }

    /**
     * The server lost these messages and says so where they would have come: take them as seen, rather
     * than resubscribe for them forever. (Out of place, it is ignored; the gap check then resubscribes.)
     */
    private void onMessagesMissing(long from, long to) {
        if (from > deliveredSeq + 1 || to <= deliveredSeq) {
            return;
        }
        LOG.warn("The server lost messages {} to {}; going on after them", from, to);
        deliveredSeq = to;
        listeners.post(l -> l.onMessagesMissing(from, to), normally -> handled.handled(to, 0, normally));
        deliverHeld();
    }

    private void deliver(Message message) {
        long seq = message.getSeq();
        deliveredSeq = seq;
        listeners.post(l -> l.onMessage(message), normally -> handled.handled(seq, 0, normally));
    }

    private void resubscribeIfGap() {
        gapCheck = null;
        if (!outOfOrder.isEmpty() && lifecycle.state() == ConnectionState.CONNECTED) {
            LOG.info("Messages after {} arrived out of order; resubscribing", deliveredSeq);
            outOfOrder.clear();
            lifecycle.subscribe();
        }
    }
}
