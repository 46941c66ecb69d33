package io.duet.app.couple;

import io.duet.app.internal.SerialExecutor;
import io.duet.app.rpc.ApiErrors;
import io.duet.app.storage.CoupleClosedException;
import io.duet.app.storage.CoupleNotFoundException;
import io.duet.app.storage.CoupleSnapshot;
import io.duet.app.storage.CoupleStore;
import io.duet.app.storage.FencedException;
import io.duet.app.storage.SpaceStore;
import io.duet.protocol.api.ErrorCode;
import io.duet.protocol.api.Event;
import io.duet.protocol.api.HistoryPage;
import io.duet.protocol.api.Message;
import io.duet.protocol.api.ReadEvent;
import io.duet.protocol.api.ReadState;
import io.duet.protocol.api.SendMessageRequest;
import io.duet.protocol.api.SendMessageResult;
import io.duet.protocol.api.SetTypingResult;
import io.duet.protocol.api.SubscribeResult;
import io.duet.protocol.thrift.ThriftCodec;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One loaded couple: its lifecycle and the door to its parts. All its state is confined to {@link
 * #executor}; public methods only enqueue work there and return futures.
 *
 * <p>The parts, each confined to the same executor: {@link SendPipeline} (deduplication, per-sender
 * order, group commit), {@link MessageEdits} (edits and deletes of sent messages, and the archive moves of
 * {@link CoupleArchiving} between them), {@link Delivery}
 * (sessions, catch-up and live events), {@link Typing}, the {@link CoupleLog} of committed messages they
 * share, {@link ReadMarks} and {@link CoupleSpace} (memos and calendar).
 *
 * <p><b>Lifecycle.</b> LOADING (claiming the row under a new fence value) → ACTIVE → CLOSED. The
 * couple is ACTIVE as soon as its claim succeeded; the newest messages and the read marks, read after the
 * claim, follow a round trip later (read-mark calls wait for them; other reads go to HBase meanwhile).
 * Every operation first checks that this server still owns the couple and may serve it (its shard, its
 * epoch, a live lease), so a deposed owner refuses reads as well as writes. A commit refused
 * by fencing, or one whose outcome is unknown, closes the actor: sessions are told to route again, and
 * the next load reads the truth back from HBase under a new fence value.
 */
public final class CoupleActor {
    private static final Logger LOG = LoggerFactory.getLogger(CoupleActor.class);
    private static final ThriftCodec EVENTS = ThriftCodec.INTERNAL;
    /** See {@link #clientQuiet}. */
    private static final long QUIET_SLACK_MILLIS = 2000;

    private enum State { LOADING, ACTIVE, CLOSED }

    private final long coupleId;
    private final int shard;
    private final long epoch;
    private final SerialExecutor executor;
    private final CoupleStore store;
    private final CoupleLimits limits;
    private final Clock clock;
    private final BooleanSupplier owned;
    private final Consumer<CoupleActor> onRetired;
    private final CoupleLog log;
    private final HistoryReads historyReads;
    private final Delivery delivery;
    private final Typing typing;
    private final SendPipeline sends;
    private final CoupleSpace space;
    private final ReadMarks readMarks;
    private final MessageEdits edits;
    private final OfflineNotifier offline;
    private final ParkedPolls polls;
    private final CoupleArchiving archiving;

    // Confined to the executor.
    private State state = State.LOADING;
    private final List<Runnable> waitingForLoad = new ArrayList<>();
    private RuntimeException closedCause;
    private long fence;
    private long userA;
    private long userB;
    private long lastActivityMillis;
    /** The newest message each partner was sent by the other (for a session that goes quiet); null if none yet. */
    private Message lastForA;
    private Message lastForB;
    private boolean retired;
    private long loadStartedNanos;
    /** Completed on the executor once the read marks, read after the claim, are in {@link #readMarks}. */
    private final CompletableFuture<Void> readMarksLoaded = new CompletableFuture<>();

    /**
     * @param owned whether this server still owns the couple's shard at {@code epoch} and may serve it
     *     now; checked before every operation and every commit
     */
    CoupleActor(long coupleId, int shard, long epoch, SerialExecutor executor, CoupleStore store, CoupleLimits limits,
            CatchUpReads catchUpReads, ScheduledExecutorService timers, Clock clock, BooleanSupplier owned,
            Consumer<CoupleActor> onRetired) {
        this(coupleId, shard, epoch, executor, store, limits, catchUpReads, timers, clock, owned, onRetired,
                OfflineNotifier.NONE);
    }

    /** @param offline told of messages whose recipient has no session attached here (to push them) */
    CoupleActor(long coupleId, int shard, long epoch, SerialExecutor executor, CoupleStore store, CoupleLimits limits,
            CatchUpReads catchUpReads, ScheduledExecutorService timers, Clock clock, BooleanSupplier owned,
            Consumer<CoupleActor> onRetired, OfflineNotifier offline) {
        this(coupleId, shard, epoch, executor, store, limits, catchUpReads, timers, clock, owned, onRetired, offline,
                ArchiveMoves.NONE);
    }

    /** @param moves the server's archive moves, in which this couple takes turns ({@link CoupleArchiving}) */
    CoupleActor(long coupleId, int shard, long epoch, SerialExecutor executor, CoupleStore store, CoupleLimits limits,
            CatchUpReads catchUpReads, ScheduledExecutorService timers, Clock clock, BooleanSupplier owned,
            Consumer<CoupleActor> onRetired, OfflineNotifier offline, ArchiveMoves moves) {
        this(coupleId, shard, epoch, executor, store, limits, catchUpReads, timers, clock, owned, onRetired, offline,
                moves, LongPolls.defaults());
    }

    /** @param longPolls the server's bounds on parked HTTP long polls ({@link #poll}) */
    CoupleActor(long coupleId, int shard, long epoch, SerialExecutor executor, CoupleStore store, CoupleLimits limits,
            CatchUpReads catchUpReads, ScheduledExecutorService timers, Clock clock, BooleanSupplier owned,
            Consumer<CoupleActor> onRetired, OfflineNotifier offline, ArchiveMoves moves, LongPolls longPolls) {
        this.polls = new ParkedPolls(executor, timers, longPolls);
        this.coupleId = coupleId;
        this.offline = offline;
        this.shard = shard;
        this.epoch = epoch;
        this.executor = executor;
        this.store = store;
        this.limits = limits;
        this.clock = clock;
        this.owned = owned;
        this.onRetired = onRetired;
        this.lastActivityMillis = clock.millis();
        this.log = new CoupleLog(coupleId, store, limits.recentMessages);
        this.historyReads = new HistoryReads(coupleId, executor, log, catchUpReads);
        this.delivery = new Delivery(coupleId, executor, log, catchUpReads);
        this.typing = new Typing(executor, timers, limits.typingTimeout, delivery::pushToOthers);
        this.sends = new SendPipeline(coupleId, executor, store, limits, timers, clock, log, new SendPipeline.Owner() {
            @Override
            public long fence() {
                return fence;
            }

            @Override
            public boolean writable() {
                return state == State.ACTIVE && owned.getAsBoolean();
            }

            @Override
            public void committed(List<Message> messages) {
                if (state == State.ACTIVE) {
                    delivery.broadcast(messages);
                    polls.wakeAll();
                    notifyOfflineRecipients(messages);
                    archiving.committed(log.lastSeq());
                }
                retireIfIdle();
            }

            @Override
            public void storedMessageLost(long seq) {
                long ranges = catchUpReads.missing(1);
                LOG.error("DATA LOSS: couple {} is missing committed message {} in HBase, found by a resend of it; the "
                        + "sender is told to send it anew ({} missing ranges on this server so far)", coupleId, seq, ranges);
            }

            @Override
            public void commitFailed(Throwable cause) {
                boolean fenced = cause instanceof FencedException;
                close(new NotOwnerException("couple " + coupleId + " unloaded after a failed write: " + cause),
                        fenced ? "fenced by a newer owner" : "write outcome unknown; reloading");
                retireIfIdle();
            }
        });
        this.space = new CoupleSpace(coupleId, executor, store.space(), limits.space, new CoupleSpace.Owner() {
            @Override
            public long fence() {
                return fence;
            }

            @Override
            public boolean writable() {
                return state == State.ACTIVE && owned.getAsBoolean();
            }

            @Override
            public void changed(Event event) {
                if (state == State.ACTIVE) {
                    delivery.pushToAll(EVENTS.encode(event));
                }
                retireIfIdle();
            }

            @Override
            public void writeFailed(Throwable cause) {
                close(new NotOwnerException("couple " + coupleId + " unloaded after a failed space write: " + cause),
                        cause instanceof FencedException ? "fenced by a newer owner" : "space write outcome unknown; reloading");
                retireIfIdle();
            }
        });
        this.readMarks = newReadMarks();
        this.edits = new MessageEdits(coupleId, executor, store, log, limits.maxQueuedTasks, new MessageEdits.Owner() {
            @Override
            public long fence() {
                return fence;
            }

            @Override
            public boolean writable() {
                return state == State.ACTIVE && owned.getAsBoolean();
            }

            @Override
            public void changed(Message message) {
                if (state == State.ACTIVE) {
                    delivery.changed(message);
                    archiving.changed(message.getSeq());
                }
                retireIfIdle();
            }

            @Override
            public void writeFailed(Throwable cause) {
                close(new NotOwnerException("couple " + coupleId + " unloaded after a failed message edit: " + cause),
                        cause instanceof FencedException ? "fenced by a newer owner" : "message edit outcome unknown; reloading");
                retireIfIdle();
            }
        });
        this.archiving = new CoupleArchiving(coupleId, executor, store.archive(), moves, edits, log,
                new CoupleArchiving.Owner() {
                    @Override
                    public long fence() {
                        return fence;
                    }

                    @Override
                    public boolean writable() {
                        return state == State.ACTIVE && owned.getAsBoolean();
                    }

                    @Override
                    public void moveFailed(Throwable cause) {
                        close(new NotOwnerException("couple " + coupleId + " unloaded after a failed archive move: "
                                + cause), cause instanceof FencedException ? "fenced by a newer owner"
                                        : "archive move outcome unknown; reloading");
                    }

                    @Override
                    public void moveEnded() {
                        retireIfIdle();
                    }
                });
    }

    private ReadMarks newReadMarks() {
        return new ReadMarks(coupleId, executor, new ReadMarks.Writer() {
            @Override
            public long fence() {
                return fence;
            }

            @Override
            public CompletableFuture<Void> write(byte[] value) {
                if (!(state == State.ACTIVE && owned.getAsBoolean())) {
                    return CompletableFuture.failedFuture(new NotOwnerException("couple " + coupleId
                            + " may have moved: this server cannot vouch for it now; retry"));
                }
                return store.space().write(coupleId, fence, SpaceStore.readMarksQualifier(), value);
            }
        }, new ReadMarks.Listener() {
            @Override
            public void moved(long userId, long readUpTo) {
                if (state == State.ACTIVE) {
                    delivery.pushToAll(EVENTS.encode(Event.readMark(new ReadEvent(userId, readUpTo))));
                }
                retireIfIdle();
            }

            @Override
            public void writeFailed(Throwable cause) {
                close(new NotOwnerException("couple " + coupleId + " unloaded after a failed read-mark write: " + cause),
                        cause instanceof FencedException ? "fenced by a newer owner" : "read-mark write outcome unknown; reloading");
                retireIfIdle();
            }
        });
    }

    public long coupleId() {
        return coupleId;
    }

    int shard() {
        return shard;
    }

    long epoch() {
        return epoch;
    }

    /** Claims the couple's row and loads it; operations submitted meanwhile wait. */
    void start() {
        loadStartedNanos = System.nanoTime();
        executor.execute(() -> store.claim(coupleId, epoch, limits.recentMessages)
                .whenCompleteAsync(this::loaded, executor));
    }

    private void loaded(CoupleSnapshot snapshot, Throwable failure) {
        executor.checkInContext();
        if (state == State.CLOSED) {
            runWaiting();
            retireIfIdle();
            return;
        }
        if (failure != null) {
            Throwable cause = ApiErrors.unwrap(failure);
            if (!(cause instanceof CoupleNotFoundException) && !(cause instanceof FencedException)
                    && !(cause instanceof CoupleClosedException)) {
                LOG.warn("Cannot load couple {}: {}", coupleId, cause.toString());
            }
            close(cause instanceof RuntimeException ? (RuntimeException) cause : new NotOwnerException(cause.toString()),
                    "load failed");
            return;
        }
        fence = snapshot.fence();
        userA = snapshot.userA();
        userB = snapshot.userB();
        log.startFrom(snapshot.lastSeq());
        sends.loadedOrderMarks(snapshot.orderMarks());
        state = State.ACTIVE;
        archiving.loaded(snapshot.lastSeq());
        LOG.debug("Couple {} claimed at epoch {} in {} ms, {} calls waiting", coupleId, epoch,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - loadStartedNanos), waitingForLoad.size());
        snapshot.recentMessages().thenCombine(snapshot.readMarks(), Recent::new)
                .whenCompleteAsync(this::filled, executor);
        runWaiting();
    }

    private record Recent(List<Message> messages, byte[] readMarks) {
    }

    /**
     * The newest messages and the read marks, read after the claim, arrived: the log and the dedup ids take
     * them, and the read-mark calls waiting for them go on.
     */
    private void filled(Recent recent, Throwable failure) {
        executor.checkInContext();
        if (state == State.CLOSED) {
            return;
        }
        if (failure != null) {
            Throwable cause = ApiErrors.unwrap(failure);
            LOG.warn("Cannot load couple {}: {}", coupleId, cause.toString());
            close(new NotOwnerException("couple " + coupleId + " failed to load: " + cause), "load failed");
            return;
        }
        log.fill(recent.messages());
        sends.loaded(recent.messages());
        readMarks.load(recent.readMarks());
        LOG.debug("Couple {} loaded in {} ms", coupleId,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - loadStartedNanos));
        readMarksLoaded.complete(null);
    }

    private void runWaiting() {
        List<Runnable> waiting = new ArrayList<>(waitingForLoad);
        waitingForLoad.clear();
        waiting.forEach(Runnable::run);
    }

    /**
     * Runs {@code operation} on the executor once the couple is loaded, if the caller is a member and
     * this server may still serve the couple; fails with BUSY if the executor's queue is full.
     */
    private <T> CompletableFuture<T> whenActive(long userId, Supplier<CompletableFuture<T>> operation) {
        CompletableFuture<T> result = new CompletableFuture<>();
        boolean admitted = executor.tryExecute(() -> {
            Runnable run = () -> {
                if (state != State.ACTIVE) {
                    result.completeExceptionally(closedError());
                    return;
                }
                if (!owned.getAsBoolean()) {
                    result.completeExceptionally(new NotOwnerException("couple " + coupleId
                            + " may have moved: this server cannot vouch for it now; retry"));
                    return;
                }
                if (userId != userA && userId != userB) {
                    result.completeExceptionally(ApiErrors.of(ErrorCode.PERMISSION_DENIED, "not a member of this couple"));
                    return;
                }
                lastActivityMillis = clock.millis();
                try {
                    operation.get().whenComplete((value, failure) -> {
                        if (failure != null) {
                            result.completeExceptionally(ApiErrors.unwrap(failure));
                        } else {
                            result.complete(value);
                        }
                    });
                } catch (RuntimeException e) {
                    result.completeExceptionally(e);
                }
            };
            if (state == State.LOADING) {
                if (waitingForLoad.size() >= limits.maxQueuedTasks) {
                    result.completeExceptionally(ApiErrors.busy("couple " + coupleId + " is loading with "
                            + limits.maxQueuedTasks + " calls waiting; retry later"));
                    return;
                }
                waitingForLoad.add(run);
            } else {
                run.run();
            }
        });
        if (!admitted) {
            result.completeExceptionally(ApiErrors.busy("couple " + coupleId + " has "
                    + limits.maxQueuedTasks + " calls waiting; retry later"));
        }
        return result;
    }

    private RuntimeException closedError() {
        return closedCause != null ? closedCause : new NotOwnerException("couple " + coupleId + " was unloaded; retry");
    }

    private long partnerOf(long userId) {
        return userId == userA ? userB : userA;
    }

    /**
     * Tells {@link #offline} of the newest message of this commit for each recipient with no session
     * attached: the partner of its sender, offline on every device (a push goes out).
     */
    private void notifyOfflineRecipients(List<Message> messages) {
        Message forA = null;
        Message forB = null;
        for (Message message : messages) {
            if (message.getSenderId() == userA) {
                forB = message;
            } else if (message.getSenderId() == userB) {
                forA = message;
            }
        }
        if (forA != null) {
            lastForA = forA;
            if (!delivery.hasLiveSessionOf(userA)) {
                offline.missed(coupleId, userA, forA);
            }
        }
        if (forB != null) {
            lastForB = forB;
            if (!delivery.hasLiveSessionOf(userB)) {
                offline.missed(coupleId, userB, forB);
            }
        }
    }

    /**
     * The client of an attached session went quiet: nothing was heard from it for {@code silentMillis}
     * ({@link SessionStream#isClientQuiet()}). If that leaves its user with no live session, the newest
     * message the partner sent them during the silence (which the half-open connection may have swallowed)
     * is pushed now; later messages are pushed as they commit, while no session of the user is live.
     * Callable from any thread.
     */
    public void clientQuiet(SessionStream stream, long silentMillis) {
        executor.execute(() -> {
            if (state != State.ACTIVE || delivery.hasLiveSessionOf(stream.userId())) {
                return;
            }
            Message newest = stream.userId() == userA ? lastForA : stream.userId() == userB ? lastForB : null;
            // A moment's slack for the time between the presentation server's last read and its report.
            if (newest != null && newest.getSentAtMillis() >= clock.millis() - silentMillis - QUIET_SLACK_MILLIS) {
                offline.missed(coupleId, stream.userId(), newest);
            }
        });
    }

    // ---- sessions --------------------------------------------------------------------------------

    /** Attaches a session of one of the partners; fails with PERMISSION_DENIED for anyone else. */
    public CompletableFuture<Void> attach(SessionStream stream) {
        return whenActive(stream.userId(), () -> {
            delivery.attach(stream);
            return CompletableFuture.completedFuture(null);
        });
    }

    /** Forgets a session that ended. */
    public void detach(SessionStream stream) {
        executor.execute(() -> {
            if (state != State.ACTIVE) {
                return;
            }
            lastActivityMillis = clock.millis();
            if (!delivery.detach(stream)) {
                typing.stop(stream.userId());
            }
        });
    }

    /**
     * Starts delivering events to {@code stream}: first every message after {@code afterSeq}, then live
     * events. Subscribing again (after a notice that the session moved) restarts from the new point.
     */
    public CompletableFuture<SubscribeResult> subscribe(SessionStream stream, long afterSeq) {
        return subscribe(stream, afterSeq, false);
    }

    /**
     * As {@link #subscribe(SessionStream, long)}; {@code noEcho}: the session is not pushed the messages it
     * sends (see {@link #send(long, String, SendMessageRequest, SessionStream)}).
     */
    public CompletableFuture<SubscribeResult> subscribe(SessionStream stream, long afterSeq, boolean noEcho) {
        return whenActive(stream.userId(), () -> {
            if (!delivery.subscribe(stream, afterSeq, noEcho)) {
                return CompletableFuture.failedFuture(
                        ApiErrors.invalidArgument("subscribe needs a TCP session of this couple"));
            }
            return CompletableFuture.completedFuture(
                    new SubscribeResult(log.lastSeq(), typing.isTyping(partnerOf(stream.userId()))));
        });
    }

    /**
     * {@code ChatService.subscribe} over HTTP, a long poll: the messages after {@code afterSeq} (a history
     * page of at most {@link LongPolls#PAGE}), waiting up to {@code waitMillis} for the couple's next commit
     * if there are none yet ({@link ParkedPolls}); no messages if none came.
     */
    public CompletableFuture<SubscribeResult> poll(long userId, long afterSeq, long waitMillis) {
        return whenActive(userId, () -> {
            CompletableFuture<Void> ready = waitMillis <= 0 || log.lastSeq() > afterSeq
                    ? CompletableFuture.completedFuture(null) : polls.park(userId, waitMillis);
            return ready.thenCompose(ignored -> history(userId, afterSeq, null, LongPolls.PAGE))
                    .thenApply(page -> new SubscribeResult(page.getLatestSeq(), false)
                            .setMessages(page.getMessages()).setHasMore(page.isHasMore()));
        });
    }

    // ---- sending, typing, history ----------------------------------------------------------------

    /** Stores a message from {@code senderId}; see {@link SendPipeline} for the guarantees. */
    public CompletableFuture<SendMessageResult> send(long senderId, String deviceId, SendMessageRequest request) {
        return send(senderId, deviceId, request, null);
    }

    /**
     * Stores a message from {@code senderId} that came over {@code session} (null: over HTTP). If that
     * session subscribed with noEcho, it gets no {@code MessageEvent} for it, only the result; every other
     * session does.
     */
    public CompletableFuture<SendMessageResult> send(long senderId, String deviceId, SendMessageRequest request,
            SessionStream session) {
        String problem = SendPipeline.orderingProblem(request);
        if (problem != null) {
            return CompletableFuture.failedFuture(ApiErrors.invalidArgument(problem));
        }
        return whenActive(senderId, () -> {
            typing.stop(senderId);
            CompletableFuture<SendMessageResult> sent = sends.send(senderId, deviceId, request);
            // Completed on the executor before the message is broadcast: the session is skipped by it.
            return session == null ? sent : sent.thenApply(result -> {
                delivery.acknowledged(session, result.getSeq());
                return result;
            });
        });
    }

    /**
     * Posts the message that announces photo {@code photoId} (kind PHOTO, {@code caption} as its text), sent by
     * {@code senderId}'s device like any message; its client message id is derived from the photo's, so a
     * repeat is stored once.
     */
    public CompletableFuture<SendMessageResult> sendPhoto(long senderId, String deviceId, String photoId,
            String caption) {
        SendMessageRequest request = new SendMessageRequest().setClientMessageId("photo-" + photoId).setText(caption);
        return whenActive(senderId, () -> {
            typing.stop(senderId);
            return sends.send(senderId, deviceId, request, photoId);
        });
    }

    /** Typing on or off; it turns itself off after the typing timeout unless refreshed. */
    public CompletableFuture<SetTypingResult> setTyping(long userId, boolean on) {
        return whenActive(userId, () -> {
            if (on) {
                typing.start(userId);
            } else {
                typing.stop(userId);
            }
            return CompletableFuture.completedFuture(new SetTypingResult());
        });
    }

    /** Up to {@code limit} messages after {@code afterSeq}, oldest first. */
    public CompletableFuture<HistoryPage> history(long userId, long afterSeq, int limit) {
        return history(userId, afterSeq, null, limit);
    }

    /**
     * A page of at most {@code limit} sequence numbers, oldest first: right before {@code beforeSeq} if it
     * is not null, else right after {@code afterSeq} (see {@link HistoryRange}); older messages are read
     * within bounds, and lost ones reported (see {@link HistoryReads}).
     */
    public CompletableFuture<HistoryPage> history(long userId, long afterSeq, Long beforeSeq, int limit) {
        return whenActive(userId, () -> {
            long latest = log.lastSeq();
            HistoryRange range = beforeSeq != null ? HistoryRange.before(beforeSeq, limit, latest)
                    : HistoryRange.after(afterSeq, limit, latest);
            if (range.isEmpty()) {
                return CompletableFuture.completedFuture(new HistoryPage(List.of(), false, latest));
            }
            return historyReads.page(userId, range, latest);
        });
    }

    // ---- editing and deleting --------------------------------------------------------------------

    /** Replaces the text of {@code userId}'s message {@code seq}; see {@link MessageChange} for the rules. */
    public CompletableFuture<Message> editMessage(long userId, long seq, String text, Long expectedVersion) {
        return whenActive(userId, () -> edits.run(seq, (at, stored, fence) ->
                MessageChange.edit(at, stored, userId, text, expectedVersion, clock.millis(), fence)));
    }

    /** Makes {@code userId}'s message {@code seq} a tombstone; see {@link MessageChange} for the rules. */
    public CompletableFuture<Message> deleteMessage(long userId, long seq, Long expectedVersion) {
        return whenActive(userId, () -> edits.run(seq, (at, stored, fence) ->
                MessageChange.delete(at, stored, userId, expectedVersion, clock.millis(), fence)));
    }

    // ---- read state ------------------------------------------------------------------------------

    /**
     * Moves {@code userId}'s read mark up to {@code upToSeq} (at most the last sequence number); completes
     * once it is durable, with the user's read state. A mark below the current one changes nothing.
     */
    public CompletableFuture<ReadState> markRead(long userId, long upToSeq) {
        return whenActive(userId, () -> readMarksLoaded.thenCompose(loaded -> readMarks.mark(userId,
                Math.min(upToSeq, log.lastSeq()))).thenCompose(mark -> readStateNow(userId)));
    }

    /** Both partners' read marks, and {@code userId}'s unread count. */
    public CompletableFuture<ReadState> readState(long userId) {
        return whenActive(userId, () -> readMarksLoaded.thenCompose(loaded -> readStateNow(userId)));
    }

    private CompletableFuture<ReadState> readStateNow(long userId) {
        long mark = readMarks.markOf(userId);
        long latest = log.lastSeq();
        long partner = partnerOf(userId);
        long partnerMark = readMarks.markOf(partner);
        long from = Math.max(mark + 1, latest - CoupleLimits.MAX_UNREAD_COUNTED + 1);
        CompletableFuture<List<Message>> counted = from > latest ? CompletableFuture.completedFuture(List.of())
                : historyReads.read(from, latest);
        return counted.thenApply(messages -> new ReadState(mark, partnerMark,
                ReadMarks.countFrom(messages, partner), from > mark + 1, latest));
    }

    // ---- memos and calendar ---------------------------------------------------------------------

    /** Runs a memo or calendar operation of {@code userId}, after the ones before it; see {@link CoupleSpace}. */
    public <T> CompletableFuture<T> space(long userId, SpaceCall<T> call) {
        return whenActive(userId, () -> space.run(
                () -> call.run(new SpaceContext(space, fence, clock.instant(), userA, userB))));
    }

    // ---- lifecycle -------------------------------------------------------------------------------

    /** Unloads the couple: waiting sends fail (to be retried elsewhere), sessions are told to route again. */
    public void close(String reason) {
        executor.execute(() -> close(new NotOwnerException("couple " + coupleId + " unloaded: " + reason), reason));
    }

    /**
     * Unloads a couple that was closed in HBase (see {@code CoupleClosures}): waiting calls fail with
     * NOT_PAIRED, and its sessions end with COUPLE_CLOSED.
     */
    public void coupleClosed() {
        executor.execute(() -> {
            if (state != State.CLOSED) {
                delivery.closeAll("couple " + coupleId + " was closed");
            }
            close(new CoupleClosedException(coupleId), "the couple was closed");
        });
    }

    private void close(RuntimeException cause, String reason) {
        executor.checkInContext();
        if (state == State.CLOSED) {
            return;
        }
        boolean wasLoading = state == State.LOADING;
        state = State.CLOSED;
        closedCause = cause;
        sends.failAll(cause);
        space.close(cause);
        readMarks.close(cause);
        readMarksLoaded.completeExceptionally(cause);
        edits.close(cause);
        delivery.moveAll(reason);
        polls.wakeAll();
        typing.clear();
        if (wasLoading) {
            runWaiting();
        }
        LOG.debug("Couple {} closed: {}", coupleId, reason);
        retireIfIdle();
    }

    /** Leaves the registry only when no write is in flight, so that no second load races a write. */
    private void retireIfIdle() {
        if (state == State.CLOSED && !sends.commitInFlight() && !space.inFlight() && !readMarks.inFlight()
                && !edits.inFlight() && !retired) {
            retired = true;
            onRetired.accept(this);
        }
    }

    /** Unloads the couple if nobody used it for the idle timeout. */
    void closeIfIdle() {
        executor.execute(() -> {
            if (state == State.ACTIVE && delivery.isEmpty() && sends.isIdle() && space.isIdle() && readMarks.isIdle()
                    && edits.isIdle() && clock.millis() - lastActivityMillis > limits.idleTimeout.toMillis()) {
                close(new NotOwnerException("couple " + coupleId + " unloaded while idle"), "idle");
            }
        });
    }
}
