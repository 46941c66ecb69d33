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
 * sequence order: {@link #lastSeq()} is the last one delivered with none missing before it (where the
 * next subscribe resumes), an early message is held until the gap before it fills, and a gap still
 * open after two seconds makes the session resubscribe. A range the server says it lost is taken as
 * seen. Changes of messages (edits, deletes) go to the listener once each: {@link #lastChange()} is the
 * highest change number applied, sent with every subscribe so that the server replays the changes missed
 * while away. Typing and partner-joined events go straight to the listener; each message is also shown to
 * the {@link SendPipeline}, since our own message coming back acknowledges its send.
 *
 * <p><b>Our own messages</b> come from the replies to our sends ({@link #ownMessageStored}): the session
 * subscribes with {@code noEcho}, so the server pushes our messages to our other devices but not back to
 * this session. Such a
 * message is seen like one pushed, so it counts towards {@link #lastSeq()} where it falls: an own message
 * acknowledged before the partner's message just before it arrived is held like an early one, and is
 * no gap. A catch-up after a reconnect replays our own messages too (their replies may have been lost),
 * and each is delivered once, whichever way it came first.
 *
 * <p>Confined to the session's event loop, except {@link #lastSeq()}, which the application may read
 * from any thread.
 */
final class Delivery {
    private static final Logger LOG = LoggerFactory.getLogger(Delivery.class);
    private static final ThriftCodec CODEC = ThriftCodec.INTERNAL;
    private static final long GAP_RESUBSCRIBE_MILLIS = 2000;

    private final EventLoop loop;
    private final ListenerCallbacks listeners;
    private final SendPipeline sends;
    private final SessionLifecycle lifecycle;

    // Confined to the loop (lastSeq and lastChange are also read, unsynchronized, by the application).
    private long lastSeq;
    /** The highest change number applied ({@code MessageChangedEvent.change}): the next subscribe's afterChange. */
    private long lastChange;
    private final TreeMap<Long, Message> outOfOrder = new TreeMap<>();
    private ScheduledFuture<?> gapCheck;

    Delivery(EventLoop loop, long lastSeq, ListenerCallbacks listeners, SendPipeline sends,
            SessionLifecycle lifecycle) {
        this.loop = loop;
        this.lastSeq = lastSeq;
        this.listeners = listeners;
        this.sends = sends;
        this.lifecycle = lifecycle;
    }

    long lastSeq() {
        return lastSeq;
    }

    long lastChange() {
        return lastChange;
    }

    /** Before the session starts: the app already applied the changes up to {@code lastChange}. */
    void startChangesAfter(long lastChange) {
        this.lastChange = lastChange;
    }

    /**
     * A subscribe succeeded: the changes pushed before its result (the replay of those missed) are applied,
     * and the messages after the point it resumed from come as they are now, so the cursor is at least the
     * couple's newest change then. A server that does not number changes says nothing.
     */
    void subscribed(SubscribeResult result) {
        if (result.isSetLatestChange()) {
            lastChange = Math.max(lastChange, result.getLatestChange());
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
            if (event.getChange() <= lastChange) {
                return;
            }
            lastChange = event.getChange();
        }
        if (outOfOrder.containsKey(changed.getSeq())) {
            outOfOrder.put(changed.getSeq(), changed);
        } else {
            listeners.post(l -> l.onMessageChanged(changed));
        }
    }

    /**
     * The server no longer keeps the changes after our cursor up to {@code oldestKept - 1}: some changes of
     * messages we have may be missed. The app refetches what it shows; the kept changes follow.
     */
    private void onChangesLost(MessageChangesLostEvent lost) {
        LOG.warn("The server no longer keeps the message changes after {} (it keeps those from {}); the app is told to "
                + "fetch its history again", lost.getAfterChange(), lost.getOldestKept());
        lastChange = Math.max(0, lost.getOldestKept() - 1);
        listeners.post(DuetListener::onMessageChangesLost);
    }

    /** Delivers messages exactly once and in sequence order, holding early ones until the gap fills. */
    private void onMessage(Message message) {
        long seq = message.getSeq();
        sends.acknowledgeIfOurs(message, lifecycle.userId());
        if (seq <= lastSeq) {
            return;
        }
        if (seq > lastSeq + 1) {
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
        while (!outOfOrder.isEmpty() && outOfOrder.firstKey() <= lastSeq + 1) {
            Message next = outOfOrder.pollFirstEntry().getValue();
            if (next.getSeq() == lastSeq + 1) {
                deliver(next);
            }
        }
    }

    /**
     * The server lost these messages and says so where they would have come: take them as seen, rather
     * than resubscribe for them forever. (Out of place, it is ignored; the gap check then resubscribes.)
     */
    private void onMessagesMissing(long from, long to) {
        if (from > lastSeq + 1 || to <= lastSeq) {
            return;
        }
        LOG.warn("The server lost messages {} to {}; going on after them", from, to);
        lastSeq = to;
        listeners.post(l -> l.onMessagesMissing(from, to));
        deliverHeld();
    }

    private void deliver(Message message) {
        lastSeq = message.getSeq();
        listeners.post(l -> l.onMessage(message));
    }

    private void resubscribeIfGap() {
        gapCheck = null;
        if (!outOfOrder.isEmpty() && lifecycle.state() == ConnectionState.CONNECTED) {
            LOG.info("Messages after {} arrived out of order; resubscribing", lastSeq);
            outOfOrder.clear();
            lifecycle.subscribe();
        }
    }
}
