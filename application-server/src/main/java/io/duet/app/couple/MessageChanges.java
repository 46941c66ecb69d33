package io.duet.app.couple;

import io.duet.app.internal.SerialExecutor;
import io.duet.app.rpc.ApiErrors;
import io.duet.app.storage.CoupleStore;
import io.duet.protocol.api.Event;
import io.duet.protocol.api.Message;
import io.duet.protocol.api.MessageChangedEvent;
import io.duet.protocol.api.MessageChangesLostEvent;
import io.duet.protocol.thrift.ThriftCodec;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Function;

/**
 * Changes of a couple's committed messages: its senders' edits and deletes ({@link MessageEdits}, by the
 * rules of {@link MessageChange}), numbered in the couple's {@link ChangeLog}; the replay of the changes a
 * resuming device missed ({@link #replay}); and the archive moves that take turns with the edits ({@link
 * CoupleArchiving}). Confined to the couple's executor; writes under the actor's fence ({@link FencedWriter}).
 *
 * <p><b>Replay.</b> A device that subscribes with its change cursor gets, before its message replay, a
 * {@code MessageChangedEvent} for each message it holds (at or below its afterSeq) changed after its cursor:
 * once per message, as it is now, with the number of its latest change, in change order. The replay is
 * made as one of the edits' turns ({@link MessageEdits#exclusive}), so no change is written between the
 * choice of what to replay and the moment the session is subscribed: each change reaches it either in the
 * replay or live, never both, never neither. The messages not in memory are read within catch-up's bounds
 * ({@link CatchUpReads}). The events are pushed at once, without flow control: there are at most as many
 * as the log keeps ({@code couples.changes.keep}).
 */
final class MessageChanges {
    private static final ThriftCodec EVENTS = ThriftCodec.INTERNAL;

    /** Told of each change written, on the executor. */
    interface Listener {
        /** {@code message} was changed, by change number {@code change}, and is now as given. */
        void changed(Message message, long change);
    }

    private final SerialExecutor executor;
    private final CoupleLog log;
    private final CatchUpReads reads;
    private final ChangeLog changeLog;
    private final Clock clock;
    /** Completed on the executor once the change log, read after the claim, is loaded. */
    private final CompletableFuture<Void> changesLoaded = new CompletableFuture<>();
    private final FencedWriter writer;
    private final Listener listener;
    private final MessageEdits edits;
    private final CoupleArchiving archiving;

    /** @param keepChanges how many of the newest changes the change log keeps for replay */
    MessageChanges(long coupleId, SerialExecutor executor, CoupleStore store, CoupleLog log, CatchUpReads reads,
            int maxQueued, int keepChanges, ArchiveMoves moves, Clock clock, FencedWriter writer, Listener listener) {
        this.executor = executor;
        this.log = log;
        this.reads = reads;
        this.changeLog = new ChangeLog(coupleId, keepChanges);
        this.clock = clock;
        this.writer = writer;
        this.listener = listener;
        this.edits = new MessageEdits(coupleId, executor, store, log, changeLog, maxQueued, writer, this::changed);
        this.archiving = new CoupleArchiving(coupleId, executor, store.archive(), moves, edits, log, writer);
    }

    /** The couple was claimed with messages up to {@code lastSeq}. */
    void loaded(long lastSeq) {
        archiving.loaded(lastSeq);
    }

    /**
     * The change log, read after the claim, arrived (null: no change yet). Edits and replays wait for it: a
     * previous owner's last change may land until the claim, never after it.
     */
    void loadedChanges(byte[] stored) {
        changeLog.load(stored);
        changesLoaded.complete(null);
    }

    /** The couple's newest change number; 0 for none. */
    long lastChange() {
        return changeLog.lastChange();
    }

    /** The newest change number, once the change log is loaded (completes on the executor). */
    CompletableFuture<Long> loadedLastChange() {
        return changesLoaded.thenApply(loaded -> lastChange());
    }

    /** Messages up to {@code lastSeq} were committed. */
    void committed(long lastSeq) {
        archiving.committed(lastSeq);
    }

    /** Replaces the text of {@code userId}'s message {@code seq}; see {@link MessageChange} for the rules. */
    CompletableFuture<Message> edit(long userId, long seq, String text, Long expectedVersion) {
        return changesLoaded.thenCompose(loaded -> edits.run(seq, (at, stored, fence) ->
                MessageChange.edit(at, stored, userId, text, expectedVersion, clock.millis(), fence)));
    }

