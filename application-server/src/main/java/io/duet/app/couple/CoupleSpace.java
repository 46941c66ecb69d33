package io.duet.app.couple;

import io.duet.app.internal.SeededRandom;
import io.duet.app.internal.SerialExecutor;
import io.duet.app.rpc.ApiErrors;
import io.duet.app.space.CalendarBook;
import io.duet.app.space.MemoBook;
import io.duet.app.space.NicknameBook;
import io.duet.app.space.PhotoBook;
import io.duet.app.space.SpaceLimits;
import io.duet.app.space.Step;
import io.duet.app.storage.CoupleStore;
import io.duet.app.storage.FencedException;
import io.duet.app.storage.SpaceStore;
import io.duet.protocol.api.Event;
import io.duet.protocol.api.Message;
import io.duet.protocol.api.MessageKind;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongPredicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The couple's space (memos, calendar, photos' metadata and nicknames) on its actor's executor: loaded from HBase on
 * first use, then served from memory (photos: read from their rows as each call needs them, see {@link
 * PhotoBook}), and changed one operation at a time. An operation that reads or writes holds the
 * ones behind it until it is done, so each one sees every change before it, version checks are exact,
 * and two writes of one memo can never land in the other order. Writes are fenced like message commits (see
 * {@link SpaceStore}); a write that fails or whose outcome is unknown unloads the couple, as a failed commit
 * does, and the next load reads the truth back.
 */
final class CoupleSpace {
    private static final Logger LOG = LoggerFactory.getLogger(CoupleSpace.class);
    /** Ids below 2^53, exact in every language's numbers (JSON clients in JavaScript, for one). */
    private static final long ID_BOUND = 1L << 53;
    private static final SecureRandom IDS = SeededRandom.create();

    /** What the space tells its actor. */
    interface Owner {
        /** A change was written: tell the couple's sessions. */
        void changed(Event event);
    }

    /** One space operation, run on the executor against the loaded space. */
    interface Operation<T> {
        Step<T> run() throws Exception;
    }

    private final long coupleId;
    private final SerialExecutor executor;
    private final SpaceStore store;
    private final SpaceLimits limits;
    private final FencedWriter writer;
    private final Owner owner;
    private final MemoBook memos;
    private final CalendarBook calendar;
    private final PhotoBook photos;
    private final NicknameBook nicknames = new NicknameBook();

    // Confined to the executor.
    private final Deque<Pending<?>> queue = new ArrayDeque<>();
    private boolean loaded;
    private boolean busy;
    private RuntimeException closed;

    CoupleSpace(long coupleId, SerialExecutor executor, CoupleStore couples, SpaceLimits limits, FencedWriter writer,
            Owner owner) {
        this.coupleId = coupleId;
        this.executor = executor;
        this.store = couples.space();
        this.limits = limits;
        this.writer = writer;
        this.owner = owner;
        this.memos = new MemoBook(limits);
        this.calendar = new CalendarBook(limits);
        this.photos = new PhotoBook(coupleId, couples.photos(), couples.photoMigration(), limits, writer::fence);
    }

    MemoBook memos() {
        return memos;
    }

    CalendarBook calendar() {
        return calendar;
    }

    PhotoBook photos() {
        return photos;
    }

    NicknameBook nicknames() {
        return nicknames;
    }

    /** A new memo id, unused in this couple. */
    long newMemoId() {
        return newId(memos::contains);
    }

    long newEventId() {
        return newId(calendar::containsEvent);
    }

    private static long newId(LongPredicate taken) {
        long id;
        do {
            id = 1 + IDS.nextLong(ID_BOUND - 1);
        } while (taken.test(id));
        return id;
    }

    /**
     * A PHOTO message's caption was edited ({@code message} as it is now): its photo's metadata takes the new
     * caption, in a write of its own right after the message's, which also wrote the photo's pending caption
     * (see {@link io.duet.app.storage.SpaceStore#captionQualifier}). If this write fails, the pending caption
     * stays, and the couple's next load applies it ({@link #repairCaption}).
     */
    void messageChanged(Message message) {
        if (message.getKind() != MessageKind.PHOTO || message.isDeleted() || !message.isSetPhotoId()) {
            return;
        }
        String caption = message.getText() == null ? "" : message.getText();
        followCaption(message.getPhotoId(), caption, false).whenComplete((done, failure) -> {
            if (failure != null) {
                LOG.warn("Couple {}: the caption of photo {} was not updated after an edit of message {} (its next load "
                        + "applies it): {}", coupleId, message.getPhotoId(), message.getSeq(), failure.toString());
            }
        });
    }

    /** A pending caption found at load: applied before any operation queued meanwhile. */
    private void repairCaption(String photoId, String caption) {
        followCaption(photoId, caption, true).whenComplete((done, failure) -> {
            if (failure != null) {
                LOG.warn("Couple {}: the pending caption of photo {} was not applied (its next load tries again): {}",
                        coupleId, photoId, failure.toString());
            }
        });
    }

    private CompletableFuture<Void> followCaption(String photoId, String caption, boolean first) {
        Step.Write clear = owner -> store.clearCaption(coupleId, owner, photoId, caption).thenApply(cleared -> null);
        return enqueue(() -> photos.caption(photoId, caption, clear), first);
    }

