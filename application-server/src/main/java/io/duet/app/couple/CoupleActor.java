package io.duet.app.couple;

import io.duet.app.internal.SerialExecutor;
import io.duet.app.rpc.ApiErrors;
import io.duet.app.storage.CoupleNotFoundException;
import io.duet.app.storage.CoupleSnapshot;
import io.duet.app.storage.CoupleStore;
import io.duet.app.storage.FencedException;
import io.duet.protocol.api.ErrorCode;
import io.duet.protocol.api.Event;
import io.duet.protocol.api.HistoryPage;
import io.duet.protocol.api.Message;
import io.duet.protocol.api.MessageEvent;
import io.duet.protocol.api.MessageKind;
import io.duet.protocol.api.SendMessageRequest;
import io.duet.protocol.api.SendMessageResult;
import io.duet.protocol.api.SetTypingResult;
import io.duet.protocol.api.SubscribeResult;
import io.duet.protocol.api.TypingEvent;
import io.duet.protocol.thrift.ThriftCodec;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One loaded couple. All its state is confined to {@link #executor}: public methods only enqueue work
 * there and return futures.
 *
 * <p><b>Sending.</b> Messages queue up while a commit is in flight and are then committed together,
 * in one conditional HBase write (group commit); sequence numbers are assigned when a batch is formed,
 * so a failed batch leaves no gap. A send is acknowledged only after its batch is durable. A retry
 * with the same client message id is answered with the first attempt's sequence number: from memory
 * for recent messages, otherwise from the row's dedup index.
 *
 * <p><b>Delivery.</b> A subscribed session first receives every message after the sequence number it
 * gave (from memory, or from HBase page by page), then live events, always in sequence order.
 *
 * <p><b>Failure.</b> A commit whose outcome is unknown, or one refused by fencing, closes the actor:
 * sessions are told to route again, and the next load reads the truth back from HBase under a new
 * fence value.
 */
public final class CoupleActor {
    private static final Logger LOG = LoggerFactory.getLogger(CoupleActor.class);
    private static final ThriftCodec EVENTS = ThriftCodec.INTERNAL;
    private static final int CATCH_UP_PAGE = 500;

    private enum State { LOADING, ACTIVE, CLOSED }

    private final long coupleId;
    private final int shard;
    private final long epoch;
    private final SerialExecutor executor;
    private final CoupleStore store;
    private final CoupleLimits limits;
    private final ScheduledExecutorService timers;
    private final Clock clock;
    private final BooleanSupplier writable;
    private final Consumer<CoupleActor> onRetired;

    // Everything below is confined to the executor.
    private State state = State.LOADING;
    private final List<Runnable> waitingForLoad = new ArrayList<>();
    private RuntimeException closedCause;
    private long fence;
    private long userA;
    private long userB;
    private long lastSeq;
    private final ArrayDeque<Message> recent = new ArrayDeque<>();
    private final LinkedHashMap<String, Committed> committedById = new LinkedHashMap<>();
    private final Map<String, PendingSend> pendingById = new HashMap<>();
    private final ArrayDeque<PendingSend> queue = new ArrayDeque<>();
    private List<PendingSend> inflight;
    private final Map<SessionStream, Subscription> sessions = new IdentityHashMap<>();
    private final Map<Long, Typing> typing = new HashMap<>();
    private long lastActivityMillis;
    private boolean retired;

    CoupleActor(long coupleId, int shard, long epoch, SerialExecutor executor, CoupleStore store, CoupleLimits limits,
            ScheduledExecutorService timers, Clock clock, BooleanSupplier writable, Consumer<CoupleActor> onRetired) {
        this.coupleId = coupleId;
        this.shard = shard;
        this.epoch = epoch;
        this.executor = executor;
        this.store = store;
        this.limits = limits;
        this.timers = timers;
        this.clock = clock;
        this.writable = writable;
        this.onRetired = onRetired;
        this.lastActivityMillis = clock.millis();
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
            if (!(cause instanceof CoupleNotFoundException) && !(cause instanceof FencedException)) {
                LOG.warn("Cannot load couple {}: {}", coupleId, cause.toString());
            }
            close(cause instanceof RuntimeException ? (RuntimeException) cause : new NotOwnerException(cause.toString()),
                    "load failed");
            return;
        }
        fence = snapshot.fence();
        userA = snapshot.userA();
        userB = snapshot.userB();
        lastSeq = snapshot.lastSeq();
        for (Message message : snapshot.recentMessages()) {
            remember(message);
        }
        state = State.ACTIVE;
        runWaiting();
    }

    private void runWaiting() {
        List<Runnable> waiting = new ArrayList<>(waitingForLoad);
        waitingForLoad.clear();
        waiting.forEach(Runnable::run);
    }

    /** Runs {@code operation} on the executor once the couple is loaded. */
    private <T> CompletableFuture<T> whenActive(Supplier<CompletableFuture<T>> operation) {
        CompletableFuture<T> result = new CompletableFuture<>();
        executor.execute(() -> {
            Runnable run = () -> {
                if (state != State.ACTIVE) {
                    result.completeExceptionally(closedError());
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
                waitingForLoad.add(run);
            } else {
                run.run();
            }
        });
        return result;
    }

    private RuntimeException closedError() {
        return closedCause != null ? closedCause : new NotOwnerException("couple " + coupleId + " was unloaded; retry");
    }

    private static <T> CompletableFuture<T> failed(ErrorCode code, String message) {
        return CompletableFuture.failedFuture(ApiErrors.of(code, message));
    }

    private boolean isMember(long userId) {
        return userId == userA || userId == userB;
    }

    private long partnerOf(long userId) {
        return userId == userA ? userB : userA;
    }

    // ---- sessions and delivery -------------------------------------------------------------------

    /** Attaches a session of one of the partners; fails with PERMISSION_DENIED for anyone else. */
    public CompletableFuture<Void> attach(SessionStream stream) {
        return whenActive(() -> {
            if (!isMember(stream.userId())) {
                return failed(ErrorCode.PERMISSION_DENIED, "not a member of this couple");
            }
            if (stream.isOpen()) {
                sessions.putIfAbsent(stream, new Subscription(stream));
            }
            return CompletableFuture.completedFuture(null);
        });
    }

    /** Forgets a session that ended. */
    public void detach(SessionStream stream) {
        executor.execute(() -> {
            Subscription removed = sessions.remove(stream);
            if (removed == null || state != State.ACTIVE) {
                return;
            }
            lastActivityMillis = clock.millis();
            boolean userStillHere = sessions.keySet().stream().anyMatch(s -> s.userId() == stream.userId());
            if (!userStillHere) {
                stopTyping(stream.userId());
            }
        });
    }

    /**
     * Starts delivering events to {@code stream}: first every message after {@code afterSeq}, then live
     * events. Subscribing again (after a notice that the session moved) restarts from the new point.
     */
    public CompletableFuture<SubscribeResult> subscribe(SessionStream stream, long afterSeq) {
        return whenActive(() -> {
            Subscription subscription = sessions.get(stream);
            if (subscription == null) {
                return failed(ErrorCode.INVALID_ARGUMENT, "subscribe needs a TCP session of this couple");
            }
            subscription.restartFrom(Math.max(0, Math.min(afterSeq, lastSeq)));
            int generation = subscription.generation;
            executor.execute(() -> catchUp(subscription, generation));
            return CompletableFuture.completedFuture(new SubscribeResult(lastSeq, typing.containsKey(partnerOf(stream.userId()))));
        });
    }

    private void catchUp(Subscription subscription, int generation) {
        executor.checkInContext();
        if (state != State.ACTIVE || sessions.get(subscription.stream) != subscription
                || subscription.generation != generation) {
            return;
        }
        long oldestInMemory = recent.isEmpty() ? lastSeq + 1 : recent.peekFirst().getSeq();
        if (subscription.delivered + 1 >= oldestInMemory) {
            for (Message message : recent) {
                if (message.getSeq() > subscription.delivered) {
                    subscription.push(message, encode(message));
                }
            }
            subscription.live = true;
            return;
        }
        long from = subscription.delivered + 1;
        long to = oldestInMemory - 1;
        store.read(coupleId, from, to, CATCH_UP_PAGE).whenCompleteAsync((messages, failure) -> {
            if (state != State.ACTIVE || sessions.get(subscription.stream) != subscription
                    || subscription.generation != generation) {
                return;
            }
            if (failure != null) {
                LOG.warn("Catch-up of couple {} from {} failed: {}", coupleId, from, failure.toString());
                sessions.remove(subscription.stream);
                subscription.stream.moved("catch-up failed; resubscribe");
                return;
            }
            if (messages.isEmpty()) {
                LOG.error("Couple {} has no messages {}..{} in HBase although {} is committed", coupleId, from, to, lastSeq);
                subscription.delivered = to;
            }
            for (Message message : messages) {
                subscription.push(message, encode(message));
            }
            catchUp(subscription, generation);
        }, executor);
    }

    private void broadcast(List<Message> messages) {
        for (Message message : messages) {
            byte[] event = encode(message);
            for (Subscription subscription : sessions.values()) {
                if (subscription.live && message.getSeq() > subscription.delivered) {
                    subscription.push(message, event);
                }
            }
        }
    }

    private static byte[] encode(Message message) {
        return EVENTS.encode(Event.message(new MessageEvent(message)));
    }

    // ---- sending ---------------------------------------------------------------------------------

    /** Stores a message from {@code senderId}; see the class comment for the guarantees. */
    public CompletableFuture<SendMessageResult> send(long senderId, String deviceId, SendMessageRequest request) {
        return whenActive(() -> {
            if (!isMember(senderId)) {
                return failed(ErrorCode.PERMISSION_DENIED, "not a member of this couple");
            }
            String id = request.getClientMessageId();
            Committed committed = committedById.get(id);
            if (committed != null) {
                return CompletableFuture.completedFuture(committed.result());
            }
            PendingSend pending = pendingById.get(id);
            if (pending != null) {
                return pending.addRetry();
            }
            if (pendingById.size() >= limits.maxQueued) {
                return failed(ErrorCode.RESOURCE_EXHAUSTED, "too many messages waiting to be stored; retry later");
            }
            pending = new PendingSend(id, senderId, deviceId, request.getText());
            pendingById.put(id, pending);
            CompletableFuture<SendMessageResult> result = pending.first;
            stopTyping(senderId);
            if (request.getAttempt() > 1) {
                lookUpThenQueue(pending);
            } else {
                queue.add(pending);
                flush();
            }
            return result;
        });
    }

    /** A retry we do not remember: it may have been stored before this load, beyond the recent window. */
    private void lookUpThenQueue(PendingSend pending) {
        store.findByClientMessageId(coupleId, pending.clientMessageId)
                .thenCompose(seq -> seq.isPresent()
                        ? store.read(coupleId, seq.getAsLong(), seq.getAsLong(), 1)
                        : CompletableFuture.completedFuture(List.<Message>of()))
                .whenCompleteAsync((found, failure) -> {
                    if (failure != null) {
                        pendingById.remove(pending.clientMessageId);
                        pending.fail(ApiErrors.toWire(failure));
                    } else if (!found.isEmpty()) {
                        pendingById.remove(pending.clientMessageId);
                        pending.complete(new Committed(found.get(0).getSeq(), found.get(0).getSentAtMillis()), true);
                    } else if (state == State.ACTIVE) {
                        queue.add(pending);
                        flush();
                    } else {
                        pendingById.remove(pending.clientMessageId);
                        pending.fail(closedError());
                    }
                }, executor);
    }

    private void flush() {
        executor.checkInContext();
        if (state != State.ACTIVE || inflight != null || queue.isEmpty()) {
            return;
        }
        if (!writable.getAsBoolean()) {
            failQueued(ApiErrors.unavailable("this server cannot write couple " + coupleId + " now; retry"));
            return;
        }
        List<PendingSend> batch = new ArrayList<>();
        List<Message> messages = new ArrayList<>();
        long now = clock.millis();
        long seq = lastSeq;
        while (!queue.isEmpty() && batch.size() < limits.maxBatch) {
            PendingSend pending = queue.poll();
            batch.add(pending);
            messages.add(new Message()
                    .setSeq(++seq)
                    .setClientMessageId(pending.clientMessageId)
                    .setSenderId(pending.senderId)
                    .setSenderDeviceId(pending.deviceId)
                    .setSentAtMillis(now)
                    .setKind(MessageKind.TEXT)
                    .setText(pending.text));
        }
        inflight = batch;
        store.commit(coupleId, fence, messages).whenCompleteAsync((ignored, failure) -> committed(batch, messages, failure),
                executor);
    }

    private void committed(List<PendingSend> batch, List<Message> messages, Throwable failure) {
        executor.checkInContext();
        inflight = null;
        if (failure == null) {
            lastSeq = messages.get(messages.size() - 1).getSeq();
            for (int i = 0; i < batch.size(); i++) {
                Message message = messages.get(i);
                remember(message);
                pendingById.remove(message.getClientMessageId());
                batch.get(i).complete(new Committed(message.getSeq(), message.getSentAtMillis()), false);
            }
            if (state == State.ACTIVE) {
                broadcast(messages);
                flush();
            }
        } else {
            Throwable cause = ApiErrors.unwrap(failure);
            boolean fenced = cause instanceof FencedException;
            for (PendingSend pending : batch) {
                pendingById.remove(pending.clientMessageId);
                pending.fail(fenced ? new NotOwnerException(cause.getMessage())
                        : ApiErrors.unavailable("the outcome of storing the message is unknown; retry with the same id"));
            }
            LOG.warn("Commit of {} messages of couple {} failed: {}", batch.size(), coupleId, cause.toString());
            close(new NotOwnerException("couple " + coupleId + " unloaded after a failed write: " + cause),
                    fenced ? "fenced by a newer owner" : "write outcome unknown; reloading");
        }
        retireIfIdle();
    }

    private void remember(Message message) {
        recent.addLast(message);
        while (recent.size() > limits.recentMessages) {
            recent.removeFirst();
        }
        committedById.put(message.getClientMessageId(), new Committed(message.getSeq(), message.getSentAtMillis()));
        if (committedById.size() > limits.dedupIds) {
            Iterator<String> oldest = committedById.keySet().iterator();
            oldest.next();
            oldest.remove();
        }
    }

    private void failQueued(Throwable error) {
        for (PendingSend pending : queue) {
            pendingById.remove(pending.clientMessageId);
            pending.fail(error);
        }
        queue.clear();
    }

    // ---- typing ----------------------------------------------------------------------------------

    /** Typing on or off; it turns itself off after the typing timeout unless refreshed. */
    public CompletableFuture<SetTypingResult> setTyping(long userId, boolean on) {
        return whenActive(() -> {
            if (!isMember(userId)) {
                return failed(ErrorCode.PERMISSION_DENIED, "not a member of this couple");
            }
            if (on) {
                Typing current = typing.get(userId);
                boolean wasTyping = current != null;
                Typing refreshed = new Typing(wasTyping ? current.token + 1 : 0);
                typing.put(userId, refreshed);
                timers.schedule(() -> executor.execute(() -> expireTyping(userId, refreshed.token)),
                        limits.typingTimeout.toMillis(), TimeUnit.MILLISECONDS);
                if (!wasTyping) {
                    notifyTyping(userId, true);
                }
            } else {
                stopTyping(userId);
            }
            return CompletableFuture.completedFuture(new SetTypingResult());
        });
    }

    private void expireTyping(long userId, long token) {
        Typing current = typing.get(userId);
        if (state == State.ACTIVE && current != null && current.token == token) {
            stopTyping(userId);
        }
    }

    private void stopTyping(long userId) {
        if (typing.remove(userId) != null) {
            notifyTyping(userId, false);
        }
    }

    private void notifyTyping(long userId, boolean on) {
        byte[] event = EVENTS.encode(Event.typing(new TypingEvent(userId, on)));
        for (Subscription subscription : sessions.values()) {
            if (subscription.subscribed && subscription.stream.userId() != userId) {
                subscription.stream.pushEvent(event);
            }
        }
    }

    // ---- history ---------------------------------------------------------------------------------

    /** Up to {@code limit} messages after {@code afterSeq}, oldest first. */
    public CompletableFuture<HistoryPage> history(long userId, long afterSeq, int limit) {
        return whenActive(() -> {
            if (!isMember(userId)) {
                return failed(ErrorCode.PERMISSION_DENIED, "not a member of this couple");
            }
            int pageSize = Math.max(1, Math.min(limit, CoupleLimits.MAX_PAGE));
            long latest = lastSeq;
            long from = Math.max(1, afterSeq + 1);
            if (from > latest) {
                return CompletableFuture.completedFuture(new HistoryPage(List.of(), false, latest));
            }
            long to = Math.min(latest, from + pageSize - 1);
            if (!recent.isEmpty() && from >= recent.peekFirst().getSeq()) {
                List<Message> page = new ArrayList<>();
                for (Message message : recent) {
                    if (message.getSeq() >= from && message.getSeq() <= to) {
                        page.add(message);
                    }
                }
                return CompletableFuture.completedFuture(new HistoryPage(page, to < latest, latest));
            }
            return store.read(coupleId, from, to, pageSize)
                    .thenApply(page -> new HistoryPage(page, to < latest, latest));
        });
    }

    // ---- lifecycle -------------------------------------------------------------------------------

    /** Unloads the couple: queued sends fail (to be retried elsewhere), sessions are told to route again. */
    public void close(String reason) {
        executor.execute(() -> close(new NotOwnerException("couple " + coupleId + " unloaded: " + reason), reason));
    }

    private void close(RuntimeException cause, String reason) {
        executor.checkInContext();
        if (state == State.CLOSED) {
            return;
        }
        boolean wasLoading = state == State.LOADING;
        state = State.CLOSED;
        closedCause = cause;
        failQueued(cause);
        for (SessionStream stream : sessions.keySet()) {
            stream.moved(reason);
        }
        sessions.clear();
        typing.clear();
        if (wasLoading) {
            runWaiting();
        }
        LOG.debug("Couple {} closed: {}", coupleId, reason);
        retireIfIdle();
    }

    /** Leaves the registry only when no write is in flight, so that no second load races a write. */
    private void retireIfIdle() {
        if (state == State.CLOSED && inflight == null && !retired) {
            retired = true;
            onRetired.accept(this);
        }
    }

    /** Unloads the couple if nobody used it for the idle timeout. */
    void closeIfIdle() {
        executor.execute(() -> {
            if (state == State.ACTIVE && sessions.isEmpty() && queue.isEmpty() && inflight == null
                    && pendingById.isEmpty() && clock.millis() - lastActivityMillis > limits.idleTimeout.toMillis()) {
                close(new NotOwnerException("couple " + coupleId + " unloaded while idle"), "idle");
            }
        });
    }

    // ---- small records ---------------------------------------------------------------------------

    private static final class Committed {
        final long seq;
        final long sentAtMillis;

        Committed(long seq, long sentAtMillis) {
            this.seq = seq;
            this.sentAtMillis = sentAtMillis;
        }

        SendMessageResult result() {
            return new SendMessageResult(seq, sentAtMillis, true);
        }
    }

    private static final class PendingSend {
        final String clientMessageId;
        final long senderId;
        final String deviceId;
        final String text;
        final CompletableFuture<SendMessageResult> first = new CompletableFuture<>();
        final List<CompletableFuture<SendMessageResult>> retries = new ArrayList<>(0);

        PendingSend(String clientMessageId, long senderId, String deviceId, String text) {
            this.clientMessageId = clientMessageId;
            this.senderId = senderId;
            this.deviceId = deviceId;
            this.text = text;
        }

        CompletableFuture<SendMessageResult> addRetry() {
            CompletableFuture<SendMessageResult> retry = new CompletableFuture<>();
            retries.add(retry);
            return retry;
        }

        void complete(Committed committed, boolean firstWasDuplicate) {
            first.complete(new SendMessageResult(committed.seq, committed.sentAtMillis, firstWasDuplicate));
            retries.forEach(retry -> retry.complete(committed.result()));
        }

        void fail(Throwable error) {
            first.completeExceptionally(error);
            retries.forEach(retry -> retry.completeExceptionally(error));
        }
    }

    private static final class Subscription {
        final SessionStream stream;
        boolean subscribed;
        boolean live;
        long delivered;
        int generation;

        Subscription(SessionStream stream) {
            this.stream = stream;
        }

        void restartFrom(long afterSeq) {
            subscribed = true;
            live = false;
            delivered = afterSeq;
            generation++;
        }

        void push(Message message, byte[] event) {
            stream.pushEvent(event);
            delivered = message.getSeq();
        }
    }

    /** A partner's typing state; the token tells a stale expiry timer from a refreshed one. */
    private static final class Typing {
        final long token;

        Typing(long token) {
            this.token = token;
        }
    }
}
