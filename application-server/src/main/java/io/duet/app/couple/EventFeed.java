package io.duet.app.couple;

import io.duet.app.internal.SerialExecutor;
import io.duet.app.storage.CoupleClosedException;
import io.duet.protocol.api.Event;
import io.duet.protocol.api.FeedPage;
import io.duet.protocol.api.HistoryPage;
import io.duet.protocol.api.Message;
import io.duet.protocol.api.MessageEvent;
import io.duet.protocol.api.MessagesMissingEvent;
import io.duet.protocol.api.MissingRange;
import io.duet.protocol.api.PollEventsRequest;
import io.duet.protocol.thrift.MalformedPayloadException;
import io.duet.protocol.thrift.ThriftCodec;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;

/**
 * {@code FeedService.pollEvents} for one couple: every event its TCP sessions are pushed, by polling. Confined
 * to the couple's executor.
 *
 * <p><b>Two sources.</b> The couple's recent events are kept in memory, in order ({@link EventRing}); a poll
 * whose ring cursor ({@code stream}, {@code afterEvent}) the ring holds, and whose durable cursors ({@code
 * afterSeq}, {@code afterChange}) the ring's events carry on from, gets the events after its cursor from
 * there, in the order they happened, messages and changes it has already left out. Any other poll (the first
 * one, one that fell behind the ring or came from another owner's memory, one more than a page of messages
 * behind) catches up from storage, as a TCP subscribe does: the changes after {@code afterChange} of the
 * messages it has ({@link MessageChanges#replay}), then a history page after {@code afterSeq}; its ring
 * cursor is kept if the ring still holds it, else set to the ring's newest event, with {@code eventsLost}
 * when the poller had a cursor (its memory-only events are gone: it reads that state again). The ring cursor
 * and the change cursor are taken in the replay's turn, before the history read: what is committed meanwhile
 * is in the ring after the cursor too, and the next poll leaves out what it already has, so nothing durable
 * is lost between the two sources.
 *
 * <p><b>Bounds.</b> A poll returns at most {@code maxEvents}; waits, parked, within the server's {@link
 * LongPolls} (its own {@link ParkedPolls}, woken by every event); the ring keeps {@link
 * LongPolls#ringEvents()} events.
 */
final class EventFeed {
    private static final ThriftCodec EVENTS = ThriftCodec.INTERNAL;

    /** A page of the couple's history after a sequence number, read within bounds ({@link HistoryReads}). */
    interface History {
        CompletableFuture<HistoryPage> after(long userId, long afterSeq, int limit);
    }

    private final CoupleLog log;
    private final MessageChanges changes;
    private final History history;
    private final Supplier<RuntimeException> closed;
    private final SerialExecutor executor;
    private final ParkedPolls parked;
    private final EventRing ring;

