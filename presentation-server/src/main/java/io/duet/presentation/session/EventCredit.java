package io.duet.presentation.session;

import io.micrometer.core.instrument.Timer;
import io.netty.channel.ChannelFutureListener;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;

/**
 * Gives a flow-controlled session stream its credit back as the client takes its events (see {@code
 * StreamCredit} in relay.thrift). The stream opens with {@code window} bytes of credit; each EVENT
 * written to the client returns its payload's size once the write is done, that is once the bytes have
 * left for the client's socket, so the application server can have at most about a window of events
 * waiting here for a slow client. Returns are batched into grants of a quarter of the window; at most
 * that little stays unreturned once everything is written, so a replay never stalls on a client that
 * keeps up. The same listener times the event's way from the relay link to the client's socket (the
 * fan-out lag), so that an event costs one listener and a session keeps nothing for it. One per stream,
 * used on the session's event loop.
 */
final class EventCredit {
    private final LongConsumer grant;
    private final long batch;
    private long unreturned;

    /** @param grant sends a grant of that many bytes to the application server */
    EventCredit(int window, LongConsumer grant) {
        if (window < 1) {
            throw new IllegalArgumentException("window: " + window + " (expected: >= 1)");
        }
        this.grant = grant;
        this.batch = Math.max(1, window / 4);
    }

    /**
     * A listener for the write of an event of {@code bytes}, read off the relay link now: once written,
     * they come back as credit, and {@code fanOutLag} records the time from now to then (the fan-out lag's
     * stage relay-to-client, {@link io.duet.process.metrics.FanOutLag}). One object per event, none kept.
     */
    ChannelFutureListener returnWhenWritten(int bytes, Timer fanOutLag) {
        long readNanos = System.nanoTime();
        return write -> {
            if (write.isSuccess()) {
                fanOutLag.record(System.nanoTime() - readNanos, TimeUnit.NANOSECONDS);
                written(bytes);
            }
        };
    }

    void written(int bytes) {
        unreturned += bytes;
        if (unreturned >= batch) {
            long returned = unreturned;
            unreturned = 0;
            grant.accept(returned);
        }
    }
}
