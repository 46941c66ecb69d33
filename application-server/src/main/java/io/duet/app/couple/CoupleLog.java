package io.duet.app.couple;

import io.duet.app.storage.CoupleStore;
import io.duet.protocol.api.Message;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A couple's committed messages as its owner knows them: the last sequence number and a window of the
 * newest messages in memory, with older ones read from HBase. Confined to the couple's executor.
 */
final class CoupleLog {
    private final long coupleId;
    private final CoupleStore store;
    private final int window;
    private final ArrayDeque<Message> recent = new ArrayDeque<>();
    private long lastSeq;

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
        if (changed.getSeq() < oldestInMemory() || changed.getSeq() > lastSeq) {
            return;
        }
        ArrayDeque<Message> updated = new ArrayDeque<>(recent.size());
        for (Message message : recent) {
            updated.addLast(message.getSeq() == changed.getSeq() ? changed : message);
        }
        recent.clear();
        recent.addAll(updated);
    }

    /**
     * Starts from a loaded snapshot: {@code lastSeq} and the newest messages, oldest first. Only the
     * unbroken run of them that ends at {@code lastSeq} is kept (at most the window): memory holds every
     * message from {@link #oldestInMemory()} on, so a range HBase lost (a hole in the snapshot, or its
     * newest messages gone) stays before it, where reads from HBase find it missing and report it.
     */
    void load(long lastSeq, List<Message> newest) {
        recent.clear();
        this.lastSeq = lastSeq;
        int first = newest.size();
        long expected = lastSeq;
        while (first > 0 && newest.size() - first < window && newest.get(first - 1).getSeq() == expected) {
            first--;
            expected--;
        }
        recent.addAll(newest.subList(first, newest.size()));
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
