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
            String refreshToken, long lastSeq, DuetListener listener, Duration callTimeout, Duration minBackoff,
            Duration maxBackoff) {
        this.loop = loop;
        this.transport = new SessionTransport(loop, callTimeout);
        this.lifecycle = new SessionLifecycle(server, tls, loop, token, refreshToken, lastSeq, new ListenerCallbacks(callbacks, listener),
                transport, minBackoff, maxBackoff);
    }

    /** Starts connecting; completes when the first session is up (authenticated and subscribed). */
    public CompletableFuture<Void> start() {
        return lifecycle.start();
    }

    public long lastSeq() {
        return lifecycle.delivery().lastSeq();
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

    /** Runs a call on the loop, from any thread, when connected. */
    public <R> CompletableFuture<R> callWhenConnected(String service, String method, TBase<?, ?> args,
            TBase<?, ?> emptyResult) {
        CompletableFuture<R> result = new CompletableFuture<>();
        loop.execute(() -> {
            ConnectionState state = lifecycle.state();
            if (state != ConnectionState.CONNECTED) {
                result.completeExceptionally(new DuetClientException(method + ": not connected (" + state + ")"));
                return;
            }
            transport.<R>call(service, method, args, emptyResult).whenComplete((value, failure) -> {
                if (failure != null) {
                    result.completeExceptionally(failure);
                } else {
                    result.complete(value);
                }
            });
        });
        return result;
    }

    public CompletableFuture<SetTypingResult> setTyping(boolean typing) {
        return callWhenConnected(commonConstants.CHAT_SERVICE, "setTyping",
                new ChatService.setTyping_args(new SetTypingRequest(typing)), new ChatService.setTyping_result());
    }

    public CompletableFuture<HistoryPage> fetchHistory(long afterSeq, int limit) {
        return callWhenConnected(commonConstants.CHAT_SERVICE, "fetchHistory",
                new ChatService.fetchHistory_args(new FetchHistoryRequest(afterSeq, limit)),
                new ChatService.fetchHistory_result());
    }
}