    /** Makes {@code userId}'s message {@code seq} a tombstone; see {@link MessageChange} for the rules. */
    CompletableFuture<Message> delete(long userId, long seq, Long expectedVersion) {
        return changesLoaded.thenCompose(loaded -> edits.run(seq, (at, stored, fence) ->
                MessageChange.delete(at, stored, userId, expectedVersion, clock.millis(), fence)));
    }

    /**
     * Chooses the changes a client with change cursor {@code afterChange} (null: none asked) and messages up
     * to {@code afterSeq} missed, encodes them as events, and hands them to {@code then}, which runs before any
     * later change is written: it pushes them and subscribes the session. Completes with what {@code then}
     * returns.
     */
    <T> CompletableFuture<T> replay(Long afterChange, long afterSeq, Function<List<byte[]>, T> then) {
        executor.checkInContext();
        if (afterChange == null) {
            try {
                return CompletableFuture.completedFuture(then.apply(List.of()));
            } catch (RuntimeException e) {
                return CompletableFuture.failedFuture(e);
            }
        }
        return changesLoaded.thenCompose(loaded -> edits.exclusive(() -> {
            ChangeLog.Replay replay = changeLog.select(afterChange, afterSeq);
            return messages(replay.changes()).thenApplyAsync(messages -> {
                List<byte[]> events = new ArrayList<>(replay.changes().size() + 1);
                if (replay.lost()) {
                    events.add(EVENTS.encode(Event.messageChangesLost(
                            new MessageChangesLostEvent(afterChange, replay.oldestKept()))));
                }
                for (ChangeLog.Change change : replay.changes()) {
                    Message message = messages.get(change.seq());
                    if (message != null) {
                        events.add(changedEvent(message, change.change()));
                    }
                }
                return then.apply(events);
            }, executor);
        }));
    }

    static byte[] changedEvent(Message message, long change) {
        return EVENTS.encode(Event.messageChanged(new MessageChangedEvent(message).setChange(change)));
    }

    /** The changed messages as they are now, by sequence number: from memory, the others read from HBase. */
    private CompletableFuture<Map<Long, Message>> messages(List<ChangeLog.Change> changes) {
        Map<Long, Message> found = new HashMap<>();
        List<Long> stored = new ArrayList<>();
        Set<Long> wanted = new HashSet<>();
        for (ChangeLog.Change change : changes) {
            if (change.seq() >= log.oldestInMemory()) {
                log.inMemory(change.seq(), change.seq()).forEach(message -> found.put(message.getSeq(), message));
            } else {
                stored.add(change.seq());
                wanted.add(change.seq());
            }
        }
        stored.sort(null);
        CompletableFuture<Void> read = CompletableFuture.completedFuture(null);
        // One read per window of at most a page of sequence numbers, one after the other.
        for (int i = 0; i < stored.size(); ) {
            long from = stored.get(i);
            long to = Math.min(from + CoupleLimits.MAX_PAGE - 1, log.oldestInMemory() - 1);
            while (i < stored.size() && stored.get(i) <= to) {
                i++;
            }
            read = read.thenCompose(done -> reads.read(log, from, to, (int) (to - from + 1)))
                    .thenAccept(messages -> messages.stream().filter(message -> wanted.contains(message.getSeq()))
                            .forEach(message -> found.put(message.getSeq(), message)));
        }
        // found is written on HBase's threads, one read after the other, and read once all completed.
        return read.handle((done, failure) -> {
            if (failure == null) {
                return found;
            }
            Throwable cause = ApiErrors.unwrap(failure);
            throw new CompletionException(cause instanceof RejectedExecutionException
                    ? ApiErrors.busy("this server's reads of older messages are all taken; subscribe again later") : cause);
        });
    }

    private void changed(Message message, long change) {
        listener.changed(message, change);
        archiving.changed(message.getSeq());
        writer.ended();
    }

    /** Fails every waiting change with {@code cause}, and every later one. */
    void close(RuntimeException cause) {
        edits.close(cause);
        changesLoaded.completeExceptionally(cause);
    }

    /** Whether a read or write of HBase is under way (the couple must not be loaded again meanwhile). */
    boolean inFlight() {
        return edits.inFlight();
    }

    boolean isIdle() {
        return edits.isIdle();
    }
}
