package io.duet.app.relay;

import io.duet.app.couple.CoupleActor;
import io.duet.app.couple.SessionStream;
import io.duet.app.rpc.Caller;
import io.duet.app.rpc.ServiceDispatcher;
import io.duet.protocol.relay.CloseReason;
import io.duet.protocol.relay.CloseStream;
import io.duet.protocol.relay.PayloadKind;
import io.duet.protocol.relay.RelayFrame;
import io.duet.protocol.relay.RelayFrameCodec;
import io.duet.protocol.relay.StreamKind;
import io.duet.protocol.relay.WireProtocol;
import io.netty.channel.Channel;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One stream of a relay connection, seen from the application server: a client session (events can be
 * pushed to it) or an HTTP request (one reply ends it). Thread-safe: actors and the dispatcher write to
 * it from their own threads; the connection orders the writes and flushes them in bursts.
 *
 * <p><b>Credit.</b> A session stream opened with an initial credit (see {@code StreamCredit} in
 * relay.thrift) counts the bytes of every event it sends against that credit, and the presentation
 * server gives them back ({@link #granted}) as the client's socket takes them. A replay pushes only while
 * the credit is positive ({@link #canReplay()}), and otherwise waits ({@link #whenReplayable}) for a
 * grant; live events are sent regardless and may take the credit below zero. A replay that gets no
 * grant for {@link #CREDIT_STALL_TIMEOUT} ends the stream with {@code SLOW_CONSUMER}. A stream opened
 * without a credit (an older presentation server, or an HTTP request) has unlimited credit.
 */
final class AppStream implements SessionStream, ServiceDispatcher.Replier {
    /** How long a replay waits for credit before the session is given up as a slow consumer. */
    static final Duration CREDIT_STALL_TIMEOUT = Duration.ofSeconds(60);
    /** Calls held while the stream waits to be attached; as many as a presentation server queues. */
    static final int MAX_HELD_CALLS = 256;

    private final Channel channel;
    private final long streamId;
    private final StreamKind kind;
    private final Caller caller;
    private final String service;
    private final WireProtocol protocol;
    private final RelayConnectionHandler connection;
    private final AtomicBoolean open = new AtomicBoolean(true);
    private final boolean flowControlled;
    /** Bytes of events that may still be sent before the client has to drain; meaningful if flow-controlled. */
    private final AtomicLong credit;
    private final AtomicReference<CreditWait> waiting = new AtomicReference<>();
    private volatile CoupleActor couple;
    /** The presentation server said the client went quiet, and not yet that it was heard from again. */
    private volatile boolean clientQuiet;
    /** The order stream this session declared in a send (see SessionStream#keepOrderStream); null for none. */
    private volatile String orderStream;
    /** Calls that came while the stream waits for this server's shard map; null when not waiting. Event loop only. */
    private ArrayDeque<byte[]> heldCalls;

    /** @param initialCredit the stream's credit in event bytes; empty for unlimited */
    AppStream(Channel channel, long streamId, StreamKind kind, Caller caller, String service, WireProtocol protocol,
            OptionalLong initialCredit, RelayConnectionHandler connection) {
        this.channel = channel;
        this.streamId = streamId;
        this.kind = kind;
        this.caller = caller;
        this.service = service;
        this.protocol = protocol;
        this.flowControlled = initialCredit.isPresent();
        this.credit = new AtomicLong(initialCredit.orElse(0));
        this.connection = connection;
    }

    long streamId() {
        return streamId;
    }

    StreamKind kind() {
        return kind;
    }

    Caller caller() {
        return caller;
    }

    /** The service named by an HTTP request's path; null on sessions, whose calls name it themselves. */
    String service() {
        return service;
    }

    WireProtocol protocol() {
        return protocol;
    }

    void attachedTo(CoupleActor actor) {
        this.couple = actor;
    }

    /**
     * The presentation server says the session's client has been silent for {@code silentMillis} (> 0),
     * or was heard from again (0); see {@code clientSilentMillis} in relay.thrift.
     */
    void clientSilence(long silentMillis) {
        clientQuiet = silentMillis > 0;
        CoupleActor actor = couple;
        if (clientQuiet && actor != null) {
            actor.clientQuiet(this, silentMillis);
        }
    }

    @Override
    public boolean isClientQuiet() {
        return clientQuiet;
    }

    @Override
    public boolean keepOrderStream(String orderStream) {
        if (kind != StreamKind.SESSION) {
            return false;
        }
        this.orderStream = orderStream;
        return true;
    }

    @Override
    public String keptOrderStream() {
        return orderStream;
    }

    /** From now until {@link #releaseCalls()}, calls wait instead of being dispatched. */
    void holdCalls() {
        if (heldCalls == null) {
            heldCalls = new ArrayDeque<>();
        }
    }

    boolean holdsCalls() {
        return heldCalls != null;
    }

    /** @return false if too many calls wait already */
    boolean hold(byte[] call) {
        if (heldCalls.size() >= MAX_HELD_CALLS) {
            return false;
        }
        heldCalls.add(call);
        return true;
    }

    /** The calls held so far, in arrival order; calls are dispatched again from now on. */
    List<byte[]> releaseCalls() {
        List<byte[]> calls = heldCalls == null ? List.of() : new ArrayList<>(heldCalls);
        heldCalls = null;
        return calls;
    }

    @Override
    public long userId() {
        return caller.userId();
    }

    @Override
    public String deviceId() {
        return caller.deviceId();
    }

    @Override
    public boolean isOpen() {
        return open.get();
    }

    @Override
    public void reply(byte[] message) {
        reply(message, RelayFrameCodec.NO_RETRY_AFTER);
    }

    @Override
    public void replyRateLimited(byte[] message, int retryAfterMillis) {
        reply(message, retryAfterMillis);
    }

    private void reply(byte[] message, int retryAfterMillis) {
        if (!open.get()) {
            return;
        }
        connection.write(RelayFrameCodec.dataFrame(streamId, PayloadKind.REPLY, message, retryAfterMillis));
        if (kind == StreamKind.REQUEST && open.compareAndSet(true, false)) {
            connection.forget(this);
        }
    }

    @Override
    public void protocolError(String detail) {
        close(CloseReason.PROTOCOL_ERROR, detail);
    }

    /** An HTTP request's call goes back to its presentation server, which sends it to the couple's owner. */
    @Override
    public boolean handBackMoved(String detail) {
        if (kind != StreamKind.REQUEST) {
            return false;
        }
        close(CloseReason.NOT_OWNER, detail);
        return true;
    }

    @Override
    public void pushEvent(byte[] event) {
        if (open.get()) {
            if (flowControlled) {
                credit.addAndGet(-event.length);
            }
            send(PayloadKind.EVENT, event);
        }
    }

    @Override
    public boolean canReplay() {
        return !flowControlled || credit.get() > 0;
    }

    @Override
    public void whenReplayable(Runnable task) {
        CreditWait wait = new CreditWait(task);
        CreditWait replaced = waiting.getAndSet(wait);
        if (replaced != null) {
            replaced.cancel();
        }
        if (canReplay() || !open.get()) {
            // Credit came (or the stream closed) before the wait was registered: settle it now.
            resumeWaiting();
            return;
        }
        wait.stallCheck = channel.eventLoop().schedule(() -> stalled(wait), CREDIT_STALL_TIMEOUT.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    /** The presentation server returned {@code bytes} of credit; on the connection's event loop. */
    void granted(long bytes) {
        if (flowControlled && credit.addAndGet(bytes) > 0) {
            resumeWaiting();
        }
    }

    private void resumeWaiting() {
        CreditWait wait = waiting.getAndSet(null);
        if (wait != null) {
            wait.cancel();
            if (open.get()) {
                wait.task.run();
            }
        }
    }

    private void stalled(CreditWait wait) {
        if (waiting.compareAndSet(wait, null)) {
            close(CloseReason.SLOW_CONSUMER, "the client took no events for " + CREDIT_STALL_TIMEOUT.toSeconds()
                    + " s while catching up");
        }
    }

    @Override
    public void moved(String detail) {
        close(CloseReason.NOT_OWNER, detail);
    }

    @Override
    public void coupleClosed(String detail) {
        close(CloseReason.COUPLE_CLOSED, detail);
    }

    private void send(PayloadKind payloadKind, byte[] payload) {
        connection.write(RelayFrameCodec.dataFrame(streamId, payloadKind, payload, RelayFrameCodec.NO_RETRY_AFTER));
    }

    /** Ends the stream from this side, telling the presentation server why. */
    void close(CloseReason reason, String detail) {
        if (open.compareAndSet(true, false)) {
            connection.write(RelayFrameCodec.toFrame(RelayFrame.close(connection.routingHint(
                    new CloseStream(streamId, reason).setDetail(detail), caller))));
            connection.forget(this);
            ended();
        }
    }

    /** The presentation side closed the stream, or the connection died. */
    void closedByPeer() {
        open.set(false);
        ended();
    }

    private void ended() {
        CreditWait wait = waiting.getAndSet(null);
        if (wait != null) {
            wait.cancel();
        }
        detachFromCouple();
    }

    private void detachFromCouple() {
        CoupleActor actor = couple;
        if (actor != null) {
            actor.detach(this);
        }
    }

    @Override
    public String toString() {
        return "stream " + streamId + " (" + kind + ", " + caller + ")";
    }

    /** A replay waiting for credit, and its stall timer. */
    private static final class CreditWait {
        final Runnable task;
        volatile ScheduledFuture<?> stallCheck;

        CreditWait(Runnable task) {
            this.task = task;
        }

        void cancel() {
            ScheduledFuture<?> check = stallCheck;
            if (check != null) {
                check.cancel(false);
            }
        }
    }
}
