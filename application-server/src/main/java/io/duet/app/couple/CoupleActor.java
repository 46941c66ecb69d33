package io.duet.app.couple;

import io.duet.app.internal.SerialExecutor;
import io.duet.app.rpc.ApiErrors;
import io.duet.app.storage.CoupleClosedException;
import io.duet.app.storage.CoupleNotFoundException;
import io.duet.app.storage.CoupleSnapshot;
import io.duet.app.storage.CoupleStore;
import io.duet.app.storage.FencedException;
import io.duet.protocol.api.ErrorCode;
import io.duet.protocol.api.Event;
import io.duet.protocol.api.FeedPage;
import io.duet.protocol.api.HistoryPage;
import io.duet.protocol.api.Message;
import io.duet.protocol.api.PollEventsRequest;
import io.duet.protocol.api.ReadEvent;
import io.duet.protocol.api.ReadState;
import io.duet.protocol.api.SendMessageRequest;
import io.duet.protocol.api.SendMessageResult;
import io.duet.protocol.api.SetTypingResult;
import io.duet.protocol.api.SubscribeResult;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * One loaded couple: its lifecycle and the door to its parts. All its state is confined to {@link
 * #executor}; public methods only enqueue work there and return futures.
 *
 * <p>The parts, each confined to the same executor: {@link SendPipeline} (deduplication, per-sender
 * order, group commit), {@link MessageChanges} (edits and deletes of sent messages, and the archive moves
 * between them), {@link Delivery} (sessions, catch-up and live events), {@link EventFeed} (the same events,
 * polled), {@link CoupleEvents} (which sends each event to both), {@link Typing}, the {@link CoupleLog} of
 * committed messages they share, {@link CoupleReadState} and {@link CoupleSpace} (memos and calendar). The
 * parts that write share the actor's {@link FencedWriter}; what the server's couples share comes in {@link
 * CoupleServices}.
 *
 * <p><b>Lifecycle.</b> LOADING (claiming the row under a new fence value) → ACTIVE → CLOSED. The
 * couple is ACTIVE as soon as its claim succeeded; the newest messages and the read marks, read after the
 * claim, follow a round trip later (read-mark calls wait for them; other reads go to HBase meanwhile).
 * Every operation first checks that this server still owns the couple and may serve it (its shard, its
 * epoch, a live lease), so a deposed owner refuses reads as well as writes. A commit refused
 * by fencing, or one whose outcome is unknown, closes the actor: sessions are told to route again, and
 * the next load reads the truth back from HBase under a new fence value. A load is given up after the load
 * timeout; a closed couple leaves the registry once no HBase call of its parts is under way, at the latest
 * after the retire timeout ({@link Retirement}).
 */
public final class CoupleActor {
    private static final Logger LOG = LoggerFactory.getLogger(CoupleActor.class);

    /** A claim this slow is logged at INFO, not DEBUG: the couple's calls waited for it (warm: tens of ms). */
    private static final long SLOW_CLAIM_MILLIS = 250;

    private enum State { LOADING, ACTIVE, CLOSED }

    private final long coupleId;
    private final int shard;
    private final long epoch;
    private final SerialExecutor executor;
    private final CoupleStore store;
    private final CoupleLimits limits;
    private final Clock clock;
    private final ScheduledExecutorService timers;
    private final BooleanSupplier owned;
    private final Retirement retirement;
    private final CoupleLog log;
    private final HistoryReads historyReads;
    private final Delivery delivery;
    private final Typing typing;
    private final SendPipeline sends;
    private final CoupleSpace space;
    private final CoupleReadState readState;
    private final MessageChanges changes;
    private final CallGate calls;
    private final CoupleEvents events;
    private final EventFeed feed;
    private final OfflinePushes pushes;

    // Confined to the executor.
    private State state = State.LOADING;
    private RuntimeException closedCause;
    private long fence;
    private long userA;
    private long userB;
    private long lastActivityMillis;
    private long loadStartedNanos;
    private ScheduledFuture<?> loadTimeout;
    /** The claim is under way: a couple closed meanwhile (its load timed out) retires once it answered. */
    private boolean claiming;

    /**
     * @param services what the server's couples share ({@link CoupleServices})
     * @param owned whether this server still owns the couple's shard at {@code epoch} and may serve it
     *     now; checked before every operation and every commit
     */
    CoupleActor(long coupleId, int shard, long epoch, SerialExecutor executor, CoupleServices services,
            BooleanSupplier owned, Consumer<CoupleActor> onRetired) {
        CoupleStore store = services.store;
        CoupleLimits limits = services.limits;
        CatchUpReads catchUpReads = services.catchUpReads;
        ScheduledExecutorService timers = services.timers;
        Clock clock = services.clock;
        this.pushes = new OfflinePushes(coupleId, services.offline, clock);
        this.coupleId = coupleId;
        this.shard = shard;
        this.epoch = epoch;
        this.executor = executor;
        this.store = store;
        this.limits = limits;
        this.clock = clock;
        this.timers = timers;
        this.owned = owned;
        this.lastActivityMillis = clock.millis();
        this.calls = new CallGate(coupleId, executor, limits.maxQueuedTasks, () -> state == State.LOADING, this::refusal);
        this.log = new CoupleLog(coupleId, store, limits.recentMessages);
        this.historyReads = new HistoryReads(coupleId, executor, log, catchUpReads);
        this.delivery = new Delivery(coupleId, executor, log, catchUpReads, services.fanOutLag);
        this.events = new CoupleEvents(delivery, new ParkedPolls(executor, timers, services.longPolls));
        this.typing = new Typing(executor, timers, limits.typingTimeout, events::toPartnerOf);
        FencedWriter writer = new OwnerFence();
        this.sends = new SendPipeline(coupleId, executor, store, limits, timers, clock, log, writer,
                new SendPipeline.Owner() {
                    @Override
                    public void committed(List<Message> messages, long committedNanos) {
                        if (state == State.ACTIVE) {
                            events.committed(messages, committedNanos);
                            pushes.committed(messages, delivery::hasLiveSessionOf);
                            changes.committed(log.lastSeq());
                        }
                        retireIfIdle();
                    }

                    @Override
                    public void storedMessageLost(long seq) {
                        long ranges = catchUpReads.missing(1);
                        LOG.error("DATA LOSS: couple {} is missing committed message {} in HBase, found by a resend of "
                                + "it; the sender is told to send it anew ({} missing ranges on this server so far)",
                                coupleId, seq, ranges);
                    }
                });
        this.space = new CoupleSpace(coupleId, executor, store, limits.space, writer, event -> {
            if (state == State.ACTIVE) {
                events.toAll(event);
            }
            retireIfIdle();
        });
        this.readState = new CoupleReadState(coupleId, executor, store.space(), log, historyReads, this::partnerOf,
                writer, (userId, readUpTo) -> {
                    if (state == State.ACTIVE) {
                        events.toAll(Event.readMark(new ReadEvent(userId, readUpTo)));
                    }
                    retireIfIdle();
                });
        this.changes = new MessageChanges(coupleId, executor, store, log, catchUpReads, limits.maxQueuedTasks,
                limits.keepChanges, services.moves, clock, writer, (message, change) -> {
                    if (state == State.ACTIVE) {
                        events.changed(message, change);
                        space.messageChanged(message);
                    }
                });
        this.feed = new EventFeed(executor, timers, services.longPolls, log, changes,
                (userId, afterSeq, limit) -> historyReads.page(userId, afterSeq, null, limit),
                () -> state == State.ACTIVE ? null : closedError());
        events.feed(feed);
        this.retirement = new Retirement(coupleId, executor, timers, limits.retireTimeout, Map.of(
                "a claim", () -> claiming, "a commit", sends::commitInFlight, "a space call", space::inFlight,
                "a read-mark write", readState::inFlight, "a message change or archive move", changes::inFlight),
                () -> onRetired.accept(this));
    }

    /** The actor's fence, shared by its parts that write the couple's row. */
    private final class OwnerFence implements FencedWriter {
        @Override
        public long fence() {
            return fence;
        }

        @Override
        public boolean writable() {
            return state == State.ACTIVE && owned.getAsBoolean();
        }

        @Override
        public void failed(String what, Throwable cause) {
            close(new NotOwnerException("couple " + coupleId + " unloaded after a failed " + what + ": " + cause),
                    cause instanceof FencedException ? "fenced by a newer owner" : what + " outcome unknown; reloading");
            retireIfIdle();
        }

        @Override
        public void ended() {
            retireIfIdle();
        }
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

    /**
     * Claims the couple's row and loads it; operations submitted meanwhile wait, at most the load timeout
     * ({@link CoupleLimits#loadTimeout}): a claim that has not answered by then fails the load.
     */
    void start() {
        start(CompletableFuture.completedFuture(null));
    }

    /**
     * As {@link #start()}, with the claim made once {@code released} completes: once no other server can
     * still be serving the couple (see {@code MapAcks}). The wait counts against the load timeout.
     */
    void start(CompletableFuture<?> released) {
        loadStartedNanos = System.nanoTime();
        executor.execute(() -> {
            CompletableFuture<CoupleSnapshot> claim;
            claiming = true;
            try {
                // On the couple's executor, and only while still wanted: a load given up or a shard moved on
                // meanwhile would raise the fence over a newer load's for nothing.
                claim = released.thenComposeAsync(ignored -> state == State.LOADING && owned.getAsBoolean()
                        ? store.claim(coupleId, epoch, limits.recentMessages)
                        : CompletableFuture.failedFuture(new NotOwnerException("couple " + coupleId
                                + " is no longer loading here")), executor);
            } catch (RuntimeException e) {
                claim = CompletableFuture.failedFuture(e);
            }
            claim.whenCompleteAsync(this::loaded, executor);
            if (state == State.LOADING) {
                loadTimeout = timers.schedule(() -> executor.execute(this::loadTimedOut),
                        limits.loadTimeout.toMillis(), TimeUnit.MILLISECONDS);
            }
        });
    }

    private void loadTimedOut() {
        if (state == State.LOADING) {
            LOG.warn("Couple {}: its claim did not answer within {} ms; the load is given up", coupleId,
                    limits.loadTimeout.toMillis());
            close(new NotOwnerException("couple " + coupleId + " did not load within " + limits.loadTimeout.toMillis()
                    + " ms; retry"), "load timed out");
        }
    }

    private void loaded(CoupleSnapshot snapshot, Throwable failure) {
        executor.checkInContext();
        claiming = false;
        if (state == State.CLOSED) {
            // Given up (the load timed out) or closed meanwhile: a second load may start once it leaves, and its
            // claim raises the fence over whatever this one wrote.
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
        pushes.members(userA, userB);
        log.startFrom(snapshot.lastSeq());
        sends.loadedOrderMarks(snapshot.orderMarks());
        state = State.ACTIVE;
        // Kept until here: should anything above throw, the couple does not stay loading for good.
        if (loadTimeout != null) {
            loadTimeout.cancel(false);
        }
        changes.loaded(snapshot.lastSeq());
        long claimMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - loadStartedNanos);
        LOG.atLevel(claimMillis >= SLOW_CLAIM_MILLIS ? Level.INFO : Level.DEBUG).log(
                "Couple {} claimed at shard epoch {} in {} ms, {} calls waiting", coupleId, epoch, claimMillis,
                calls.waiting());
        CompletableFuture.allOf(snapshot.recentMessages(), snapshot.readMarks(), snapshot.changes())
                .thenApply(all -> new Recent(snapshot.recentMessages().join(), snapshot.readMarks().join(),
                        snapshot.changes().join()))
                .whenCompleteAsync(this::filled, executor);
        calls.loadEnded();
    }

    private record Recent(List<Message> messages, byte[] readMarks, byte[] changes) {
    }

    /**
     * The newest messages, the read marks and the change log, read after the claim, arrived: the log and the
     * dedup ids take them, and the read-mark calls, edits and replays waiting for them go on.
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
        readState.load(recent.readMarks());
        changes.loadedChanges(recent.changes());
        LOG.debug("Couple {} loaded in {} ms", coupleId,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - loadStartedNanos));
    }

    /** Why a call of {@code userId} may not run now; null when it may (and the couple is in use). */
    private Exception refusal(long userId) {
        if (state != State.ACTIVE) {
            // The call has not started: a refusal because the couple left this server says so.
            RuntimeException closed = closedError();
            return closed instanceof NotOwnerException ? NotOwnerException.beforeRunning(closed.getMessage()) : closed;
        }
        if (!owned.getAsBoolean()) {
            return NotOwnerException.beforeRunning("couple " + coupleId
                    + " may have moved: this server cannot vouch for it now; retry");
        }
        if (userId != userA && userId != userB) {
            return ApiErrors.of(ErrorCode.PERMISSION_DENIED, "not a member of this couple");
        }
        lastActivityMillis = clock.millis();
        return null;
    }

    private RuntimeException closedError() {
        return closedCause != null ? closedCause : new NotOwnerException("couple " + coupleId + " was unloaded; retry");
    }

    private long partnerOf(long userId) {
        return userId == userA ? userB : userA;
    }

    // ---- sessions --------------------------------------------------------------------------------

    /**
     * The client of an attached session went quiet: nothing was heard from it for {@code silentMillis}
     * ({@link SessionStream#isClientQuiet()}). If that leaves its user with no live session, a push follows
     * ({@link OfflinePushes#lastLiveSessionQuiet}). Callable from any thread.
     */
    public void clientQuiet(SessionStream stream, long silentMillis) {
        executor.execute(() -> {
            if (state == State.ACTIVE && !delivery.hasLiveSessionOf(stream.userId())) {
                pushes.lastLiveSessionQuiet(stream.userId(), silentMillis);
            }
        });
    }

    /** Attaches a session of one of the partners; fails with PERMISSION_DENIED for anyone else. */
    public CompletableFuture<Void> attach(SessionStream stream) {
        return calls.call(stream.userId(), () -> {
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
     * Starts delivering events to {@code stream}: first, if {@code afterChange} is not null, the changes the
     * client missed of the messages up to {@code afterSeq} ({@link MessageChanges#replay}); then every message
     * after {@code afterSeq}; then live events. {@code noEcho}: the session is not pushed the messages it sends
     * (see {@link #send(long, String, SendMessageRequest, SessionStream)}). Subscribing again (after a notice
     * that the session moved) restarts from the new point.
     */
    public CompletableFuture<SubscribeResult> subscribe(SessionStream stream, long afterSeq, boolean noEcho,
            Long afterChange) {
        return calls.call(stream.userId(), () -> changes.replay(afterChange, Math.min(afterSeq, log.lastSeq()), events -> {
            if (state != State.ACTIVE) {
                throw new CompletionException(closedError());
            }
            if (!delivery.isAttached(stream)) {
                throw new CompletionException(ApiErrors.invalidArgument("subscribe needs a TCP session of this couple"));
            }
            events.forEach(stream::pushEvent);
            delivery.subscribe(stream, afterSeq, noEcho);
            return new SubscribeResult(log.lastSeq(), typing.isTyping(partnerOf(stream.userId())))
                    .setLatestChange(changes.lastChange());
        }));
    }

    /**
     * {@code ChatService.subscribe} over HTTP, a long poll: the messages after {@code afterSeq} (a history
     * page of at most {@link LongPolls#PAGE}), waiting up to {@code waitMillis} for the couple's next commit
     * if there are none yet ({@link ParkedPolls}); no messages if none came.
     */
    public CompletableFuture<SubscribeResult> poll(long userId, long afterSeq, long waitMillis) {
        return calls.call(userId, () -> {
            CompletableFuture<Void> ready = waitMillis <= 0 || log.lastSeq() > afterSeq
                    ? CompletableFuture.completedFuture(null) : events.nextMessage(userId, waitMillis);
            return ready.thenCompose(ignored -> history(userId, afterSeq, null, LongPolls.PAGE))
                    .thenApply(page -> new SubscribeResult(page.getLatestSeq(), false)
                            .setMessages(page.getMessages()).setHasMore(page.isHasMore()));
        });
    }

    /**
     * {@code FeedService.pollEvents}: the events after the request's cursors for {@code userId}'s device
     * {@code deviceId}, at most {@code maxEvents}, waiting up to {@code waitMillis} for one; see {@link EventFeed}.
     */
    public CompletableFuture<FeedPage> pollEvents(long userId, String deviceId, PollEventsRequest request,
            int maxEvents, long waitMillis) {
        return calls.call(userId, () -> feed.poll(userId, deviceId, request, maxEvents, waitMillis));
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
        return calls.call(senderId, () -> {
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
        return calls.call(senderId, () -> {
            typing.stop(senderId);
            return sends.send(senderId, deviceId, request, photoId);
        });
    }

    /** Typing on or off; it turns itself off after the typing timeout unless refreshed. */
    public CompletableFuture<SetTypingResult> setTyping(long userId, boolean on) {
        return calls.call(userId, () -> {
            if (on) {
                typing.start(userId);
            } else {
                typing.stop(userId);
            }
            return CompletableFuture.completedFuture(new SetTypingResult());
        });
    }

    /**
     * A page of at most {@code limit} sequence numbers, oldest first: right before {@code beforeSeq} if it
     * is not null, else right after {@code afterSeq} (see {@link HistoryRange}); older messages are read
     * within bounds, and lost ones reported (see {@link HistoryReads}).
     */
    public CompletableFuture<HistoryPage> history(long userId, long afterSeq, Long beforeSeq, int limit) {
        return calls.call(userId, () -> historyReads.page(userId, afterSeq, beforeSeq, limit));
    }

    // ---- editing and deleting --------------------------------------------------------------------

    /** Replaces the text of {@code userId}'s message {@code seq}; see {@link MessageChange} for the rules. */
    public CompletableFuture<Message> editMessage(long userId, long seq, String text, Long expectedVersion) {
        return calls.call(userId, () -> changes.edit(userId, seq, text, expectedVersion));
    }

    /** Makes {@code userId}'s message {@code seq} a tombstone; see {@link MessageChange} for the rules. */
    public CompletableFuture<Message> deleteMessage(long userId, long seq, Long expectedVersion) {
        return calls.call(userId, () -> changes.delete(userId, seq, expectedVersion));
    }

    // ---- read state ------------------------------------------------------------------------------

    /**
     * Moves {@code userId}'s read mark up to {@code upToSeq} (at most the last sequence number); completes
     * once it is durable, with the user's read state. A mark below the current one changes nothing.
     */
    public CompletableFuture<ReadState> markRead(long userId, long upToSeq) {
        return calls.call(userId, () -> readState.markRead(userId, upToSeq));
    }

    /** Both partners' read marks, and {@code userId}'s unread count. */
    public CompletableFuture<ReadState> readState(long userId) {
        return calls.call(userId, () -> readState.readState(userId));
    }

    // ---- memos and calendar ---------------------------------------------------------------------

    /** Runs a memo or calendar operation of {@code userId}, after the ones before it; see {@link CoupleSpace}. */
    public <T> CompletableFuture<T> space(long userId, SpaceCall<T> call) {
        return calls.call(userId, () -> space.run(
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
        if (loadTimeout != null) {
            loadTimeout.cancel(false); // a load that failed or was given up: its timer must not hold the actor
        }
        // Whatever a part throws, the couple retires: one closed and never retired is "being reloaded" for good.
        try {
            sends.failAll(cause);
            space.close(cause);
            readState.close(cause);
            changes.close(cause);
            events.close(reason);
            typing.clear();
            if (wasLoading) {
                calls.loadEnded();
            }
        } finally {
            LOG.debug("Couple {} closed: {}", coupleId, reason);
            retirement.closed();
        }
    }

    /**
     * Leaves the registry once no write is in flight, so that no second load races a write; at the latest
     * after the retire timeout ({@link Retirement}).
     */
    private void retireIfIdle() {
        if (state == State.CLOSED) {
            retirement.check();
        }
    }

    /** Unloads the couple if nobody used it for the idle timeout. */
    void closeIfIdle() {
        executor.execute(() -> {
            if (state == State.ACTIVE && delivery.isEmpty() && sends.isIdle() && space.isIdle() && readState.isIdle()
                    && changes.isIdle() && clock.millis() - lastActivityMillis > limits.idleTimeout.toMillis()) {
                close(new NotOwnerException("couple " + coupleId + " unloaded while idle"), "idle");
            }
        });
    }
}
