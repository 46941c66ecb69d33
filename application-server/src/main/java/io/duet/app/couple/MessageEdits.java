package io.duet.app.couple;

import io.duet.app.internal.SerialExecutor;
import io.duet.app.rpc.ApiErrors;
import io.duet.app.storage.CoupleStore;
import io.duet.protocol.api.ErrorCode;
import io.duet.protocol.api.Message;
import io.duet.protocol.api.MessageKind;
import io.duet.protocol.storage.StoredMessage;
import io.duet.protocol.thrift.ThriftCodec;
import io.duet.protocol.thrift.UnknownFields;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Edits and deletes of committed messages, one at a time, on the couple's executor. Each reads the
 * message's cell from HBase, decodes it keeping the fields this release does not know, applies the change
 * ({@link MessageChange}) and writes it back under the owner's fence ({@link CoupleStore#rewriteMessage}),
 * with the couple's {@link ChangeLog} numbering the change in the same write; only then does the {@link
 * CoupleLog} hold the new state, the change its number, and the sessions hear of it. One change at a
 * time, so two changes of one message never race and each version check sees the one before it. A
 * rewrite that fails, or whose outcome is unknown, unloads the couple, as a failed commit does. The
 * couple's archive moves ({@link CoupleArchiving}) take their turns in the same queue ({@link #exclusive}),
 * so that a move never deletes from the couple row an edit written while it ran.
 */
final class MessageEdits {
    private static final ThriftCodec CODEC = ThriftCodec.INTERNAL;

    /** Told of each change written, on the executor. */
    interface Listener {
        /** A change was written, numbered {@code change}: {@code message} is the message as it is now. */
        void changed(Message message, long change);
    }

    /** One change of a stored message: the changed message, or null when there is nothing to write. */
    interface Change {
        StoredMessage apply(long seq, StoredMessage stored, long fence) throws Exception;
    }

    private final long coupleId;
    private final SerialExecutor executor;
    private final CoupleStore store;
    private final CoupleLog log;
    private final ChangeLog changes;
    private final int maxQueued;
    private final FencedWriter writer;
    private final Listener listener;

    // Confined to the executor.
    private final Queue<Pending> queue = new ArrayDeque<>();
    private boolean busy;
    private RuntimeException closed;

    MessageEdits(long coupleId, SerialExecutor executor, CoupleStore store, CoupleLog log, ChangeLog changes,
            int maxQueued, FencedWriter writer, Listener listener) {
        this.coupleId = coupleId;
        this.executor = executor;
        this.store = store;
        this.log = log;
        this.changes = changes;
        this.maxQueued = maxQueued;
        this.writer = writer;
        this.listener = listener;
    }

    /** Applies {@code change} to message {@code seq} after the changes before it; completes with the message as it is then. */
    CompletableFuture<Message> run(long seq, Change change) {
        executor.checkInContext();
        CompletableFuture<Message> result = new CompletableFuture<>();
        if (closed != null) {
            result.completeExceptionally(closed);
        } else if (seq < 1 || seq > log.lastSeq()) {
            result.completeExceptionally(notFound(seq));
        } else if (queue.size() >= maxQueued) {
            result.completeExceptionally(ApiErrors.busy("couple " + coupleId + " has " + queue.size()
                    + " message edits waiting; retry later"));
        } else {
            queue.add(new Pending(seq, change, result, null));
            pump();
        }
        return result;
    }

    /** Runs {@code task} after the changes before it, with no change under way until it completes. */
    <T> CompletableFuture<T> exclusive(Supplier<CompletableFuture<T>> task) {
        executor.checkInContext();
        CompletableFuture<T> result = new CompletableFuture<>();
        if (closed != null) {
            result.completeExceptionally(closed);
        } else if (queue.size() >= maxQueued) {
            result.completeExceptionally(ApiErrors.busy("couple " + coupleId + " has " + queue.size()
                    + " message edits waiting; retry later"));
        } else {
            queue.add(new Pending(0, null, null, new Exclusive() {
                @Override
                public void start() {
                    CompletableFuture<T> started;
                    try {
                        started = task.get();
                    } catch (RuntimeException e) {
                        started = CompletableFuture.failedFuture(e);
                    }
                    started.whenCompleteAsync((value, failure) -> {
                        busy = false;
                        if (failure != null) {
                            result.completeExceptionally(failure);
                        } else {
                            result.complete(value);
                        }
                        // A couple closed meanwhile (a subscribe's replay was reading) may retire now.
                        writer.ended();
                        pump();
                    }, executor);
                }

                @Override
                public void fail(RuntimeException cause) {
                    result.completeExceptionally(cause);
                }
            }));
            pump();
        }
        return result;
    }