    /** @param closed why the couple no longer serves (the actor's closing cause); null while it does */
    EventFeed(SerialExecutor executor, ScheduledExecutorService timers, LongPolls bounds, CoupleLog log,
            MessageChanges changes, History history, Supplier<RuntimeException> closed) {
        this.ring = new EventRing(ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE), bounds.ringEvents());
        this.executor = executor;
        this.parked = new ParkedPolls(executor, timers, bounds);
        this.log = log;
        this.changes = changes;
        this.history = history;
        this.closed = closed;
    }

    // ---- what happened -------------------------------------------------------------------------------

    /** Messages were committed, in order. */
    void committed(List<Message> messages) {
        messages.forEach(ring::message);
        parked.wakeAll();
    }

    /** A message changed: change {@code change} of the couple. */
    void changed(Message message, long change) {
        ring.changed(message, change);
        parked.wakeAll();
    }

    /** An event for both partners, or (a nonzero {@code exceptUser}) for that user's partner only. */
    void pushed(Event event, long exceptUser) {
        ring.add(event, exceptUser);
        parked.wakeAll();
    }

    /** As {@link #pushed(Event, long)}, encoded. */
    void pushed(byte[] event, long exceptUser) {
        try {
            pushed(EVENTS.decode(event, new Event()), exceptUser);
        } catch (MalformedPayloadException e) {
            throw new IllegalStateException("an event the server encoded does not decode", e);
        }
    }

    /** The couple is unloaded: parked polls return. */
    void close() {
        parked.wakeAll();
    }

    // ---- polls ---------------------------------------------------------------------------------------

    /**
     * The events after the request's cursors for {@code userId}'s device {@code deviceId}: at most {@code
     * maxEvents}, waiting up to {@code waitMillis} for one if there is none.
     */
    CompletableFuture<FeedPage> poll(long userId, String deviceId, PollEventsRequest request, int maxEvents,
            long waitMillis) {
        FeedPage now = fromRing(userId, deviceId, request, maxEvents);
        if (now != null) {
            return idle(now, waitMillis) ? parkThenRead(userId, deviceId, request, maxEvents, waitMillis, now)
                    : CompletableFuture.completedFuture(now);
        }
        return catchUp(userId, request, maxEvents).thenCompose(caughtUp -> idle(caughtUp, waitMillis)
                ? parkThenRead(userId, deviceId, following(request, caughtUp), maxEvents, waitMillis, caughtUp)
                : CompletableFuture.completedFuture(caughtUp));
    }

    /** Nothing to tell yet, and the poller would wait. */
    private static boolean idle(FeedPage page, long waitMillis) {
        return waitMillis > 0 && page.getEvents().isEmpty() && !page.isHasMore() && !page.isEventsLost();
    }

    /** The request of the poll after {@code page}. */
    private static PollEventsRequest following(PollEventsRequest request, FeedPage page) {
        return new PollEventsRequest(page.getAfterSeq()).setAfterChange(page.getAfterChange())
                .setStream(page.getStream()).setAfterEvent(page.getAfterEvent()).setNoEcho(request.isNoEcho());
    }

    /**
     * Waits for the couple's next event (or the wait's end), then answers {@code request}; {@code idle} (the
     * answer so far) if the couple was unloaded meanwhile, as the next poll goes to its new owner.
     */
    private CompletableFuture<FeedPage> parkThenRead(long userId, String deviceId, PollEventsRequest request,
            int maxEvents, long waitMillis, FeedPage idle) {
        return parked.park(userId, waitMillis).thenCompose(woken -> {
            RuntimeException cause = closed.get();
            if (cause instanceof CoupleClosedException) {
                return CompletableFuture.failedFuture(cause);
            }
            if (cause != null) {
                return CompletableFuture.completedFuture(idle);
            }
            FeedPage then = fromRing(userId, deviceId, request, maxEvents);
            return then != null ? CompletableFuture.completedFuture(then) : catchUp(userId, request, maxEvents);
        });
    }

    /** The events after the request's cursors from the ring; null if the ring does not have them all. */
    FeedPage fromRing(long userId, String deviceId, PollEventsRequest request, int maxEvents) {
        if (!request.isSetStream() || request.getStream() != ring.id() || !request.isSetAfterEvent()
                || !ring.holds(request.getAfterEvent())) {
            return null;
        }
        long seq = request.getAfterSeq();
        long change = request.isSetAfterChange() ? request.getAfterChange() : changes.lastChange();
        if (!ring.carriesAfter(request.getAfterEvent(), seq, change, log.lastSeq(), changes.lastChange())) {
            return null;
        }
        EventRing.Read read = ring.read(userId, request.isNoEcho() ? deviceId : null, seq, change,
                request.getAfterEvent(), maxEvents);
        return new FeedPage(read.events(), read.afterSeq(), read.afterChange(), ring.id(), read.afterEvent(),
                read.afterEvent() < ring.last(), false);
    }

    /** Where a catch-up starts: the replayed changes, and the cursors taken in the replay's turn. */
    private record Start(long afterChange, List<Event> changed, long lastChange, long afterEvent) {
    }

    /**
     * The changes after the request's afterChange of the messages it has, then the messages after its
     * afterSeq, from storage (see the class comment).
     */
    private CompletableFuture<FeedPage> catchUp(long userId, PollEventsRequest request, int maxEvents) {
        boolean kept = request.isSetStream() && request.getStream() == ring.id() && request.isSetAfterEvent()
                && ring.holds(request.getAfterEvent());
        boolean lost = request.isSetStream() && !kept;
        long afterSeq = Math.max(0, Math.min(request.getAfterSeq(), log.lastSeq()));
        CompletableFuture<Long> afterChange = request.isSetAfterChange()
                ? CompletableFuture.completedFuture(request.getAfterChange()) : changes.loadedLastChange();
        return afterChange.thenCompose(from -> changes.replay(from, afterSeq, encoded -> new Start(from,
                        decode(encoded), changes.lastChange(), kept ? request.getAfterEvent() : ring.last())))
                .thenCompose(start -> {
                    if (start.changed.size() >= maxEvents) {
                        List<Event> some = start.changed.subList(0, maxEvents);
                        return CompletableFuture.completedFuture(new FeedPage(new ArrayList<>(some), afterSeq,
                                lastChangeOf(start.afterChange, some), ring.id(), start.afterEvent, true, lost));
                    }
                    int limit = Math.min(maxEvents - start.changed.size(), LongPolls.PAGE);
                    return history.after(userId, afterSeq, limit).thenApplyAsync(page -> {
                        List<Event> events = new ArrayList<>(start.changed);
                        addMessages(events, page);
                        long seq = page.isSetNextCursor() ? Math.max(afterSeq, page.getNextCursor()) : afterSeq;
                        return new FeedPage(events, seq, start.lastChange, ring.id(), start.afterEvent,
                                page.isHasMore() || ring.last() > start.afterEvent, lost);
                    }, executor);
                });
    }

    /** The change cursor after {@code some}, the first of the replayed changes. */
    private static long lastChangeOf(long afterChange, List<Event> some) {
        long change = afterChange;
        for (Event event : some) {
            if (event.isSetMessageChanged()) {
                change = event.getMessageChanged().getChange();
            } else if (event.isSetMessageChangesLost()) {
                change = Math.max(change, event.getMessageChangesLost().getOldestKept() - 1);
            }
        }
        return change;
    }

    /** The page's messages, and its lost ranges in their places (MessagesMissingEvent), in sequence order. */
    private static void addMessages(List<Event> events, HistoryPage page) {
        Iterator<MissingRange> missing = page.isSetMissing() ? page.getMissing().iterator() : null;
        MissingRange next = missing != null && missing.hasNext() ? missing.next() : null;
        for (Message message : page.getMessages()) {
            while (next != null && next.getFromSeq() < message.getSeq()) {
                events.add(Event.messagesMissing(new MessagesMissingEvent(next.getFromSeq(), next.getToSeq())));
                next = missing.hasNext() ? missing.next() : null;
            }
            events.add(Event.message(new MessageEvent(message)));
        }
        while (next != null) {
            events.add(Event.messagesMissing(new MessagesMissingEvent(next.getFromSeq(), next.getToSeq())));
            next = missing.hasNext() ? missing.next() : null;
        }
    }

    private static List<Event> decode(List<byte[]> encoded) {
        List<Event> events = new ArrayList<>(encoded.size());
        for (byte[] bytes : encoded) {
            try {
                events.add(EVENTS.decode(bytes, new Event()));
            } catch (MalformedPayloadException e) {
                throw new IllegalStateException("an event the server encoded does not decode", e);
            }
        }
        return events;
    }
}
