package io.duet.client.internal;

import io.duet.client.ConnectionState;
import io.duet.client.DuetClientException;
import io.duet.client.DuetListener;
import io.duet.client.DuetTls;
import io.duet.client.TlsHandshakes;
import io.duet.protocol.api.ChatService;
import io.duet.protocol.api.FetchHistoryRequest;
import io.duet.protocol.api.HistoryPage;
import io.duet.protocol.api.SendMessageResult;
import io.duet.protocol.api.SetTypingRequest;
import io.duet.protocol.api.SetTypingResult;
import io.duet.protocol.api.StickerRef;
import io.duet.protocol.api.commonConstants;
import io.netty.channel.EventLoop;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import org.apache.thrift.TBase;

/**
 * One client session, as {@link io.duet.client.DuetClient} sees it: the only public class of this
 * package. It connects, authenticates, subscribes from the last contiguous sequence number it
 * delivered, and, whenever the connection is lost or the server moves the session, does it all again,
 * resending every unacknowledged message with the same client id (the server stores each once).
 *
 * <p>It wires the session's parts and hands each request to the one that owns it: the connection
 * lifecycle ({@link SessionLifecycle}, with a {@link SessionHandler} per connection), the current
 * channel and its calls ({@link SessionTransport}), outgoing messages ({@link SendPipeline}) and pushed
 * events ({@link Delivery}). All of their state is confined to one event loop; the methods here may be
 * called from any thread and hop onto the loop where they touch that state.
 */
public final class ClientSession {
    private final EventLoop loop;
    private final SessionTransport transport;
    private final SessionLifecycle lifecycle;

    /**
     * @param tls null: plain TCP
     * @param refreshToken renews the access token before it expires; null: the session ends with it
     */
    public ClientSession(InetSocketAddress server, DuetTls tls, EventLoop loop, Executor callbacks, Supplier<String> token,
            String refreshToken, long lastSeq, long lastChange, DuetListener listener, Duration callTimeout,
            Duration minBackoff, Duration maxBackoff) {
        this.loop = loop;
        this.transport = new SessionTransport(loop, callTimeout);
        this.lifecycle = new SessionLifecycle(server, tls, loop, token, refreshToken, lastSeq, new ListenerCallbacks(callbacks, listener),
                transport, minBackoff, maxBackoff);
        lifecycle.delivery().startChangesAfter(lastChange);
    }

    /** Starts connecting; completes when the first session is up (authenticated and subscribed). */
    public CompletableFuture<Void> start() {
        return lifecycle.start();
    }

    public long lastSeq() {
        return lifecycle.delivery().lastSeq();
    }

    public long lastChange() {
        return lifecycle.delivery().lastChange();
    }

    public long coupleId() {
        return lifecycle.coupleId();
    }

    public TlsHandshakes tlsHandshakes() {
        return lifecycle.tlsHandshakes();
    }

    public ConnectionState state() {
        return lifecycle.state();
    }

    /** Sends not yet acknowledged and not failed. */
    public int pendingSends() {
        return lifecycle.sends().pendingCount();
    }

    /** Closes for good; unacknowledged sends fail. */
    public CompletableFuture<Void> close() {
        return lifecycle.close();
    }

    /** Queues a message; it is sent now if connected, else after the next connect, until acknowledged. */
    public CompletableFuture<SendMessageResult> send(String text) {
        return lifecycle.sends().send(text);
    }

    public CompletableFuture<SendMessageResult> sendSticker(StickerRef sticker) {
        return lifecycle.sends().sendSticker(sticker);
    }

    /** Whether a call may be asked again when the server may already have carried it out. */
    public enum Retry {
        /** Carrying it out twice is the same as once (a read, a mark, a set, a delete that finds it gone). */
        SAFE_TO_REPEAT,
        /**
         * Asked again only when the server certainly did not carry it out (refused for now, or never
         * written); lost after it was written, it fails with "outcome unknown".
         */
        AT_MOST_ONCE
    }

    /**
     * Makes a call from any thread: it waits for the session to be connected, and is asked again across
     * reconnects, session moves and refusals for now, within the call timeout ({@link RetriedCalls}).
     */
    public <R> CompletableFuture<R> call(String service, String method, TBase<?, ?> args, TBase<?, ?> emptyResult,
            Retry retry) {
        CompletableFuture<R> result = new CompletableFuture<>();
        loop.execute(() -> lifecycle.calls().call(service, method, args, emptyResult, retry, result));
        return result;
    }

    /**
     * Typing is news only now: it goes out if the session is connected, and is neither held nor asked
     * again (the next keystroke says it again).
     */
    public CompletableFuture<SetTypingResult> setTyping(boolean typing) {
        CompletableFuture<SetTypingResult> result = new CompletableFuture<>();
        loop.execute(() -> {
            ConnectionState state = lifecycle.state();
            if (state != ConnectionState.CONNECTED) {
                result.completeExceptionally(new DuetClientException("setTyping: not connected (" + state + ")"));
                return;
            }
            transport.<SetTypingResult>call(commonConstants.CHAT_SERVICE, "setTyping",
                    new ChatService.setTyping_args(new SetTypingRequest(typing)), new ChatService.setTyping_result())
                    .whenComplete((value, failure) -> {
                        if (failure != null) {
                            result.completeExceptionally(failure);
                        } else {
                            result.complete(value);
                        }
                    });
        });
        return result;
    }

    public CompletableFuture<HistoryPage> fetchHistory(long afterSeq, int limit) {
        return call(commonConstants.CHAT_SERVICE, "fetchHistory",
                new ChatService.fetchHistory_args(new FetchHistoryRequest(afterSeq, limit)),
                new ChatService.fetchHistory_result(), Retry.SAFE_TO_REPEAT);
    }
}
