package io.duet.app.couple;

import io.duet.app.internal.SerialExecutor;
import io.duet.app.rpc.ApiErrors;
import io.duet.app.storage.CoupleStore;
import io.duet.app.storage.CoupleStore.OrderKey;
import io.duet.app.storage.FencedException;
import io.duet.protocol.api.ErrorCode;
import io.duet.protocol.api.Message;
import io.duet.protocol.api.MessageKind;
import io.duet.protocol.api.SendMessageRequest;
import io.duet.protocol.api.SendMessageResult;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The couple's send path: deduplication, per-sender order, group commit. Confined to the couple's
 * executor.
 *
 * <p><b>Deduplication</b> is keyed by (sender, client message id). A send already committed is answered
 * with its first sequence number: from memory, else from the row's dedup index in HBase.
 *
 * <p><b>Order.</b> A send that names an order stream is stored only after the stream's message it names
 * as its predecessor ({@code afterOrdinal}); until then it is held, for at most {@link
 * CoupleLimits#orderWait}, then fails with UNAVAILABLE so that the client resends both in order. A send
 * whose ordinal is already taken by a later accepted message fails with OUT_OF_ORDER: it is never
 * stored out of order. The highest ordinal stored per stream is written with each batch, so a new owner
 * continues where the old one stopped. Sends without a stream are stored in arrival order.
 *
 * <p><b>Group commit.</b> Accepted sends queue while a commit is in flight and are then committed
 * together in one conditional write; sequence numbers are assigned when a batch is formed, so a failed
 * batch leaves no gap. A send is acknowledged only after its batch is durable.
 */
final class SendPipeline {
    private static final Logger LOG = LoggerFactory.getLogger(SendPipeline.class);
    private static final int MAX_REPORTED_LOST = 1024;

    /** What the pipeline needs from its actor. */
    interface Owner {
        /**
         * Called after messages were committed and appended to the log.
         *
         * @param committedNanos when HBase acknowledged the commit ({@link System#nanoTime()})
         */
        void committed(List<Message> messages, long committedNanos);

        /** A send's dedup entry names {@code seq}, but HBase no longer has that message: data loss. */
        void storedMessageLost(long seq);
    }

    private final long coupleId;
    private final SerialExecutor executor;
    private final CoupleStore store;
    private final CoupleLimits limits;
    private final ScheduledExecutorService timers;
    private final Clock clock;
    private final CoupleLog log;
    private final FencedWriter writer;
    private final Owner owner;

    private final LinkedHashMap<PendingSend.Key, PendingSend.Stored> committed = new LinkedHashMap<>();
    private final Map<PendingSend.Key, PendingSend> pending = new HashMap<>();
    private final ArrayDeque<PendingSend> queue = new ArrayDeque<>();
    /** Sends without an order stream whose dedup look-up is under way, in arrival order. */
    private final ArrayDeque<PendingSend> lookingUp = new ArrayDeque<>();
    private final Map<OrderKey, OrderStream> streams = new HashMap<>();
    private int held;
    /** Lost messages already reported, so that each resend of one does not count it again. */
    private final Set<Long> reportedLost = new HashSet<>();
    private List<PendingSend> inflight;
    /** Set once the actor unloads: every send still arriving fails with it. */
    private RuntimeException closedCause;

    SendPipeline(long coupleId, SerialExecutor executor, CoupleStore store, CoupleLimits limits,
            ScheduledExecutorService timers, Clock clock, CoupleLog log, FencedWriter writer, Owner owner) {
        this.coupleId = coupleId;
        this.executor = executor;
        this.store = store;
        this.limits = limits;
        this.timers = timers;
        this.clock = clock;
        this.log = log;
        this.writer = writer;
        this.owner = owner;
    }

    /** Remembers the ids of messages loaded with the couple. */
    void loaded(List<Message> recent) {
        recent.forEach(this::remember);
    }

    /**
     * Starts from the order streams' marks read with the claim (the highest ordinal stored per stream), so
     * that the first send of these streams needs no read; before any send.
     */
    void loadedOrderMarks(Map<OrderKey, Long> orderMarks) {
        orderMarks.forEach((key, mark) -> streams.computeIfAbsent(key, k -> new OrderStream()).loaded(mark));
    }

    boolean isIdle() {
        return pending.isEmpty() && inflight == null;
    }

    boolean commitInFlight() {
        return inflight != null;
    }

    /** Checks a request's ordering fields; null when they are fine. */
    static String orderingProblem(SendMessageRequest request) {
        if (!request.isSetOrderStream()) {
            return request.isSetOrdinal() || request.isSetAfterOrdinal() ? "ordinal needs an orderStream" : null;
        }
        String stream = request.getOrderStream();
        if (stream.isEmpty() || stream.length() > CoupleLimits.MAX_ORDER_STREAM_CHARS) {
            return "orderStream: expected 1 to " + CoupleLimits.MAX_ORDER_STREAM_CHARS + " characters";
        }
        if (!request.isSetOrdinal() || request.getOrdinal() < 1) {
            return "ordinal: " + request.getOrdinal() + " (expected: >= 1 with an orderStream)";
        }
        if (request.getAfterOrdinal() < 0 || request.getAfterOrdinal() >= request.getOrdinal()) {
            return "afterOrdinal: " + request.getAfterOrdinal() + " (expected: 0 to " + (request.getOrdinal() - 1) + ")";
        }
        return null;
    }

    CompletableFuture<SendMessageResult> send(long senderId, String deviceId, SendMessageRequest request) {
        return send(senderId, deviceId, request, null);
    }

    /**
     * {@code photoId} not null: a photo message (kind PHOTO) announcing that photo; else a STICKER message if
     * the request names a sticker, or a TEXT message.
     */
    CompletableFuture<SendMessageResult> send(long senderId, String deviceId, SendMessageRequest request,
            String photoId) {
        executor.checkInContext();
        PendingSend.Key key = new PendingSend.Key(senderId, request.getClientMessageId());
        PendingSend.Stored done = committed.get(key);
        if (done != null) {
            return CompletableFuture.completedFuture(done.result(true));
        }
        PendingSend existing = pending.get(key);
        if (existing != null) {
            CompletableFuture<SendMessageResult> retry = existing.addRetry();
            followEarlierPredecessor(existing, request);
            return retry;
        }
        if (pending.size() >= limits.maxQueued) {
            return CompletableFuture.failedFuture(ApiErrors.busy("too many messages waiting to be stored; retry later"));
        }
        OrderKey orderKey = request.isSetOrderStream() ? new OrderKey(senderId, request.getOrderStream()) : null;
        PendingSend send = new PendingSend(key, deviceId, request.getText(), photoId, request.getSticker(), orderKey,
                request.getOrdinal(), request.getAfterOrdinal());
        pending.put(key, send);
        if (orderKey == null) {
            lookUpUnordered(send);
            return send.first;
        }
        OrderStream stream = streams.get(orderKey);
        if (stream == null) {
            stream = new OrderStream();
            streams.put(orderKey, stream);
            loadStream(orderKey, stream, send);
        } else if (stream.loading) {
            stream.waiting.add(send);
        } else {
            admit(stream, send, false);
        }
        return send.first;
    }

    // ---- deduplication against HBase -------------------------------------------------------------

    /** A send without a stream: it may have been stored before this load, so ask the row first. */
    private void lookUpUnordered(PendingSend send) {
        lookingUp.add(send);
        store.findSend(coupleId, send.key.senderId, send.key.clientMessageId, null)
                .whenCompleteAsync((history, failure) -> {
                    send.lookUp = failure != null ? PendingSend.LookUp.failed(failure) : PendingSend.LookUp.of(history.storedSeq());
                    // Release in arrival order, whatever order the reads finished in.
                    while (!lookingUp.isEmpty() && lookingUp.peekFirst().lookUp != null) {
                        PendingSend next = lookingUp.pollFirst();
                        if (next.lookUp.failure != null) {
                            fail(next, ApiErrors.toWire(next.lookUp.failure));
                        } else if (next.lookUp.storedSeq.isPresent()) {
                            completeDuplicate(next, next.lookUp.storedSeq.getAsLong());
                        } else {
                            enqueue(next);
                        }
                    }
                }, executor);
    }

    /** The first send of a stream this load has not seen: read the stream's mark (and this send's dedup entry). */
    private void loadStream(OrderKey orderKey, OrderStream stream, PendingSend first) {
        stream.loading = true;
        store.findSend(coupleId, first.key.senderId, first.key.clientMessageId, orderKey)
                .whenCompleteAsync((history, failure) -> {
                    stream.loading = false;
                    List<PendingSend> waiting = new ArrayList<>(stream.waiting);
                    stream.waiting.clear();
                    if (failure != null) {
                        streams.remove(orderKey, stream);
                        fail(first, ApiErrors.toWire(failure));
                        waiting.forEach(send -> fail(send, ApiErrors.toWire(failure)));
                        return;
                    }
                    stream.loaded(Math.max(0, history.lastOrdinal()));
                    if (history.storedSeq().isPresent()) {
                        completeDuplicate(first, history.storedSeq().getAsLong());
                    } else {
                        admit(stream, first, true);
                    }
                    waiting.forEach(send -> admit(stream, send, false));
                }, executor);
    }

    /** Answers a send already stored under {@code seq}, with the time it was stored. */
    private void completeDuplicate(PendingSend send, long seq) {
        List<Message> inMemory = log.inMemory(seq, seq);
        CompletableFuture<List<Message>> stored = inMemory.isEmpty() ? store.read(coupleId, seq, seq, 1)
                : CompletableFuture.completedFuture(inMemory);
        stored.whenCompleteAsync((found, failure) -> {
            if (failure != null) {
                fail(send, ApiErrors.toWire(failure));
                return;
            }
            if (found.isEmpty()) {
                // The dedup entry and the message were written by one atomic commit: the message is lost,
                // and asking again would never find it. The sender hears so, and may send it anew.
                if (reportedLost.size() < MAX_REPORTED_LOST && reportedLost.add(seq)) {
                    owner.storedMessageLost(seq);
                }
                fail(send, ApiErrors.of(ErrorCode.INTERNAL, "message " + send.key.clientMessageId + " was stored as "
                        + seq + ", but storage has lost it; send it again as a new message"));
                return;
            }
            PendingSend.Stored first = new PendingSend.Stored(seq, found.get(0).getSentAtMillis());
            pending.remove(send.key);
            remember(send.key, first);
            send.complete(first, true);
        }, executor);
    }

    // ---- order -----------------------------------------------------------------------------------

    /** Sends a send of a known stream where it belongs: the queue, the held set, or an error. */
    private void admit(OrderStream stream, PendingSend send, boolean lookedUp) {
        switch (stream.admit(send, lookedUp)) {
            case ACCEPT:
                accept(stream, send);
                break;
            case HOLD:
                hold(stream, send);
                break;
            case MAYBE_STORED:
                // Perhaps stored before this load, beyond the ids in memory: ask the row.
                store.findSend(coupleId, send.key.senderId, send.key.clientMessageId, null)
                        .whenCompleteAsync((history, failure) -> {
                            if (failure != null) {
                                fail(send, ApiErrors.toWire(failure));
                            } else if (history.storedSeq().isPresent()) {
                                completeDuplicate(send, history.storedSeq().getAsLong());
                            } else {
                                failOutOfOrder(send, stream);
                            }
                        }, executor);
                break;
            default:
                failOutOfOrder(send, stream);
        }
    }

    /**
     * A retry of a held send that names an earlier predecessor (the one it named failed for good, so the
     * client now asks for it to follow the message before): the held send follows that one instead, and
     * goes at once if it may.
     */
    private void followEarlierPredecessor(PendingSend send, SendMessageRequest retry) {
        OrderStream stream = send.orderKey == null ? null : streams.get(send.orderKey);
        if (stream == null || !retry.isSetOrderStream() || !send.orderKey.equals(new OrderKey(send.key.senderId,
                retry.getOrderStream())) || retry.getOrdinal() != send.ordinal
                || retry.getAfterOrdinal() >= send.afterOrdinal || !stream.holds(send)) {
            return;
        }
        send.afterOrdinal = retry.getAfterOrdinal();
        if (stream.admit(send, true) == OrderStream.Admission.ACCEPT && stream.release(send)) {
            held--;
            send.holdTimer.cancel(false);
            accept(stream, send);
        }
    }

    private void failOutOfOrder(PendingSend send, OrderStream stream) {
        fail(send, ApiErrors.of(ErrorCode.OUT_OF_ORDER, "message " + send.ordinal + " of order stream "
                + send.orderKey + " comes after message " + stream.accepted() + ", which is already accepted; not stored"));
    }

    private void accept(OrderStream stream, PendingSend send) {
        List<PendingSend> refused = new ArrayList<>();
        List<PendingSend> released = stream.accept(send, refused);
        enqueue(send);
        // Held successors whose predecessor is now accepted go next, in ordinal order.
        for (PendingSend next : released) {
            held--;
            next.holdTimer.cancel(false);
            enqueue(next);
        }
        for (PendingSend next : refused) {
            held--;
            failOutOfOrder(next, stream);
        }
    }

    private void hold(OrderStream stream, PendingSend send) {
        if (closedCause != null) {
            fail(send, closedCause);
            return;
        }
        if (held >= limits.maxHeld) {
            fail(send, ApiErrors.unavailable("too many messages waiting for earlier ones; retry in order"));
            return;
        }
        if (!stream.hold(send)) {
            failOutOfOrder(send, stream);
            return;
        }
        held++;
        LOG.debug("Couple {}: send {} (ordinal {}) held for its predecessor {}", coupleId, send.key.clientMessageId,
                send.ordinal, send.afterOrdinal);
        send.holdTimer = timers.schedule(() -> executor.execute(() -> {
            if (!stream.release(send)) {
                return;
            }
            held--;
            if (stream.unknown()) {
                // Nothing of this stream is stored, or it was forgotten (idle past the dedup window):
                // its predecessor will not come. Go on from here rather than refuse the stream forever.
                stream.loaded(send.afterOrdinal);
                accept(stream, send);
                return;
            }
            fail(send, ApiErrors.unavailable("message " + send.afterOrdinal + " of order stream " + send.orderKey
                    + " has not arrived; send it, then this one"));
        }), limits.orderWait.toMillis(), TimeUnit.MILLISECONDS);
    }

    // ---- group commit ----------------------------------------------------------------------------

    private void enqueue(PendingSend send) {
        if (closedCause != null) {
            fail(send, closedCause);
            return;
        }
        queue.add(send);
        flush();
    }

    private void flush() {
        if (inflight != null || queue.isEmpty()) {
            return;
        }
        if (!writer.writable()) {
            List<PendingSend> refused = new ArrayList<>(queue);
            queue.clear();
            // Nothing is in a commit: what was accepted but not stored is free to be sent again, in order.
            streams.values().forEach(OrderStream::forgetUncommitted);
            refused.forEach(send -> fail(send, ApiErrors.unavailable("this server cannot write couple " + coupleId
                    + " now; retry")));
            return;
        }
        List<PendingSend> batch = new ArrayList<>();
        List<Message> messages = new ArrayList<>();
        Map<OrderKey, Long> marks = new HashMap<>();
        long now = clock.millis();
        long expectedLastSeq = log.lastSeq();
        long seq = expectedLastSeq;
        while (!queue.isEmpty() && batch.size() < limits.maxBatch) {
            PendingSend send = queue.poll();
            batch.add(send);
            messages.add(new Message()
                    .setSeq(++seq)
                    .setClientMessageId(send.key.clientMessageId)
                    .setSenderId(send.key.senderId)
                    .setSenderDeviceId(send.deviceId)
                    .setSentAtMillis(now)
                    .setKind(send.photoId != null ? MessageKind.PHOTO
                            : send.sticker != null ? MessageKind.STICKER : MessageKind.TEXT)
                    .setText(send.sticker != null ? "" : send.text)
                    .setPhotoId(send.photoId)
                    .setSticker(send.sticker));
            if (send.orderKey != null) {
                marks.merge(send.orderKey, send.ordinal, Math::max);
            }
        }
        inflight = batch;
        long startedNanos = System.nanoTime();
        CompletableFuture<Void> commit;
        try {
            commit = store.commit(coupleId, writer.fence(), expectedLastSeq, messages, marks);
        } catch (RuntimeException e) {
            commit = CompletableFuture.failedFuture(e);
        }
        // The moment of HBase's answer is taken where it arrives, before the hop to the couple's executor.
        commit.handle((ignored, failure) -> new Outcome(System.nanoTime(), failure)).thenAcceptAsync(
                outcome -> committed(batch, messages, marks, outcome.failure, startedNanos, outcome.nanos), executor);
    }

    /** What became of a commit, and when HBase answered ({@link System#nanoTime()}). */
    private record Outcome(long nanos, Throwable failure) {
    }

    private void committed(List<PendingSend> batch, List<Message> messages, Map<OrderKey, Long> marks,
            Throwable failure, long startedNanos, long committedNanos) {
        executor.checkInContext();
        inflight = null;
        if (failure != null) {
            Throwable cause = ApiErrors.unwrap(failure);
            // "failed: <exception>" stays as it was: tests and operators' alerts match it.
            LOG.warn("Commit of {} messages of couple {} (sent {} ms before) failed: {}", batch.size(), coupleId,
                    TimeUnit.NANOSECONDS.toMillis(committedNanos - startedNanos), cause.toString());
            Exception error = cause instanceof FencedException ? new NotOwnerException(cause.getMessage())
                    : ApiErrors.unavailable("the outcome of storing the message is unknown; retry with the same id");
            for (PendingSend send : batch) {
                fail(send, error);
            }
            writer.failed("commit", cause);
            return;
        }
        log.append(messages);
        for (int i = 0; i < batch.size(); i++) {
            Message message = messages.get(i);
            PendingSend.Stored first = new PendingSend.Stored(message.getSeq(), message.getSentAtMillis());
            pending.remove(batch.get(i).key);
            remember(batch.get(i).key, first);
            batch.get(i).complete(first, false);
        }
        marks.forEach((key, ordinal) -> {
            OrderStream stream = streams.get(key);
            if (stream != null) {
                stream.committed(ordinal);
            }
        });
        owner.committed(messages, committedNanos);
        flush();
    }

    /** Fails every send that is not in a commit (whose outcome will decide it). */
    void failAll(RuntimeException cause) {
        closedCause = cause;
        for (PendingSend send : new ArrayList<>(pending.values())) {
            if (inflight == null || !inflight.contains(send)) {
                fail(send, cause);
            }
        }
        queue.clear();
        lookingUp.clear();
        streams.clear();
        held = 0;
    }

    private void fail(PendingSend send, Throwable error) {
        if (LOG.isDebugEnabled()) {
            LOG.debug("Couple {}: send {} of user {} refused: {}", coupleId, send.key.clientMessageId, send.key.senderId,
                    error.toString());
        }
        pending.remove(send.key, send);
        send.fail(error);
    }

    private void remember(Message message) {
        remember(new PendingSend.Key(message.getSenderId(), message.getClientMessageId()),
                new PendingSend.Stored(message.getSeq(), message.getSentAtMillis()));
    }

    private void remember(PendingSend.Key key, PendingSend.Stored first) {
        committed.put(key, first);
        if (committed.size() > limits.dedupIds) {
            Iterator<PendingSend.Key> oldest = committed.keySet().iterator();
            oldest.next();
            oldest.remove();
        }
    }
}