    private static Exception notFound(long seq) {
        return ApiErrors.of(ErrorCode.NOT_FOUND, "the couple has no message " + seq);
    }

    private void pump() {
        if (busy || closed != null || queue.isEmpty()) {
            return;
        }
        Pending pending = queue.poll();
        busy = true;
        if (pending.task != null) {
            pending.task.start();
            return;
        }
        store.readStoredMessage(coupleId, pending.seq)
                .whenCompleteAsync((bytes, failure) -> read(pending, bytes, failure), executor);
    }

    private void read(Pending pending, byte[] bytes, Throwable failure) {
        busy = false;
        if (closed != null) {
            pending.result.completeExceptionally(closed);
            writer.ended();
            return;
        }
        try {
            if (failure != null) {
                throw ApiErrors.unwrap(failure);
            }
            if (bytes == null) {
                // Committed, yet HBase has no such cell: lost (catch-up reports such ranges).
                throw notFound(pending.seq);
            }
            UnknownFields unknown = new UnknownFields();
            StoredMessage stored = CODEC.decodeKeepingUnknown(bytes, new StoredMessage(), unknown);
            String textBefore = stored.getText(); // (a change may return the same struct, changed)
            StoredMessage changed = pending.change.apply(pending.seq, stored, writer.fence());
            if (changed == null) {
                pending.result.complete(CoupleStore.toMessage(pending.seq, stored));
            } else if (!writer.writable()) {
                throw new NotOwnerException("couple " + coupleId + " may have moved: this server cannot vouch for it now; retry");
            } else {
                write(pending, changed, CODEC.encodeKeepingUnknown(changed, unknown), photoCaption(textBefore, changed));
                return;
            }
        } catch (Throwable e) {
            pending.result.completeExceptionally(e);
        }
        pump();
    }

    /**
     * The new caption of a PHOTO message's photo when this change edits it (empty: none), else null: written
     * as the photo's pending caption with the edit, so the photo follows even if its own write fails.
     */
    private static String photoCaption(String textBefore, StoredMessage after) {
        if (after.getKind() != MessageKind.PHOTO.getValue() || after.isDeleted() || !after.isSetPhotoId()
                || Objects.equals(textBefore, after.getText())) {
            return null;
        }
        return after.getText() == null ? "" : after.getText();
    }

    private void write(Pending pending, StoredMessage changed, byte[] value, String caption) {
        byte[] changeLog = changes.next(pending.seq, writer.fence());
        busy = true;
        store.rewriteMessage(coupleId, writer.fence(), pending.seq, value, changeLog, changed.getPhotoId(), caption)
                .whenCompleteAsync((done, failure) -> {
                    busy = false;
                    if (failure != null) {
                        Throwable cause = ApiErrors.unwrap(failure);
                        pending.result.completeExceptionally(new NotOwnerException("couple " + coupleId
                                + " unloaded after a failed message edit: " + cause));
                        writer.failed("message edit", cause);
                        return;
                    }
                    Message message = CoupleStore.toMessage(pending.seq, changed);
                    log.replace(message);
                    long change = changes.recorded(pending.seq, changeLog);
                    pending.result.complete(message);
                    listener.changed(message, change);
                    pump();
                }, executor);
    }

    /** Fails every waiting change with {@code cause}, and every later one. */
    void close(RuntimeException cause) {
        executor.checkInContext();
        if (closed != null) {
            return;
        }
        closed = cause;
        for (Pending pending = queue.poll(); pending != null; pending = queue.poll()) {
            if (pending.task != null) {
                pending.task.fail(cause);
            } else {
                pending.result.completeExceptionally(cause);
            }
        }
    }

    /** Whether a read or rewrite of HBase is under way (the couple must not be loaded again meanwhile). */
    boolean inFlight() {
        return busy;
    }

    boolean isIdle() {
        return !busy && queue.isEmpty();
    }

    /** A change of message {@code seq}, or an exclusive {@code task} (which completes its own result). */
    private record Pending(long seq, Change change, CompletableFuture<Message> result, Exclusive task) {
    }

    private interface Exclusive {
        /** Runs the task; when it completes, clears {@code busy} and pumps. */
        void start();

        void fail(RuntimeException cause);
    }
}
