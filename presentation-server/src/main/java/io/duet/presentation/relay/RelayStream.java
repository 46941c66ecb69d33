package io.duet.presentation.relay;

import io.duet.protocol.relay.CloseReason;
import io.duet.protocol.relay.CloseStream;
import io.duet.protocol.relay.RelayFrame;
import io.duet.protocol.relay.RelayLinkFraming;

/** A stream opened on a {@link RelayLink}; use it on the link's event loop. */
public final class RelayStream {
    private final RelayLink link;
    private final long streamId;
    private boolean open = true;
    /** Closed by a link that never connected, or was down when the stream opened: nothing was sent. */
    private boolean neverSent;

    RelayStream(RelayLink link, long streamId) {
        this.link = link;
        this.streamId = streamId;
    }

    public long streamId() {
        return streamId;
    }

    /** The application server this stream goes to. */
    public String serverId() {
        return link.serverId();
    }

    public boolean isOpen() {
        return open;
    }

    /** Whether the stream's link takes writes without buffering past its high-water mark. */
    public boolean isWritable() {
        return link.isWritable();
    }

    public void sendCall(byte[] call) {
        if (open) {
            link.write(RelayLinkFraming.callFrame(streamId, call));
        }
    }

    /**
     * Tells the application server that the client took {@code bytes} more of this stream's events (see
     * {@code StreamCredit} in relay.thrift); ignored by application servers without flow control.
     */
    public void grantCredit(long bytes) {
        if (open && bytes > 0) {
            link.grant(streamId, bytes);
        }
    }

    /**
     * Tells the application server that the session's client has been silent for {@code silentMillis},
     * past its ping interval and a grace, or with 0 that it was heard from again (see {@code
     * clientSilentMillis} in relay.thrift): a quiet session does not count as a connected device for pushes.
     */
    public void clientSilence(long silentMillis) {
        if (open) {
            link.clientSilence(streamId, Math.max(0, silentMillis));
        }
    }

    /** Ends the stream from this side. */
    public void close(CloseReason reason) {
        if (open) {
            open = false;
            link.forget(streamId);
            link.write(RelayFrame.close(new CloseStream(streamId, reason)));
        }
    }

    /**
     * Whether the application server may have received this stream's frames: false once it is known that
     * none left this server (its relay link never came up, or was already down or retired when the stream
     * opened), so that a call on it surely did not run and may be sent elsewhere.
     */
    public boolean mayHaveReachedServer() {
        return !neverSent;
    }

    void closedByServer() {
        open = false;
    }

    /** Closed without any of its frames having been sent (see {@link #mayHaveReachedServer()}). */
    void closedUnsent() {
        open = false;
        neverSent = true;
    }
}
