package io.duet.app.couple;

import io.duet.app.internal.SerialExecutor;
import io.duet.app.storage.CoupleStore;
import io.duet.protocol.api.Message;
import java.time.Clock;
import java.util.concurrent.CompletableFuture;

/**
 * Changes of a couple's committed messages: its senders' edits and deletes ({@link MessageEdits}, by the
 * rules of {@link MessageChange}) and the archive moves that take turns with them ({@link
 * CoupleArchiving}). Confined to the couple's executor; writes under the actor's fence ({@link FencedWriter}).
 */
final class MessageChanges {
    /** Told of each change written, on the executor. */
    interface Listener {
        /** {@code message} was changed and is now as given. */
        void changed(Message message);
    }

    private final Clock clock;
    private final FencedWriter writer;
    private final Listener listener;
    private final MessageEdits edits;
    private final CoupleArchiving archiving;

    MessageChanges(long coupleId, SerialExecutor executor, CoupleStore store, CoupleLog log, int maxQueued,
            ArchiveMoves moves, Clock clock, FencedWriter writer, Listener listener) {
        this.clock = clock;
        this.writer = writer;
        this.listener = listener;
        this.edits = new MessageEdits(coupleId, executor, store, log, maxQueued, writer, this::changed);
        this.archiving = new CoupleArchiving(coupleId, executor, store.archive(), moves, edits, log, writer);
    }

    /** The couple was loaded with messages up to {@code lastSeq}. */
    void loaded(long lastSeq) {
        archiving.loaded(lastSeq);
    }

    /** Messages up to {@code lastSeq} were committed. */
    void committed(long lastSeq) {
        archiving.committed(lastSeq);
    }

    /** Replaces the text of {@code userId}'s message {@code seq}; see {@link MessageChange} for the rules. */
    CompletableFuture<Message> edit(long userId, long seq, String text, Long expectedVersion) {
        return edits.run(seq, (at, stored, fence) ->
                MessageChange.edit(at, stored, userId, text, expectedVersion, clock.millis(), fence));
    }

    /** Makes {@code userId}'s message {@code seq} a tombstone; see {@link MessageChange} for the rules. */
    CompletableFuture<Message> delete(long userId, long seq, Long expectedVersion) {
        return edits.run(seq, (at, stored, fence) ->
                MessageChange.delete(at, stored, userId, expectedVersion, clock.millis(), fence));
    }

    private void changed(Message message) {
        listener.changed(message);
        archiving.changed(message.getSeq());
        writer.ended();
    }

    /** Fails every waiting change with {@code cause}, and every later one. */
    void close(RuntimeException cause) {
        edits.close(cause);
    }

    /** Whether a read or write of HBase is under way (the couple must not be loaded again meanwhile). */
    boolean inFlight() {
        return edits.inFlight();
    }

    boolean isIdle() {
        return edits.isIdle();
    }
}
