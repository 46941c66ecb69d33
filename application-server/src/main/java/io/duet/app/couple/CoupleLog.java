package io.duet.app.couple;

import io.duet.app.storage.CoupleStore;
import io.duet.protocol.api.Message;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * A couple's committed messages as its owner knows them: the last sequence number and a window of the
 * newest messages in memory, with older ones read from HBase. Confined to the couple's executor.
 *
 * <p>A new owner starts from the last sequence number alone ({@link #startFrom}) and writes at once; the
 * newest messages it read after its claim come a little later ({@link #fill}) and go in front of what it
 * appended meanwhile. Until then every read of them goes to HBase.
 */
final class CoupleLog {
    private final long coupleId;
    private final CoupleStore store;
    private final int window;
    private final ArrayDeque<Message> recent = new ArrayDeque<>();
    private long lastSeq;
    /** Between {@link #startFrom} and {@link #fill}: the messages changed meanwhile that were not in memory. */
    private Map<Long, Message> changedWhileFilling;

    CoupleLog(long coupleId, CoupleStore store, int window) {
        this.coupleId = coupleId;
        this.store = store;
        this.window = window;
    }

    long lastSeq() {
        return lastSeq;
    }

    /** Appends committed messages, which continue the sequence. */
    void append(List<Message> messages) {
        for (Message message : messages) {
            if (message.getSeq() != lastSeq + 1) {
                throw new IllegalStateException("couple " + coupleId + ": seq " + message.getSeq() + " after " + lastSeq);
            }
            recent.addLast(message);
            lastSeq = message.getSeq();
            while (recent.size() > window) {
                recent.removeFirst();
            }
        }
    }

    /** Puts the new state of a committed message (edited or deleted) in place of the one in memory, if it is there. */
    void replace(Message changed) {
        if (changed.getSeq() > lastSeq) {
            return;
        }
        if (changed.getSeq() < oldestInMemory()) {
            if (changedWhileFilling != null) {
                changedWhileFilling.put(changed.getSeq(), changed);
            }
            return;
        }
        ArrayDeque<Message> updated = new ArrayDeque<>(recent.size());
        for (Message message : recent) {
            updated.addLast(message.getSeq() == changed.getSeq() ? changed : message);
        }
        recent.clear();
        recent.addAll(updated);
    }

    /** Starts from {@code lastSeq} with nothing in memory; the newest messages up to it follow ({@link #fill}). */
    void startFrom(long lastSeq) {
        recent.clear();
        this.lastSeq = lastSeq;
        changedWhileFilling = new HashMap<>();
    }

    /**
     * The newest messages up to the sequence number this log started from, oldest first, as read after the
     * claim: they go in front of the ones appended since, as far as the window goes, each in its latest
     * state (a change made meanwhile replaces the one read). Only the unbroken run of them that ends at that
     * sequence number is kept: memory holds every message from {@link #oldestInMemory()} on, so a range
     * HBase lost (a hole among them, or the newest gone) stays before it, where reads from HBase find it
     * missing and report it. Once only; later calls change nothing.
     */
    void fill(List<Message> newest) {
        if (changedWhileFilling == null) {
            return;
        }
        long before = oldestInMemory();
        for (int i = newest.size() - 1; i >= 0 && recent.size() < window; i--) {
            Message message = newest.get(i);
            if (message.getSeq() >= before) {
                continue;
            }
            if (message.getSeq() != before - 1) {
                break; // a hole: it and everything older stay in HBase's part of the log
            }
            recent.addFirst(changedWhileFilling.getOrDefault(message.getSeq(), message));
            before = message.getSeq();
        }
        changedWhileFilling = null;
    }

    /** The oldest sequence number held in memory; {@code lastSeq + 1} when none is. */
    long oldestInMemory() {
        return recent.isEmpty() ? lastSeq + 1 : recent.peekFirst().getSeq();
    }

    /** The messages in memory in [from, to], oldest first. */
    List<Message> inMemory(long from, long to) {
        List<Message> page = new ArrayList<>();
        for (Message message : recent) {
            if (message.getSeq() >= from && message.getSeq() <= to) {
                page.add(message);
            }
        }
        return page;
    }

    /**
     * The messages in [from, to] (at most {@code limit}, the oldest), from memory for the part it holds and
     * from HBase for the part before it, read when its turn comes among {@code reads}.
     */
    CompletableFuture<List<Message>> read(long from, long to, int limit, CatchUpReads reads) {
        long oldest = oldestInMemory();
        List<Message> newer = inMemory(Math.max(from, oldest), to);
        if (from >= oldest) {
            return CompletableFuture.completedFuture(newer.size() > limit ? newer.subList(0, limit) : newer);
        }
        return reads.read(this, from, Math.min(to, oldest - 1), limit).thenApply(older -> {
            List<Message> page = new ArrayList<>(older);
            page.addAll(newer.subList(0, Math.min(newer.size(), Math.max(0, limit - older.size()))));
            return page;
        });
    }

    /** Up to {@code limit} messages in [from, to] from HBase; callable from any thread. */
    CompletableFuture<List<Message>> readStored(long from, long to, int limit) {
        return store.read(coupleId, from, to, limit);
    }
}
