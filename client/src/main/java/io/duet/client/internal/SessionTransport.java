package io.duet.client.internal;

import io.duet.client.DuetClientException;
import io.duet.protocol.api.SubscribeResult;
import io.duet.protocol.frame.Frame;
import io.duet.protocol.frame.FrameType;
import io.duet.protocol.thrift.MalformedPayloadException;
import io.duet.protocol.thrift.MethodIds;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.apache.thrift.TBase;

/**
 * The session's current connection and the calls made over it: the channel the session authenticated
 * on (none while connecting or after it was lost), the {@link CallTracker} that matches replies to
 * calls, and each call's timeout. It knows nothing of what the calls are for: sending belongs to
 * {@link SendPipeline}, subscribing to {@link ClientSession}.
 *
 * <p>Confined to the session's event loop, like everything the session holds: every method runs there,
 * and every call's future completes there (reply, timeout or {@link #failAll}).
 */
final class SessionTransport {
    private final EventLoop loop;
    private final Duration callTimeout;
    private Channel channel;
    private CallTracker calls = new CallTracker();
    private boolean clientMessageIdBytes;

    SessionTransport(EventLoop loop, Duration callTimeout) {
        this.loop = loop;
        this.callTimeout = callTimeout;
    }

    /** How long a call waits for its reply. */
    Duration callTimeout() {
        return callTimeout;
    }

    /** A new connection is being made: its calls are tracked afresh. */
    void newCallTracker() {
        calls = new CallTracker();
    }

    /**
     * What the couple's server takes, as the current route's subscribe result says (method ids, client message
     * ids as bytes); null for nothing, after a move or a reconnect, until the next subscribe result.
     */
    void serverTakes(SubscribeResult subscribed) {
        calls.useMethodIds(subscribed != null && MethodIds.takenAt(subscribed.getMethodIdsVersion()));
        clientMessageIdBytes = subscribed != null && subscribed.isTakesClientMessageIdBytes();
    }

    /** Whether sends may carry their client message id as bytes ({@code SendMessageRequest.clientMessageIdBytes}). */
    boolean takesClientMessageIdBytes() {
        return clientMessageIdBytes;
    }

    /** The connection is up and about to authenticate; calls go over it from now on. */
    void attach(Channel ch) {
        channel = ch;
    }

    /** The connection is gone; calls fail at once until the next one is attached. */
    void detach() {
        channel = null;
    }

    /** Closes the connection, if there is one; the session hears of it through the handler. */
    void closeChannel() {
        if (channel != null) {
            channel.close();
        }
    }

    /** Closes the connection, if there is one, and runs {@code then} once it is closed (at once if none). */
    void closeChannel(Runnable then) {
        if (channel != null) {
            channel.close().addListener(f -> then.run());
        } else {
            then.run();
        }
    }

    /** Whether a connection is attached and open, so that a call would be written now. */
    boolean connected() {
        return channel != null && channel.isActive();
    }

    /** A call over the session; fails at once ({@link CallLost}, not written) when not connected. */
    <R> CompletableFuture<R> call(String service, String method, TBase<?, ?> args, TBase<?, ?> emptyResult) {
        CompletableFuture<R> future = new CompletableFuture<>();
        if (!connected()) {
            future.completeExceptionally(new CallLost(method + ": not connected", false));
            return future;
        }
        byte[] call = calls.call(service, method, args, emptyResult, future);
        ScheduledFuture<?> timeout = loop.schedule(() -> future.completeExceptionally(
                new DuetClientException(method + ": no reply within " + callTimeout.toMillis() + " ms")),
                callTimeout.toMillis(), TimeUnit.MILLISECONDS);
        future.whenComplete((ignored, failure) -> timeout.cancel(false));
        channel.writeAndFlush(Frame.of(FrameType.CALL, call));
        return future;
    }

    /** Whether calls made over the current connection still wait for their replies. */
    boolean callsInFlight() {
        return calls.inFlight() > 0;
    }

    void onReply(byte[] reply) throws MalformedPayloadException {
        calls.onReply(reply);
    }

    /** Fails every call still waiting for its reply (their callbacks run now, on the loop). */
    void failAll(String why) {
        calls.failAll(why);
    }
}
