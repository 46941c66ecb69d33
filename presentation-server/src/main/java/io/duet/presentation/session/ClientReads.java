package io.duet.presentation.session;

import io.netty.channel.Channel;

/**
 * Backpressure from a session to its client: the client's socket is not read while the session has
 * {@code maxCallsInFlight} calls relayed without a reply, or while the relay link its calls go over
 * cannot take more. TCP then pushes back on the client. On the session's event loop only.
 */
final class ClientReads {
    private final Channel channel;
    private final int maxCallsInFlight;
    private int callsInFlight;
    private boolean relayBackedUp;

    ClientReads(Channel channel, int maxCallsInFlight) {
        if (maxCallsInFlight < 1) {
            throw new IllegalArgumentException("maxCallsInFlight: " + maxCallsInFlight + " (expected: >= 1)");
        }
        this.channel = channel;
        this.maxCallsInFlight = maxCallsInFlight;
    }

    /** A call went to the application server (or waits to). */
    void callSent() {
        callsInFlight++;
        update();
    }

    /** {@code calls} calls were answered, or will never be (their stream ended). */
    void callsSettled(int calls) {
        callsInFlight = Math.max(0, callsInFlight - calls);
        update();
    }

    /** Whether the relay link of the session's stream takes more writes. */
    void relayWritable(boolean writable) {
        relayBackedUp = !writable;
        update();
    }

    int callsInFlight() {
        return callsInFlight;
    }

    boolean reading() {
        return channel.config().isAutoRead();
    }

    private void update() {
        boolean read = callsInFlight < maxCallsInFlight && !relayBackedUp;
        if (channel.config().isAutoRead() != read) {
            channel.config().setAutoRead(read);
        }
    }
}