    /** Runs {@code operation} once the space is loaded and every operation before it is done. */
    <T> CompletableFuture<T> run(Operation<T> operation) {
        return enqueue(operation, false);
    }

    private <T> CompletableFuture<T> enqueue(Operation<T> operation, boolean first) {
        executor.checkInContext();
        CompletableFuture<T> result = new CompletableFuture<>();
        if (closed != null) {
            result.completeExceptionally(closed);
        } else if (queue.size() >= limits.maxQueued()) {
            result.completeExceptionally(ApiErrors.busy("couple " + coupleId + " has " + queue.size()
                    + " memo and calendar calls waiting; retry later"));
        } else {
            if (first) {
                queue.addFirst(new Pending<>(operation, result));
            } else {
                queue.add(new Pending<>(operation, result));
            }
            pump();
        }
        return result;
    }

    private void pump() {
        while (!busy && closed == null && !queue.isEmpty()) {
            if (!loaded) {
                busy = true;
                store.load(coupleId).whenCompleteAsync(this::loaded, executor);
                return;
            }
            start(queue.poll());
        }
    }

    private void loaded(SpaceStore.Cells cells, Throwable failure) {
        busy = false;
        if (closed != null) {
            writer.ended();
            return;
        }
        if (failure == null) {
            try {
                memos.load(cells.memos());
                calendar.load(cells.calendar(), cells.events());
                nicknames.load(cells.nicknames());
                loaded = true;
                cells.captions().forEach(this::repairCaption);
            } catch (RuntimeException e) {
                failure = e;
            }
        }
        if (failure != null) {
            // Stays unloaded: the next call tries again.
            LOG.warn("Cannot load the space of couple {}: {}", coupleId, failure.toString());
            Throwable cause = ApiErrors.unwrap(failure);
            for (Pending<?> pending = queue.poll(); pending != null; pending = queue.poll()) {
                pending.result.completeExceptionally(cause);
            }
            return;
        }
        pump();
    }

    private <T> void start(Pending<T> pending) {
        Step<T> step;
        try {
            step = pending.operation.run();
        } catch (Exception e) {
            pending.result.completeExceptionally(e);
            return;
        }
        proceed(pending, step);
    }

    /** Goes on with {@code step}: waits for its read and goes on with the next step, writes, or completes. */
    private <T> void proceed(Pending<T> pending, Step<T> step) {
        if (step.reads()) {
            busy = true;
            step.next().whenCompleteAsync((next, failure) -> {
                busy = false;
                if (closed != null) {
                    pending.result.completeExceptionally(closed);
                    writer.ended();
                    return;
                }
                if (failure != null) {
                    failed(pending, "photo read", failure);
                } else {
                    try {
                        proceed(pending, next.make());
                    } catch (Exception e) {
                        pending.result.completeExceptionally(e);
                    }
                }
                pump();
            }, executor);
            return;
        }
        if (!step.writes()) {
            pending.result.complete(step.result());
            return;
        }
        if (!writer.writable()) {
            pending.result.completeExceptionally(new NotOwnerException("couple " + coupleId
                    + " may have moved: this server cannot vouch for it now; retry"));
            return;
        }
        busy = true;
        CompletableFuture<Void> written = step.qualifier() != null
                ? store.write(coupleId, writer.fence(), step.qualifier(), step.value())
                : step.write(writer.fence());
        written.whenCompleteAsync((done, failure) -> {
            busy = false;
            if (failure != null) {
                pending.result.completeExceptionally(new NotOwnerException("couple " + coupleId
                        + " unloaded after a failed space write: " + ApiErrors.unwrap(failure)));
                writer.failed("space write", ApiErrors.unwrap(failure));
                return;
            }
            step.apply();
            pending.result.complete(step.result());
            if (step.event() != null) {
                owner.changed(step.event());
            }
            writer.ended();
            pump();
        }, executor);
    }

    /**
     * A read failed: a fenced one (a newer owner claimed the couple's photos) unloads the couple, as a
     * failed write does; any other fails the operation alone.
     */
    private void failed(Pending<?> pending, String what, Throwable failure) {
        Throwable cause = ApiErrors.unwrap(failure);
        if (cause instanceof FencedException) {
            pending.result.completeExceptionally(new NotOwnerException("couple " + coupleId
                    + " unloaded after a fenced " + what + ": " + cause));
            writer.failed(what, cause);
        } else {
            pending.result.completeExceptionally(cause);
        }
    }

    /** Fails every waiting operation with {@code cause}, and every later one. */
    void close(RuntimeException cause) {
        executor.checkInContext();
        if (closed != null) {
            return;
        }
        closed = cause;
        for (Pending<?> pending = queue.poll(); pending != null; pending = queue.poll()) {
            pending.result.completeExceptionally(cause);
        }
    }

    /** Whether a read or write of HBase is under way (the couple must not be loaded again meanwhile). */
    boolean inFlight() {
        return busy;
    }

    boolean isIdle() {
        return !busy && queue.isEmpty();
    }

    private static final class Pending<T> {
        final Operation<T> operation;
        final CompletableFuture<T> result;

        Pending(Operation<T> operation, CompletableFuture<T> result) {
            this.operation = operation;
            this.result = result;
        }
    }
}
