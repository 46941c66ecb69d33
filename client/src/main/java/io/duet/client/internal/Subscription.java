package io.duet.client.internal;

import io.duet.protocol.api.ChatService;
import io.duet.protocol.api.SubscribeRequest;
import io.duet.protocol.api.SubscribeResult;
import io.duet.protocol.api.commonConstants;
import io.netty.channel.EventLoop;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The session's subscription: subscribes after the last message and change handed to the listener (rewound to
 * those it handled after it threw, see {@link Delivery#beforeSubscribe()}), and counts the subscribes so
 * that the outcome of one superseded (by a newer subscribe, a session move or a planned reconnect) is
 * ignored. A subscribe the server refuses for now ({@link ServerRefusals}: the couple is moving between
 * servers, or busy) is asked again on the same connection after the delay the server names, for up to
 * {@link #REFUSED_FOR_AT_MOST_MILLIS}; any other failure, or refusals past that, end the connection, and
 * {@link SessionLifecycle} reconnects. The subscribe result says whether the session's calls may be named by
 * their method ids, and sends carry their ids as bytes, until it is superseded ({@link SessionTransport#serverTakes}).
 *
 * <p>Confined to the session's event loop. Time is the loop's ({@link EventLoop#ticker()}).
 */
final class Subscription {
    private static final Logger LOG = LoggerFactory.getLogger(Subscription.class);
    /** How long a subscribe refused for now is asked again before the connection is given up. */
    static final long REFUSED_FOR_AT_MOST_MILLIS = 10_000;
    /** The delay before asking again when a refusal names none. */
    private static final long DEFAULT_RETRY_AFTER_MILLIS = 250;

    private final EventLoop loop;
    private final SessionTransport transport;
    private final Delivery delivery;
    private final BiConsumer<Long, SubscribeResult> subscribed;
    /** Counts subscribes and supersessions: only the outcome of the latest subscribe counts. */
    private int generation;
    /** When the current run of refusals began ({@link #nanoTime()}); meaningful while {@link #refused}. */
    private long refusedSinceNanos;
    private boolean refused;

    /**
     * @param subscribed told the sequence number subscribed after and the outcome of each subscribe that
     *     succeeded and was not superseded
     */
    Subscription(EventLoop loop, SessionTransport transport, Delivery delivery,
            BiConsumer<Long, SubscribeResult> subscribed) {
        this.loop = loop;
        this.transport = transport;
        this.delivery = delivery;
        this.subscribed = subscribed;
    }

    /** Subscribes after the last message delivered; supersedes any subscribe before. */
    void subscribe() {
        refused = false;
        send();
    }

    /** From now on, the outcome of the subscribe in flight, and any retry it scheduled, are ignored. */
    void supersede() {
        generation++;
        refused = false;
        // A move or a reconnect: the next server may be an older one; its subscribe result says.
        transport.serverTakes(null);
    }

    private void send() {
        delivery.beforeSubscribe();
        long from = delivery.deliveredSeq();
        int sentIn = ++generation;
        transport.<SubscribeResult>call(commonConstants.CHAT_SERVICE, "subscribe",
                new ChatService.subscribe_args(new SubscribeRequest(from).setNoEcho(true)
                        .setAfterChange(delivery.deliveredChange())),
                new ChatService.subscribe_result())
                .whenComplete((result, failure) -> {
                    if (sentIn != generation) {
                        return;
                    }
                    if (failure == null) {
                        refused = false;
                        transport.serverTakes(result);
                        subscribed.accept(from, result);
                    } else if (ServerRefusals.isForNow(failure) && stillRetrying()) {
                        long retryAfter = ServerRefusals.retryAfterMillis(failure, DEFAULT_RETRY_AFTER_MILLIS);
                        LOG.debug("Subscribe refused for now ({}); asking again in {} ms", failure, retryAfter);
                        loop.schedule(() -> {
                            if (sentIn == generation) {
                                send();
                            }
                        }, retryAfter, TimeUnit.MILLISECONDS);
                    } else {
                        LOG.debug("Subscribe failed: {}", failure.toString());
                        refused = false;
                        transport.closeChannel();
                    }
                });
    }

    /** Counts a refusal; whether the run of refusals it belongs to is still short enough to retry. */
    private boolean stillRetrying() {
        long now = nanoTime();
        if (!refused) {
            refused = true;
            refusedSinceNanos = now;
        }
        return now - refusedSinceNanos < TimeUnit.MILLISECONDS.toNanos(REFUSED_FOR_AT_MOST_MILLIS);
    }

    private long nanoTime() {
        return loop.ticker().nanoTime();
    }
}
