package io.duet.app.couple;

import io.duet.app.internal.SerialExecutor;
import io.duet.app.rpc.ApiErrors;
import io.duet.app.storage.ArchiveMark;
import io.duet.app.storage.MessageArchive;
import io.duet.protocol.api.DuetError;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * One couple's part of the archive moves ({@link ArchiveMoves}), confined to its executor: it asks for a
 * turn when the couple is loaded with enough messages for a bucket to be due, when its commits have filled
 * a bucket past the messages the row keeps, and after an edit of an archived message (to fold it in); a turn moves one bucket ({@link
 * MessageArchive#moveNext}) under the owner's fence, as one of the couple's {@link MessageEdits} so that
 * no edit of the couple runs beside it. A move that fails unloads the couple, as a failed edit does.
 */
final class CoupleArchiving {
    private final long coupleId;
    private final SerialExecutor executor;
    private final MessageArchive archive;
    private final ArchiveMoves moves;
    private final MessageEdits edits;
    private final CoupleLog log;
    private final FencedWriter writer;
    private final Supplier<CompletableFuture<Boolean>> step = this::step;

    // Confined to the executor.
    private ArchiveMark mark;
    /** The last sequence number at which the next bucket may be due; asked for again from there. */
    private long nextDueAt = Long.MAX_VALUE;

    CoupleArchiving(long coupleId, SerialExecutor executor, MessageArchive archive, ArchiveMoves moves,
            MessageEdits edits, CoupleLog log, FencedWriter writer) {
        this.coupleId = coupleId;
        this.executor = executor;
        this.archive = archive;
        this.moves = moves;
        this.edits = edits;
        this.log = log;
        this.writer = writer;
        this.mark = ArchiveMark.none(archive.bucketSize());
    }

    /**
     * The couple was loaded with messages up to {@code lastSeq}: if it has enough for a bucket to be due,
     * a first turn finds out what is (a backlog, edits to fold in).
     */
    void loaded(long lastSeq) {
        executor.checkInContext();
        nextDueAt = (long) moves.settings.keepRecent + archive.bucketSize();
        committed(lastSeq);
    }

    /** Messages up to {@code lastSeq} committed. */
    void committed(long lastSeq) {
        if (lastSeq >= nextDueAt) {
            // Asked (no other turn until this one ends), or refused: the next commit asks again.
            nextDueAt = moves.want(step) ? Long.MAX_VALUE : lastSeq + 1;
        }
    }

    /** Message {@code seq} was edited or deleted: if it is archived, its bucket is to fold it in. */
    void changed(long seq) {
        if (mark.archived(seq)) {
            moves.want(step);
        }
    }

    /** One turn: completes with whether it moved something; never fails. */
    private CompletableFuture<Boolean> step() {
        CompletableFuture<Boolean> result = new CompletableFuture<>();
        boolean queued = executor.tryExecute(() -> {
            if (!writer.writable()) {
                result.complete(false);
                return;
            }
            long archivableUpTo = log.lastSeq() - moves.settings.keepRecent;
            edits.exclusive(() -> archive.moveNext(coupleId, writer.fence(), archivableUpTo)).whenComplete((move, failure) -> {
                executor.checkInContext();
                if (failure != null) {
                    result.complete(false);
                    Throwable cause = ApiErrors.unwrap(failure);
                    // Refused before it started (the edits' queue full, the couple closing): no harm done.
                    if (writer.writable() && !(cause instanceof DuetError)) {
                        writer.failed("archive move", cause);
                    }
                } else {
                    mark = move.mark();
                    if (move.idle()) {
                        nextDueAt = mark.archivedUpTo() + moves.settings.keepRecent + mark.bucketSize();
                    }
                    result.complete(!move.idle());
                }
            });
        });
        if (!queued) {
            result.complete(false);
        }
        return result;
    }
}
