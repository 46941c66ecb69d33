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
import io.duet.protocol.relay.StreamData;
import io.duet.protocol.relay.StreamKind;
import io.duet.protocol.relay.WireProtocol;
import io.netty.channel.Channel;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One stream of a relay connection, seen from the application server: a client session (events can be
 * pushed to it) or an HTTP request (one reply ends it). Thread-safe: actors and the dispatcher write to
 * it from their own threads; Netty orders the writes.
 */
final class AppStream implements SessionStream, ServiceDispatcher.Replier {
    private final Channel channel;
    private final long streamId;
    private final StreamKind kind;
    private final Caller caller;
    private final String service;
    private final WireProtocol protocol;
    private final RelayConnectionHandler connection;
    private final AtomicBoolean open = new AtomicBoolean(true);
    private volatile CoupleActor couple;

    AppStream(Channel channel, long streamId, StreamKind kind, Caller caller, String service, WireProtocol protocol,
            RelayConnectionHandler connection) {
        this.channel = channel;
        this.streamId = streamId;
        this.kind = kind;
        this.caller = caller;
        this.service = service;
        this.protocol = protocol;
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
        if (!open.get()) {
            return;
        }
        send(PayloadKind.REPLY, message);
        if (kind == StreamKind.REQUEST && open.compareAndSet(true, false)) {
            connection.forget(this);
        }
    }

    @Override
    public void protocolError(String detail) {
        close(CloseReason.PROTOCOL_ERROR, detail);
    }

    @Override
    public void pushEvent(byte[] event) {
        if (open.get()) {
            send(PayloadKind.EVENT, event);
        }
    }

    @Override
    public void moved(String detail) {
        close(CloseReason.NOT_OWNER, detail);
    }

    private void send(PayloadKind payloadKind, byte[] payload) {
        channel.writeAndFlush(RelayFrameCodec.toFrame(RelayFrame.data(
                new StreamData(streamId, payloadKind, ByteBuffer.wrap(payload)))), channel.voidPromise());
    }

    /** Ends the stream from this side, telling the presentation server why. */
    void close(CloseReason reason, String detail) {
        if (open.compareAndSet(true, false)) {
            channel.writeAndFlush(RelayFrameCodec.toFrame(RelayFrame.close(
                    new CloseStream(streamId, reason).setDetail(detail))), channel.voidPromise());
            connection.forget(this);
            detachFromCouple();
        }
    }

    /** The presentation side closed the stream, or the connection died. */
    void closedByPeer() {
        open.set(false);
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
}
