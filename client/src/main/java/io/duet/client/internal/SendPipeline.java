package io.duet.client.internal;

import io.duet.client.ConnectionState;
import io.duet.client.DuetClientException;
import io.duet.protocol.api.ChatService;
import io.duet.protocol.api.DuetError;
import io.duet.protocol.api.ErrorCode;
import io.duet.protocol.api.Message;
import io.duet.protocol.api.SendMessageRequest;
import io.duet.protocol.api.SendMessageResult;
import io.duet.protocol.api.StickerRef;
import io.duet.protocol.api.commonConstants;
import io.duet.protocol.thrift.UuidBytes;
import io.netty.channel.EventLoop;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The session's outgoing messages, from {@link #send} until the server acknowledges them: each takes
 * the next ordinal in this session's order stream (see {@code SendMessageRequest}) and names the one it
 * must be stored after, is transmitted whenever the session is connected, retried after a transient
 * failure ({@code UNAVAILABLE}, {@code RESOURCE_EXHAUSTED}, {@code RATE_LIMITED}, {@code BUSY}, a lost call)
 * after the delay the server names, or naming its order stream again after {@code ORDER_STREAM_UNDECLARED}
 * (the stream is named in each send until the server says it keeps it for the session, {@code
 * orderStreamKept}, and again on every new route), and retransmitted at once with the
 * same client message id after every reconnect or session move until acknowledged, by the reply to
 * {@code sendMessage} or by our own message coming back as an event (a catch-up after a reconnect sends
 * it; live, the server does not send a session that subscribed with noEcho its own messages). A send acknowledged by its reply is
 * handed on as stored ({@code stored}), so that {@link Delivery} puts it in the timeline: that reply is
 * all this session hears of it. An order stream idle for 24 hours is replaced by a new one.
 *
 * <p>Confined to the session's event loop: {@link #send} and {@link #pendingCount} may be called from
 * any thread ({@code send} hops onto the loop); every other method runs there. Time is the loop's
 * ({@link EventLoop#ticker()}). When to transmit is the lifecycle's call ({@link SessionLifecycle}); this
 * class decides what goes out and in which order.
 */
final class SendPipeline {
    private static final Logger LOG = LoggerFactory.getLogger(SendPipeline.class);
    /** The server's limit on message text, in characters. */
    private static final int MAX_TEXT_CHARS = 4000;
    /** An order stream idle this long (nothing waiting) is replaced by a new one; see send(). */
    private static final Duration ORDER_STREAM_IDLE = Duration.ofHours(24);
    /**
     * Sends transmitted and not yet answered, at most; the rest wait here, in order. A presentation server
     * takes 64 calls in flight per session ({@code client.max-calls-in-flight}) and closes a session that
     * queues hundreds more: this leaves room for the session's other calls.
     */
    static final int MAX_SENDS_IN_FLIGHT = 32;
    /** How long a send waits before its retry when the failure names no delay (a lost or timed-out call). */
    private static final long DEFAULT_RETRY_AFTER_MILLIS = 500;

    private final EventLoop loop;
    private final SessionTransport transport;
    /** The session's state ({@link SessionLifecycle#state()}): sends go out only while CONNECTED. */
    private final Supplier<ConnectionState> state;
    /** Told of each send acknowledged by its reply: its request and the reply. */
    private final BiConsumer<SendMessageRequest, SendMessageResult> stored;
    /**
     * The sends whose futures have not completed: counted up in {@link #send}, on the caller's thread, and
     * down just before a future completes, so a callback on it already sees the new count.
     */
    private final AtomicInteger pending = new AtomicInteger();

    // Confined to the loop.
    private final Map<String, Outgoing> outgoing = new LinkedHashMap<>();
    /** The ordinals of {@link #outgoing}, to find a send's predecessor without scanning them all. */
    private final TreeSet<Long> waitingOrdinals = new TreeSet<>();
    /** This session's order stream (see SendMessageRequest): sends are numbered 1, 2, 3, ... in it. */
    private String orderStream = newOrderStream();
    /**
     * The order stream the server keeps for this session (it said {@code orderStreamKept}), which sends leave
     * out; null until it says so, and again after every reconnect or move (a new session has none).
     */
    private String declaredStream;
    private long nextOrdinal = 1;
    /** The highest ordinal the server has acknowledged in the current order stream. */
    private long highestAcked;
    private long lastSendNanos;
    /** Calls transmitted in this generation and not yet answered. */
    private int callsInFlight;
    /** One more each time the calls in flight are forgotten: answers to older calls no longer count. */
    private long generation;
    /**
     * After a RATE_LIMITED answer, nothing new is transmitted before this ({@link #nanoTime()}): the server
     * asked this client to slow down, and sends racing ahead of a refused one would only be held for it,
     * or refused too.
     */
    private long pausedUntilNanos;

    /**
     * @param stored told, on the loop, of each send acknowledged by the reply to its call (not of one
     *     acknowledged by its message coming back, which is delivered as it is)
     */
    SendPipeline(EventLoop loop, SessionTransport transport, Supplier<ConnectionState> state,
            BiConsumer<SendMessageRequest, SendMessageResult> stored) {
        this.loop = loop;
        this.transport = transport;
        this.state = state;
        this.stored = stored;
        this.lastSendNanos = nanoTime();
        this.pausedUntilNanos = lastSendNanos;
    }

    /** Queues a message; it is sent now if connected, else after the next connect, until acknowledged. */
    CompletableFuture<SendMessageResult> send(String text) {
        return send(new Outgoing(UUID.randomUUID().toString(), text, null));
    }

    /** Queues a sticker message, like {@link #send(String)}. */
    CompletableFuture<SendMessageResult> sendSticker(StickerRef sticker) {
        return send(new Outgoing(UUID.randomUUID().toString(), "", sticker));
    }

    private CompletableFuture<SendMessageResult> send(Outgoing message) {
        String text = message.text;
        if (message.sticker == null && (text.isBlank() || text.length() > MAX_TEXT_CHARS)) {
            // Checked here, before the message takes a place in the order stream.
            message.future.completeExceptionally(new DuetClientException("text: expected 1 to " + MAX_TEXT_CHARS
                    + " characters, not all blank"));
            return message.future;
        }
        pending.incrementAndGet();
        try {
            loop.execute(() -> enqueue(message));
        } catch (RejectedExecutionException e) {
            fail(message, new DuetClientException("client closed"));
        }
        return message.future;
    }

    /** Sends not yet acknowledged and not failed: waiting to be sent, or sent and not yet acknowledged. */
    int pendingCount() {
        return pending.get();
    }

    private void enqueue(Outgoing message) {
        if (state.get() == ConnectionState.CLOSED) {
            fail(message, new DuetClientException("client closed"));
            return;
        }
        if (outgoing.isEmpty() && nanoTime() - lastSendNanos > ORDER_STREAM_IDLE.toNanos()) {
            // The server forgets an order stream after its dedup window; start a new one well before.
            orderStream = newOrderStream();
            nextOrdinal = 1;
            highestAcked = 0;
        }
        lastSendNanos = nanoTime();
        message.ordinal = nextOrdinal++;
        outgoing.put(message.clientMessageId, message);
        waitingOrdinals.add(message.ordinal);
        if (state.get() == ConnectionState.CONNECTED && callsInFlight < MAX_SENDS_IN_FLIGHT
                && nanoTime() - pausedUntilNanos >= 0) {
            transmit(message);
        }
    }

    /**
     * The session is (again) connected, or a call was answered: transmits waiting sends not already in
     * flight nor waiting for a retry, in order, up to {@link #MAX_SENDS_IN_FLIGHT}.
     */
    void transmitWaiting() {
        if (state.get() != ConnectionState.CONNECTED || nanoTime() - pausedUntilNanos < 0) {
            return;
        }
        for (Outgoing message : new ArrayList<>(outgoing.values())) {
            if (callsInFlight >= MAX_SENDS_IN_FLIGHT) {
                return;
            }
            if (!message.inFlight && !message.retryScheduled && outgoing.containsKey(message.clientMessageId)) {
                transmit(message);
            }
        }
    }

    /**
     * The calls carrying the sends are gone (connection lost or session moved): none is in flight now.
     * Their answers, failures included, no longer count and transmit nothing: the caller transmits what
     * waits once the new route is up ({@link #transmitWaiting}), so that each send is written once on it.
     */
    void forgetInFlight() {
        outgoing.values().forEach(message -> {
            message.inFlight = false;
            // A retry waiting out an answer from the old route is moot: the new route is tried at once.
            message.retryScheduled = false;
            message.retries++;
        });
        generation++;
        callsInFlight = 0;
        declaredStream = null;
    }

    /** Fails every unacknowledged send for good (the session was closed or refused). */
    void failAll(RuntimeException error) {
        List<Outgoing> failed = new ArrayList<>(outgoing.values());
        outgoing.clear();
        waitingOrdinals.clear();
        failed.forEach(message -> fail(message, error));
    }

    /**
     * A message the server pushed: if it is our own, it acknowledges the pending send it stores. Only
     * our own message (same sender, same id) does: the partner's client may well have picked the same id.
     */
    void acknowledgeIfOurs(Message message, long userId) {
        Outgoing mine = message.getSenderId() == userId ? outgoing.get(message.getClientMessageId()) : null;
        if (mine != null) {
            acknowledged(message.getClientMessageId(),
                    new SendMessageResult(message.getSeq(), message.getSentAtMillis(), false), null);
        }
    }

    private void transmit(Outgoing message) {
        message.attempt++;
        message.inFlight = true;
        callsInFlight++;
        long sentIn = generation;
        SendMessageRequest request = new SendMessageRequest(message.clientMessageId, message.text, message.attempt)
                .setOrderStream(orderStream.equals(declaredStream) ? null : orderStream)
                .setOrdinal(message.ordinal)
                .setAfterOrdinal(predecessorOf(message))
                .setSticker(message.sticker);
        SendMessageRequest wire = transport.takesClientMessageIdBytes() ? withIdAsBytes(request) : request;
        transport.<SendMessageResult>call(commonConstants.CHAT_SERVICE, "sendMessage",
                new ChatService.sendMessage_args(wire), new ChatService.sendMessage_result())
                .whenComplete((result, failure) -> {
                    boolean current = sentIn == generation;
                    if (current) {
                        callsInFlight--;
                        message.inFlight = false;
                    }
                    if (current && failure == null && result.isOrderStreamKept()
                            && orderStream.equals(request.getOrderStream())) {
                        declaredStream = orderStream;
                    } else if (current && isUndeclaredStream(failure)) {
                        // Not expected: the route we read this reply from is the one whose send acknowledged the
                        // stream (a move or reconnect drops it, and starts a new generation, before any reply
                        // of the new route is read). A server that forgot it anyway: name it again.
                        declaredStream = null;
                    }
                    if (failure == null) {
                        acknowledged(message.clientMessageId, result, request);
                    } else if (isPermanent(failure)) {
                        outgoing.remove(message.clientMessageId);
                        waitingOrdinals.remove(message.ordinal);
                        fail(message, failure);
                    } else if (current && outgoing.containsKey(message.clientMessageId)
                            && state.get() == ConnectionState.CONNECTED) {
                        retryLater(message, failure);
                    }
                    // A call of an earlier generation was written off on purpose (the session moved or
                    // reconnected): its answer frees no place in this generation, and whoever wrote it off
                    // transmits what waits on the new route. Transmitting here as well would write every
                    // pending send twice on it.
                    if (current) {
                        transmitWaiting();
                    }
                });
    }

    /** Transmits {@code message} again after the delay the server asked for (or a default). */
    private void retryLater(Outgoing message, Throwable failure) {
        long retryAfter = ServerRefusals.retryAfterMillis(failure, DEFAULT_RETRY_AFTER_MILLIS);
        if (failure instanceof DuetError && ((DuetError) failure).getCode() == ErrorCode.RATE_LIMITED) {
            pausedUntilNanos = nanoTime() + TimeUnit.MILLISECONDS.toNanos(retryAfter);
        }
        message.retryScheduled = true;
        long retryOf = ++message.retries;
        if (LOG.isDebugEnabled()) {
            LOG.debug("Send {} (attempt {}) refused for now, again in {} ms: {}", message.clientMessageId,
                    message.attempt, retryAfter, failure.toString());
        }
        loop.schedule(() -> {
            // Back in line: many retries falling due together must not exceed the cap. A move or reconnect
            // meanwhile has put it back in line already, and perhaps failed it again since.
            if (message.retries == retryOf) {
                message.retryScheduled = false;
            }
            transmitWaiting();
        }, retryAfter, TimeUnit.MILLISECONDS);
    }

    /**
     * The message this one must be stored after: the latest earlier send still waiting, else the latest
     * acknowledged one. Sends that failed for good are skipped, so they hold nothing up.
     */
    private long predecessorOf(Outgoing message) {
        Long waiting = waitingOrdinals.lower(message.ordinal);
        return Math.max(waiting == null ? 0 : waiting, Math.min(highestAcked, message.ordinal - 1));
    }

    /** {@code request} with its client message id (a UUID, as {@link #send} makes them) as 16 bytes. */
    private static SendMessageRequest withIdAsBytes(SendMessageRequest request) {
        return request.deepCopy().setClientMessageId(null)
                .setClientMessageIdBytes(UuidBytes.of(UUID.fromString(request.getClientMessageId())));
    }

    private static boolean isUndeclaredStream(Throwable failure) {
        return failure instanceof DuetError && ((DuetError) failure).getCode() == ErrorCode.ORDER_STREAM_UNDECLARED;
    }

    private static boolean isPermanent(Throwable failure) {
        return failure instanceof DuetError && !ServerRefusals.isForNow(failure) && !isUndeclaredStream(failure);
    }

    /**
     * Completes a send, if it is still waiting (a later acknowledgement of it changes nothing).
     *
     * @param byReplyTo the call whose reply this is; null when our own message came back as an event
     */
    private void acknowledged(String clientMessageId, SendMessageResult result, SendMessageRequest byReplyTo) {
        Outgoing message = outgoing.remove(clientMessageId);
        if (message == null) {
            return;
        }
        waitingOrdinals.remove(message.ordinal);
        highestAcked = Math.max(highestAcked, message.ordinal);
        pending.decrementAndGet();
        if (byReplyTo != null) {
            // Into the timeline before the future completes: whoever it tells finds the message there.
            stored.accept(byReplyTo, result);
        }
        message.future.complete(result);
    }

    private void fail(Outgoing message, Throwable failure) {
        pending.decrementAndGet();
        message.future.completeExceptionally(failure);
    }

    /** The loop's clock: the system's, or the one a test advances. */
    private long nanoTime() {
        return loop.ticker().nanoTime();
    }

    private static String newOrderStream() {
        return UUID.randomUUID().toString();
    }

    private static final class Outgoing {
        final String clientMessageId;
        final String text;
        /** A sticker message's sticker; null for text. */
        final StickerRef sticker;
        final CompletableFuture<SendMessageResult> future = new CompletableFuture<>();
        /** Its place in the session's order stream; assigned on the loop. */
        long ordinal;
        int attempt;
        boolean inFlight;
        /** A retry is scheduled: {@link #transmitWaiting()} leaves it to that. */
        boolean retryScheduled;
        /** Counts scheduled retries and forgettings, so that only the latest scheduled retry counts. */
        long retries;

        Outgoing(String clientMessageId, String text, StickerRef sticker) {
            this.clientMessageId = clientMessageId;
            this.text = text;
            this.sticker = sticker;
        }
    }
}
