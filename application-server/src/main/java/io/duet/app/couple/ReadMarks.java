package io.duet.app.couple;

import io.duet.protocol.api.Message;
import io.duet.protocol.storage.StoredReadMarks;
import io.duet.protocol.thrift.MalformedPayloadException;
import io.duet.protocol.thrift.ThriftCodec;
import io.duet.protocol.thrift.UnknownFields;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Both partners' read marks ("read up to N"), kept in one cell of the couple's row. A mark only moves
 * forward: marking below it changes nothing. A mark is acknowledged once it is durable, and marks are
 * coalesced: while one write is out, every mark that comes waits for the next, which carries the latest
 * of each partner, so a couple has at most one write out however many marks come. Confined to the
 * couple's executor.
 */
final class ReadMarks {
    private static final Logger LOG = LoggerFactory.getLogger(ReadMarks.class);
    private static final ThriftCodec CODEC = ThriftCodec.INTERNAL;

    /** Where the marks go: the couple's read-marks cell, under the owner's fence. */
    interface Writer {
        long fence();

        /** Writes the whole cell; fails if the owner was fenced out or the outcome is unknown. */
        CompletableFuture<Void> write(byte[] value);
    }

    /** What the actor hears, on the executor. */
    interface Listener {
        /** A durable mark moved forward. */
        void moved(long userId, long readUpTo);

        /** A write failed or its outcome is unknown: the marks in it were not acknowledged. */
        void writeFailed(Throwable cause);
    }

    private final long coupleId;
    private final Executor executor;
    private final Writer writer;
    private final Listener listener;

    // Confined to the executor.
    private StoredReadMarks record = new StoredReadMarks();
    private UnknownFields unknown = new UnknownFields();
    private final Map<Long, Long> durable = new HashMap<>();
    /** Marks waiting for the next write, each above its durable mark. */
    private final Map<Long, Long> wanted = new HashMap<>();
    private CompletableFuture<Void> nextWritten = new CompletableFuture<>();
    /** The marks of the write that is out; null when none is. */
    private Map<Long, Long> writing;
    private CompletableFuture<Void> writingDone;
    private RuntimeException closed;

    ReadMarks(long coupleId, Executor executor, Writer writer, Listener listener) {
        this.coupleId = coupleId;
        this.executor = executor;
        this.writer = writer;
        this.listener = listener;
    }

    /** Starts from the stored cell (null: never written). An unreadable cell is logged and starts empty. */
    void load(byte[] stored) {
        durable.clear();
        record = new StoredReadMarks();
        unknown = new UnknownFields();
        if (stored == null) {
            return;
        }
        try {
            record = CODEC.decodeKeepingUnknown(stored, new StoredReadMarks(), unknown);
        } catch (MalformedPayloadException e) {
            LOG.error("Couple {}: unreadable read marks in HBase, starting from none: {}", coupleId, e.toString());
            record = new StoredReadMarks();
            unknown = new UnknownFields();
            return;
        }
        if (record.isSetReadUpTo()) {
            durable.putAll(record.getReadUpTo());
        }
    }

    /** The user's durable mark; 0 if none. */
    long markOf(long userId) {
        return durable.getOrDefault(userId, 0L);
    }

    /**
     * Moves the user's mark up to {@code upTo} (already bounded by the last sequence number); completes
     * with the user's durable mark once the move is durable, at once if there is nothing to move.
     */
    CompletableFuture<Long> mark(long userId, long upTo) {
        if (closed != null) {
            return CompletableFuture.failedFuture(closed);
        }
        CompletableFuture<Void> done;
        if (upTo <= markOf(userId)) {
            done = CompletableFuture.completedFuture(null);
        } else if (writing != null && upTo <= writing.getOrDefault(userId, 0L)) {
            done = writingDone;
        } else {
            wanted.merge(userId, upTo, Math::max);
            done = nextWritten;
            if (writing == null) {
                flush();
            }
        }
        return done.thenApply(written -> markOf(userId));
    }

    private void flush() {
        Map<Long, Long> marks = new HashMap<>(durable);
        marks.putAll(wanted);
        wanted.clear();
        writing = marks;
        writingDone = nextWritten;
        nextWritten = new CompletableFuture<>();
        byte[] value = CODEC.encodeKeepingUnknown(record.setReadUpTo(new HashMap<>(marks)).setFence(writer.fence()),
                unknown);
        CompletableFuture<Void> write;
        try {
            write = writer.write(value);
        } catch (RuntimeException e) {
            write = CompletableFuture.failedFuture(e);
        }
        write.whenCompleteAsync((ok, failure) -> written(marks, failure), executor);
    }

    private void written(Map<Long, Long> marks, Throwable failure) {
        CompletableFuture<Void> done = writingDone;
        writing = null;
        writingDone = null;
        if (failure != null) {
            RuntimeException cause = new NotOwnerException("couple " + coupleId
                    + " unloaded after a failed read-mark write; retry: " + failure);
            close(cause);
            done.completeExceptionally(cause);
            listener.writeFailed(failure);
            return;
        }
        Map<Long, Long> moved = new HashMap<>();
        marks.forEach((userId, mark) -> {
            if (mark > markOf(userId)) {
                durable.put(userId, mark);
                moved.put(userId, mark);
            }
        });
        done.complete(null);
        moved.forEach(listener::moved);
        if (closed == null && !wanted.isEmpty()) {
            flush();
        }
    }

    /** Fails the marks waiting for a write, and every later one; a write already out still completes. */
    void close(RuntimeException cause) {
        if (closed != null) {
            return;
        }
        closed = cause;
        wanted.clear();
        nextWritten.completeExceptionally(cause);
    }

    /** Whether a write is out (the couple must not be loaded again meanwhile). */
    boolean inFlight() {
        return writing != null;
    }

    boolean isIdle() {
        return writing == null && wanted.isEmpty();
    }

    /** How many of {@code messages} were sent by {@code senderId}, tombstones left out: the unread count of a range. */
    static int countFrom(List<Message> messages, long senderId) {
        int count = 0;
        for (Message message : messages) {
            if (message.getSenderId() == senderId && !message.isDeleted()) {
                count++;
            }
        }
        return count;
    }
}
