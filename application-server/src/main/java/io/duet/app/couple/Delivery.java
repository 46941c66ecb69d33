package io.duet.app.couple;

import io.duet.app.internal.SerialExecutor;
import io.duet.process.metrics.FanOutLag;
import io.duet.protocol.api.Event;
import io.duet.protocol.api.Message;
import io.duet.protocol.api.MessageEvent;
import io.duet.protocol.api.MessagesMissingEvent;
import io.duet.protocol.thrift.ThriftCodec;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The couple's attached sessions and what they have been sent. A subscribed session first catches up
 * on every message after the sequence number it gave, then gets live messages, always in sequence order
 * and without gaps. Confined to the couple's executor.
 *
 * <p><b>Catch-up is a replay paced by the client.</b> Each replayed event is pushed only while the
 * session's stream {@linkplain SessionStream#canReplay() has credit} (the client drained what it was
 * sent); otherwise the replay waits for credit and resumes where it stopped. Live events are pushed at
 * once, never behind a replay: a session turns live only when its replay has reached the newest message.
 *
 * <p><b>Catch-up reads are bounded.</b> The newest messages come from memory ({@link CoupleLog}); older
 * ones from HBase in pages, with at most one read in flight for the couple, each waiting its turn among
 * the server's reads ({@link CatchUpReads}). The last {@value #KEPT_PAGES} pages read, with their
 * encoded events, are kept while a session still catches up, so that sessions replaying the same range
 * (both partners resuming from 0) share them instead of reading it twice. A page holds at most {@code
 * pageMessages} messages, and its count is steered by the mean size of the last page's messages to
 * about {@code pageBytes}.
 *
 * <p><b>No echo.</b> A session that subscribed with {@code noEcho} is not sent the messages it was
 * {@linkplain #acknowledged acknowledged} itself: the reply to its send carried the sequence number, and
 * its client puts its own message in its timeline from that. Every other session gets them, the sender's
 * other devices included. A session that subscribes again (it may have lost the reply) is sent
 * everything after the point it names, its own messages too. A client that does not ask (one from
 * before) gets every message, as before.
 *
 * <p><b>Missing messages.</b> A committed range that HBase does not have is data loss: it is logged as
 * an error with the couple and the range, counted ({@link CatchUpReads#missingRanges()}), and sent to
 * the session as a {@code MessagesMissingEvent} in its place. The replay goes on after it rather than
 * loop the client on a hole that will never fill. Memory never holds a hole ({@link CoupleLog#load} keeps
 * only the unbroken run of the newest messages), and a replay from memory that finds one anyway treats
 * it the same way.
 *
 * <p><b>Changed messages.</b> An edit or delete reaches the sessions that were sent the message as a
 * {@code MessageChangedEvent} with the change's number; a session that has not got that far yet gets the
 * message in its new state when its replay reaches it (the kept pages, and a page read meanwhile, are
 * patched). The changes a resuming session missed of the messages it has are pushed before it subscribes
 * ({@link MessageChanges#replay}).
 *
 * <p><b>Fan-out lag.</b> Each live push of a newly committed message is timed from the commit's
 * acknowledgement by HBase to the event handed to the session's relay stream ({@code
 * io.duet.process.metrics.FanOutLag}, stage {@code committed-to-relay}).
 */
final class Delivery {
    private static final Logger LOG = LoggerFactory.getLogger(Delivery.class);
    private static final ThriftCodec EVENTS = ThriftCodec.INTERNAL;
    private static final int KEPT_PAGES = 2;
    /**
     * Acknowledged sequence numbers a session may have waiting to be skipped; beyond this (more sends in
     * flight on one session than a presentation server lets through) it gets the rest echoed, which its
     * client drops as already seen.
     */
    static final int MAX_ACKNOWLEDGED_AHEAD = 256;
    /** A fan-out lag timer that keeps nothing: for couples made without a server's meters (tests, warm-up). */
    static final Timer UNMEASURED = FanOutLag.timer(new CompositeMeterRegistry(), FanOutLag.COMMITTED_TO_RELAY);

    private final long coupleId;
    private final SerialExecutor executor;
    private final CoupleLog log;
    private final CatchUpReads reads;
    private final Timer fanOutLag;
    private final Map<SessionStream, Subscription> sessions = new IdentityHashMap<>();
    /** The last pages read from HBase, oldest first; empty when no session catches up. */
    private final ArrayDeque<Page> pages = new ArrayDeque<>();
    private boolean reading;
    /** Messages changed while a page read is in flight: that page may hold their old state. */
    private final Map<Long, Message> changedWhileReading = new HashMap<>();
    private int pageMessages;

    /** @param fanOutLag times each live push from its message's commit (see the class comment) */
    Delivery(long coupleId, SerialExecutor executor, CoupleLog log, CatchUpReads reads, Timer fanOutLag) {
        this.coupleId = coupleId;
        this.fanOutLag = fanOutLag;
        this.executor = executor;
        this.log = log;
        this.reads = reads;
        this.pageMessages = reads.limits.pageMessages;
    }

    void attach(SessionStream stream) {
        if (stream.isOpen()) {
            sessions.putIfAbsent(stream, new Subscription(stream));
        }
    }

    /** Forgets a session; true if another session of the same user is still attached. */
    boolean detach(SessionStream stream) {
        sessions.remove(stream);
        dropPagesIfUnused();
        return hasSessionOf(stream.userId());
    }

    boolean isEmpty() {
        return sessions.isEmpty();
    }

    /** Whether a session of {@code userId} is attached: one of their devices is connected. */
    boolean hasSessionOf(long userId) {
        return sessions.keySet().stream().anyMatch(s -> s.userId() == userId);
    }

    /**
     * Whether a session of {@code userId} is attached whose client is not quiet ({@link
     * SessionStream#isClientQuiet()}): one of their devices is connected and was heard from lately.
     */
    boolean hasLiveSessionOf(long userId) {
        return sessions.keySet().stream().anyMatch(s -> s.userId() == userId && !s.isClientQuiet());
    }

    /**
     * Starts (or restarts) delivery to an attached session after {@code afterSeq}, without echo if {@code
     * noEcho}; false if not attached.
     */
    boolean subscribe(SessionStream stream, long afterSeq, boolean noEcho) {
        Subscription subscription = sessions.get(stream);
        if (subscription == null) {
            return false;
        }
        subscription.restartFrom(Math.max(0, Math.min(afterSeq, log.lastSeq())), noEcho);
        // After the subscribe reply, which the caller sends from this task.
        executor.execute(() -> replay(subscription));
        return true;
    }

    /**
     * Pushes what {@code subscription} misses, as far as its credit goes, and makes it live once it has
     * everything. Idempotent: it carries on from what was delivered, so a stale call does no harm.
     */
    private void replay(Subscription subscription) {
        executor.checkInContext();
        while (sessions.get(subscription.stream) == subscription && subscription.catchingUp()) {
            long from = subscription.delivered + 1;
            if (from > log.lastSeq()) {
                subscription.live = true;
                dropPagesIfUnused();
                return;
            }
            if (!subscription.stream.canReplay()) {
                subscription.stream.whenReplayable(() -> executor.execute(() -> replay(subscription)));
                return;
            }
            if (from >= log.oldestInMemory()) {
                replayFromMemory(subscription, from);
                continue;
            }
            Page page = pageHolding(from);
            if (page == null) {
                subscription.wantsPage = true;
                readPage(from);
                return;
            }
            replayFromPage(subscription, page);
        }
    }

    /**
     * Pushes the messages in memory from {@code from} on. Memory holds every message from {@link
     * CoupleLog#oldestInMemory()} to the last sequence number, so one it lacks is missing: reported and
     * skipped like a range missing from a page, and the replay always moves on.
     */
    private void replayFromMemory(Subscription subscription, long from) {
        for (Message message : log.inMemory(from, log.lastSeq())) {
            if (message.getSeq() > subscription.delivered + 1) {
                skipMissing(subscription, subscription.delivered + 1, message.getSeq() - 1);
            }
            subscription.pushMessage(message.getSeq(), encode(message));
            if (!subscription.stream.canReplay()) {
                return;
            }
        }
        if (subscription.delivered < log.lastSeq()) {
            skipMissing(subscription, subscription.delivered + 1, log.lastSeq());
        }
    }

    private void replayFromPage(Subscription subscription, Page page) {
        for (int i = page.indexOf(subscription.delivered + 1); ; i++) {
            long next = i < page.messages.size() ? page.messages.get(i).getSeq() : page.to + 1;
            if (next > subscription.delivered + 1) {
                skipMissing(subscription, subscription.delivered + 1, next - 1);
            }
            if (i >= page.messages.size()) {
                return;
            }
            subscription.pushMessage(next, page.events[i]);
            if (!subscription.stream.canReplay()) {
                return;
            }
        }
    }

    private void skipMissing(Subscription subscription, long from, long to) {
        long ranges = reads.missing(to - from + 1);
        // Committed but not in HBase: data loss. Say so loudly, with the range, and move on rather than
        // loop the client on a hole that will never fill.
        LOG.error("DATA LOSS: couple {} is missing committed messages {}..{} in HBase (last seq {}); skipping them "
                + "for a session of user {} ({} missing ranges, {} messages skipped on this server so far)", coupleId,
                from, to, log.lastSeq(), subscription.stream.userId(), ranges, reads.missingMessages());
        subscription.push(to, EVENTS.encode(Event.messagesMissing(new MessagesMissingEvent(from, to))));
    }

    private Page pageHolding(long seq) {
        for (Page page : pages) {
            if (page.from <= seq && seq <= page.to) {
                return page;
            }
        }
        return null;
    }

    /** Starts reading the page at {@code from}, unless the couple already has a read in flight. */
    private void readPage(long from) {
        if (reading) {
            return;
        }
        reading = true;
        long to = log.oldestInMemory() - 1;
        int limit = pageMessages;
        reads.read(log, from, to, limit).whenCompleteAsync((messages, failure) -> {
            reading = false;
            if (failure != null) {
                catchUpFailed(from, failure);
            } else {
                // Fewer than asked: the page covers the whole range, and whatever is absent is missing.
                long coveredTo = messages.size() < limit ? to : messages.get(messages.size() - 1).getSeq();
                Page page = new Page(from, coveredTo, messages);
                changedWhileReading.values().forEach(page::replace);
                keep(page);
            }
            changedWhileReading.clear();
            for (Subscription subscription : new ArrayList<>(sessions.values())) {
                if (subscription.wantsPage) {
                    subscription.wantsPage = false;
                    replay(subscription);
                }
            }
            dropPagesIfUnused();
        }, executor);
    }

    private void keep(Page page) {
        pages.addLast(page);
        while (pages.size() > KEPT_PAGES) {
            pages.removeFirst();
        }
        if (!page.messages.isEmpty()) {
            long bytes = 0;
            for (byte[] event : page.events) {
                bytes += event.length;
            }
            long mean = Math.max(1, bytes / page.events.length);
            pageMessages = (int) Math.max(1, Math.min(reads.limits.pageMessages, reads.limits.pageBytes / mean));
        }
    }

    private void catchUpFailed(long from, Throwable failure) {
        LOG.warn("Catch-up of couple {} from {} failed: {}", coupleId, from, failure.toString());
        for (Subscription subscription : new ArrayList<>(sessions.values())) {
            if (subscription.wantsPage) {
                subscription.wantsPage = false;
                sessions.remove(subscription.stream);
                subscription.stream.moved("catch-up failed; resubscribe");
            }
        }
    }

    private void dropPagesIfUnused() {
        if (!pages.isEmpty() && sessions.values().stream().noneMatch(Subscription::catchingUp)) {
            pages.clear();
        }
    }

    /**
     * {@code stream} was answered that its send is stored as {@code seq}: it is not to be sent that
     * message as an event (see the class comment). Call it before the message is {@linkplain #broadcast
     * broadcast}. Nothing changes for a session not subscribed with noEcho, or one already sent {@code seq}.
     */
    void acknowledged(SessionStream stream, long seq) {
        Subscription subscription = sessions.get(stream);
        if (subscription != null && subscription.subscribed) {
            subscription.acknowledged(seq);
        }
    }

    /**
     * Delivers newly committed messages to every live subscription, except each message to the session
     * it was acknowledged to.
     *
     * @param committedNanos when HBase acknowledged their commit ({@link System#nanoTime()})
     */
    void broadcast(List<Message> messages, long committedNanos) {
        for (Message message : messages) {
            byte[] event = encode(message);
            for (Subscription subscription : sessions.values()) {
                if (subscription.live && message.getSeq() > subscription.delivered
                        && subscription.pushMessage(message.getSeq(), event)) {
                    fanOutLag.record(System.nanoTime() - committedNanos, TimeUnit.NANOSECONDS);
                }
            }
        }
    }

    /** Whether {@code stream} is attached (it may subscribe). */
    boolean isAttached(SessionStream stream) {
        return sessions.containsKey(stream);
    }

    /**
     * Tells the sessions that were sent message {@code changed.seq} its new state, with the change's number;
     * the others get that state when they reach it.
     */
    void changed(Message changed, long change) {
        for (Page page : pages) {
            page.replace(changed);
        }
        if (reading) {
            changedWhileReading.put(changed.getSeq(), changed);
        }
        byte[] event = MessageChanges.changedEvent(changed, change);
        for (Subscription subscription : sessions.values()) {
            if (subscription.subscribed && subscription.delivered >= changed.getSeq()) {
                subscription.stream.pushEvent(event);
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

    /** Pushes an event to every subscribed session of both partners. */
    void pushToAll(byte[] event) {
        pushToOthers(0, event);
    }

    /** Tells every session to route again, and forgets them all. */
    void moveAll(String reason) {
        endAll(stream -> stream.moved(reason));
    }

    /** Ends every session because the couple was closed, and forgets them all. */
    void closeAll(String reason) {
        endAll(stream -> stream.coupleClosed(reason));
    }

    /** Each session is told, even if telling one before it throws (its connection closing, say). */
    private void endAll(java.util.function.Consumer<SessionStream> end) {
        for (SessionStream stream : sessions.keySet()) {
            try {
                end.accept(stream);
            } catch (RuntimeException e) {
                LOG.warn("Couple {}: could not end {}: {}", coupleId, stream, e.toString());
            }
        }
        sessions.clear();
        pages.clear();
    }

    private static byte[] encode(Message message) {
        return EVENTS.encode(Event.message(new MessageEvent(message)));
    }

    private static final class Subscription {
        final SessionStream stream;
        boolean subscribed;
        boolean live;
        long delivered;
        /** Waiting for the couple's next page read. */
        boolean wantsPage;
        /** Subscribed with noEcho: not sent the messages acknowledged to it. */
        boolean noEcho;
        /** Sequence numbers after {@link #delivered} acknowledged to this session, not to be pushed; or null. */
        private TreeSet<Long> acknowledged;

        Subscription(SessionStream stream) {
            this.stream = stream;
        }

        void restartFrom(long afterSeq, boolean noEcho) {
            this.noEcho = noEcho;
            subscribed = true;
            live = false;
            delivered = afterSeq;
            // It asked for everything after afterSeq, its own messages too: it may have lost their acks.
            acknowledged = null;
        }

        void acknowledged(long seq) {
            if (!noEcho || seq <= delivered) {
                return;
            }
            if (acknowledged == null) {
                acknowledged = new TreeSet<>();
            }
            if (acknowledged.size() < MAX_ACKNOWLEDGED_AHEAD) {
                acknowledged.add(seq);
            }
        }

        /**
         * Pushes message {@code seq} unless it was acknowledged to this session; either way it is delivered.
         * Returns whether it was pushed.
         */
        boolean pushMessage(long seq, byte[] event) {
            boolean push = acknowledged == null || !acknowledged.contains(seq);
            if (push) {
                stream.pushEvent(event);
            }
            deliveredUpTo(seq);
            return push;
        }

        boolean catchingUp() {
            return subscribed && !live;
        }

        /** Pushes an event that stands for the messages up to {@code seq} (a missing range). */
        void push(long seq, byte[] event) {
            stream.pushEvent(event);
            deliveredUpTo(seq);
        }

        private void deliveredUpTo(long seq) {
            delivered = seq;
            while (acknowledged != null && !acknowledged.isEmpty() && acknowledged.first() <= seq) {
                acknowledged.pollFirst();
            }
        }
    }

    /** Stored messages read for catch-up: every one that exists in [from, to], oldest first, encoded once. */
    private static final class Page {
        final long from;
        final long to;
        final List<Message> messages;
        final byte[][] events;

        Page(long from, long to, List<Message> messages) {
            this.from = from;
            this.to = to;
            this.messages = new ArrayList<>(messages);
            this.events = new byte[messages.size()][];
            for (int i = 0; i < events.length; i++) {
                events[i] = encode(messages.get(i));
            }
        }

        /** Puts a changed message's new state in place of the old one, if the page holds it. */
        void replace(Message changed) {
            int i = indexOf(changed.getSeq());
            if (i < messages.size() && messages.get(i).getSeq() == changed.getSeq()) {
                messages.set(i, changed);
                events[i] = encode(changed);
            }
        }

        /** The index of the first message at or after {@code seq}; the size if none. */
        int indexOf(long seq) {
            int low = 0;
            int high = messages.size();
            while (low < high) {
                int middle = (low + high) >>> 1;
                if (messages.get(middle).getSeq() < seq) {
                    low = middle + 1;
                } else {
                    high = middle;
                }
            }
            return low;
        }
    }
}
