package io.duet.client;

import io.duet.client.internal.EventCallbacks;
import io.duet.protocol.api.DuetError;
import io.duet.protocol.api.ErrorCode;
import io.duet.protocol.api.Event;
import io.duet.protocol.api.FeedPage;
import io.duet.protocol.api.PollEventsRequest;
import io.duet.protocol.api.SessionErrorCode;
import java.util.Objects;
import java.util.function.Supplier;
import org.apache.thrift.TException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows a couple over HTTP ({@code FeedService.pollEvents}, a long poll): hands every event to a {@link
 * DuetListener}, the one a {@link DuetClient} uses over TCP, on this feed's one thread, in the order they
 * happened, each once. Made by {@link DuetHttp#follow}; {@link #close()} stops it.
 *
 * <p>The feed keeps the poll's cursors: the last message seen ({@link #afterSeq()}, where it starts), the
 * last message change applied ({@link #afterChange()}), and where it is in the server's memory of recent
 * events. Save the first two to resume later without missing messages or edits. When the server says
 * memory-only events may have been missed (the feed fell behind, or the couple moved to another server),
 * the listener's {@link DuetListener#onEventsLost()} is called.
 *
 * <p>Failures for now (the network, a server that is busy or moving, a rate limit) are retried after a
 * pause: what the server asked for (a {@code DuetError}'s retryAfterMillis, or the {@code Retry-After} of an
 * HTTP 429 or 503), at most {@link #MAX_PAUSE_MILLIS}; else 1 s doubling up to that; reported as {@link
 * DuetListener#onConnectionChanged} DISCONNECTED, then CONNECTED once a poll succeeds. The feed stops (state
 * CLOSED) on an invalid or expired token ({@link DuetListener#onSessionRejected} TOKEN_INVALID) and on a
 * closed couple (COUPLE_CLOSED): refresh the session and follow again.
 */
public final class DuetFeed implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DuetFeed.class);
    /** How long each poll waits for an event (the server caps it, 25 s by default). */
    public static final int WAIT_MILLIS = 20_000;
    /** The longest pause between polls, whatever a server asks for. */
    public static final long MAX_PAUSE_MILLIS = 30_000;

    /** One poll: how the feed calls the server (DuetHttp#pollEvents; a test may stand in). */
    interface Poller {
        FeedPage poll(String token, PollEventsRequest request) throws TException;
    }

    private final Poller poller;
    private final Supplier<String> token;
    private final DuetListener listener;
    private final boolean noEcho;
    private final Thread thread;
    private volatile boolean closed;
    private volatile long afterSeq;
    private volatile long afterChange;
    private Long stream;
    private long afterEvent;

    DuetFeed(Poller poller, Supplier<String> token, long afterSeq, Long afterChange, boolean noEcho,
            DuetListener listener) {
        this.poller = poller;
        this.token = Objects.requireNonNull(token, "token");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.noEcho = noEcho;
        this.afterSeq = afterSeq;
        this.afterChange = afterChange == null ? -1 : afterChange;
        this.thread = new Thread(this::run, "duet-feed");
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** The last message sequence number delivered (or skipped as missing): resume from it. */
    public long afterSeq() {
        return afterSeq;
    }

    /** The last message change number applied; -1 before the first poll returned, when none was given. */
    public long afterChange() {
        return afterChange;
    }

    private void run() {
        long pause = 0;
        ConnectionState reported = null;
        while (!closed) {
            try {
                FeedPage page = poller.poll(token.get(), request());
                reported = report(reported, ConnectionState.CONNECTED, "following over HTTP");
                if (deliver(page)) {
                    pause = 0;
                    continue;
                }
                pause = pause(0, pause); // the listener threw: the same events again, after a pause
            } catch (DuetError e) {
                if (e.getCode() == ErrorCode.UNAUTHENTICATED) {
                    stop(SessionErrorCode.TOKEN_INVALID, e.getMessage());
                    return;
                }
                if (e.getCode() == ErrorCode.NOT_PAIRED || e.getCode() == ErrorCode.PERMISSION_DENIED) {
                    stop(SessionErrorCode.COUPLE_CLOSED, e.getMessage());
                    return;
                }
                pause = pause(e.isSetRetryAfterMillis() ? e.getRetryAfterMillis() : 0, pause);
                reported = report(reported, ConnectionState.DISCONNECTED, e.getCode() + ": " + e.getMessage());
            } catch (TException | RuntimeException e) {
                pause = pause(e instanceof HttpRefusedException ? ((HttpRefusedException) e).retryAfterMillis() : 0, pause);
                reported = report(reported, ConnectionState.DISCONNECTED, e.toString());
            }
            try {
                Thread.sleep(pause);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private PollEventsRequest request() {
        PollEventsRequest request = new PollEventsRequest().setAfterSeq(afterSeq).setWaitMillis(WAIT_MILLIS)
                .setNoEcho(noEcho);
        if (afterChange >= 0) {
            request.setAfterChange(afterChange);
        }
        if (stream != null) {
            request.setStream(stream).setAfterEvent(afterEvent);
        }
        return request;
    }

    /**
     * Hands the page's events to the listener, then takes its cursors; if the listener throws, stops there and
     * keeps the cursors it had, so that the next poll returns the events from that page again (those the
     * listener had handled too: it takes events idempotently, {@link DuetListener}).
     *
     * @return whether the listener took every event
     */
    boolean deliver(FeedPage page) {
        try {
            if (page.isEventsLost()) {
                listener.onEventsLost();
            }
            for (Event event : page.getEvents()) {
                if (closed) {
                    return true;
                }
                deliver(event);
            }
        } catch (RuntimeException e) {
            LOG.warn("Listener failed; its events come again with the next poll", e);
            return false;
        }
        afterSeq = page.getAfterSeq();
        afterChange = page.getAfterChange();
        stream = page.getStream();
        afterEvent = page.getAfterEvent();
        return true;
    }

    private void deliver(Event event) {
        if (event.isSetMessage()) {
            listener.onMessage(event.getMessage().getMessage());
        } else if (event.isSetMessageChanged()) {
            listener.onMessageChanged(event.getMessageChanged().getMessage());
        } else if (event.isSetMessagesMissing()) {
            listener.onMessagesMissing(event.getMessagesMissing().getFromSeq(), event.getMessagesMissing().getToSeq());
        } else if (event.isSetMessageChangesLost()) {
            listener.onMessageChangesLost();
        } else {
            EventCallbacks.deliver(event, listener);
        }
    }

    /** The pause before the next poll: what the server asked for, else the previous one's double; bounded. */
    static long pause(long retryAfterMillis, long previous) {
        return Math.min(MAX_PAUSE_MILLIS, retryAfterMillis > 0 ? retryAfterMillis : previous == 0 ? 1000 : previous * 2);
    }

    /** Tells the listener of a new state; the state told. */
    private ConnectionState report(ConnectionState reported, ConnectionState now, String detail) {
        if (reported != now && !closed) {
            listener.onConnectionChanged(now, detail);
        }
        return now;
    }

    private void stop(SessionErrorCode code, String message) {
        closed = true;
        listener.onSessionRejected(code, message);
        listener.onConnectionChanged(ConnectionState.CLOSED, message);
    }

    /** Stops following: no callback starts after this returns (a poll under way is left to end). */
    @Override
    public void close() {
        closed = true;
        thread.interrupt();
    }
}
