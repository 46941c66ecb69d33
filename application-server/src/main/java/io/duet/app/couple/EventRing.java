package io.duet.app.couple;

import io.duet.protocol.api.Event;
import io.duet.protocol.api.Message;
import io.duet.protocol.api.MessageChangedEvent;
import io.duet.protocol.api.MessageEvent;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The couple's newest events, in the order its sessions were pushed them, numbered from 1: what a poll of
 * {@code FeedService} returns after its cursor ({@link EventFeed}). At most {@code capacity}; older ones are
 * dropped. The ring is this actor's memory only: its {@link #id()} is chosen at random when the couple is
 * loaded, so a cursor from another owner's memory (after a shard move or a reload) is told apart from one
 * that fell behind, and both from a cursor the ring holds ({@link #holds}). Messages and message changes
 * are kept too (with their sequence and change numbers), so that a poll returns every event in order; a
 * poller whose ring cursor is lost reads those from its durable cursors instead. Confined to the couple's
 * executor.
 */
final class EventRing {
    /**
     * One event. {@code exceptUser}: not for that user's devices (a typing notice goes to the partner only),
     * 0 for both partners. {@code seq} is a message's sequence number, {@code change} a message change's
     * number; 0 for the other events.
     */
    record Entry(long number, Event event, long exceptUser, long seq, long change) {
    }

    private final long id;
    private final int capacity;
    private final ArrayDeque<Entry> entries;
    private long last;

    /** @param id names this ring among all rings of the couple, anywhere (nonzero, chosen at random) */
    EventRing(long id, int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity: " + capacity + " (expected: >= 1)");
        }
        this.id = id;
        this.capacity = capacity;
        this.entries = new ArrayDeque<>(Math.min(capacity, 16));
    }

    long id() {
        return id;
    }

    /** The number of the newest event; 0 before the first. */
    long last() {
        return last;
    }

    /** An event for both partners, or for the partner of {@code exceptUser} only (nonzero). */
    void add(Event event, long exceptUser) {
        append(event, exceptUser, 0, 0);
    }

    /** A committed message. */
    void message(Message message) {
        append(Event.message(new MessageEvent(message)), 0, message.getSeq(), 0);
    }

    /** The couple's change {@code change} of a message: {@code message} is its state now. */
    void changed(Message message, long change) {
        append(Event.messageChanged(new MessageChangedEvent(message).setChange(change)), 0, message.getSeq(), change);
    }

    private void append(Event event, long exceptUser, long seq, long change) {
        entries.addLast(new Entry(++last, event, exceptUser, seq, change));
        if (entries.size() > capacity) {
            entries.removeFirst();
        }
    }

    /**
     * Whether the ring has every event after {@code afterEvent}, a cursor of this ring: false if it fell
     * behind (the events after it were dropped) or names an event this ring never had.
     */
    boolean holds(long afterEvent) {
        long oldest = last - entries.size() + 1;
        return afterEvent >= oldest - 1 && afterEvent <= last;
    }

    /**
     * Whether the events after {@code afterEvent} (a cursor the ring {@link #holds}) carry every message after
     * {@code afterSeq} and every change after {@code afterChange}, given the couple's newest ones: then a
     * poll returns them from the ring; else it reads them from storage first ({@link EventFeed}).
     */
    boolean carriesAfter(long afterEvent, long afterSeq, long afterChange, long lastSeq, long lastChange) {
        boolean messages = lastSeq <= afterSeq;
        boolean changes = lastChange <= afterChange;
        for (Iterator<Entry> it = entries.descendingIterator(); it.hasNext() && !(messages && changes); ) {
            Entry entry = it.next();
            if (entry.number <= afterEvent) {
                break;
            }
            messages |= entry.change == 0 && entry.seq == afterSeq + 1;
            changes |= entry.change == afterChange + 1;
        }
        return messages && changes;
    }

    /** What a poll gets from the ring: its events, and its cursors after them. */
    record Read(List<Event> events, long afterSeq, long afterChange, long afterEvent) {
    }

    /**
     * The events after {@code afterEvent} (a cursor the ring {@link #holds}) for {@code userId}, at most {@code
     * max}: the messages after {@code afterSeq} (those sent from {@code noEchoDevice}, when not null, left out),
     * the changes after {@code afterChange} of messages the poller has, and the other events meant for it.
     * The cursors move past what is left out too.
     */
    Read read(long userId, String noEchoDevice, long afterSeq, long afterChange, long afterEvent, int max) {
        long seq = afterSeq;
        long change = afterChange;
        long at = afterEvent;
        List<Event> events = new ArrayList<>();
        for (Entry entry : entries) {
            if (entry.number <= at) {
                continue;
            }
            if (events.size() >= max) {
                break;
            }
            at = entry.number;
            if (entry.change != 0) {
                if (entry.change <= change) {
                    continue;
                }
                change = entry.change;
                if (entry.seq > seq) {
                    continue; // the message comes later, as it is now
                }
            } else if (entry.seq != 0) {
                if (entry.seq <= seq) {
                    continue;
                }
                seq = entry.seq;
                Message message = entry.event.getMessage().getMessage();
                if (noEchoDevice != null && message.getSenderId() == userId
                        && noEchoDevice.equals(message.getSenderDeviceId())) {
                    continue;
                }
            } else if (entry.exceptUser == userId) {
                continue;
            }
            events.add(entry.event);
        }
        return new Read(events, seq, change, at);
    }

    int size() {
        return entries.size();
    }
}
