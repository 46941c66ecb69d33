package io.duet.presentation.relay;

import io.duet.protocol.relay.CloseReason;
import io.duet.protocol.relay.CloseStream;
import io.duet.protocol.relay.PayloadKind;
import io.duet.protocol.relay.StreamData;

/** Receives what an application server sends on one stream; called on the stream's event loop. */
public interface StreamListener {
    void onPayload(PayloadKind kind, byte[] payload);

    /** A DATA frame of the stream; listeners that need more than its payload override this. */
    default void onData(StreamData data) {
        onPayload(data.getKind(), data.getPayload());
    }

    /**
     * The stream ended: {@code close} is the application server's, or says {@link CloseReason#SHUTTING_DOWN}
     * (with no shard map epoch) when the relay link itself was lost, or retired because its server left the
     * cluster (a session's stream at once, a call's if unanswered at the link's deadline, a stream opened on it
     * afterwards unsent); then {@link RelayStream#mayHaveReachedServer()} tells whether anything of the stream
     * was sent before.
     */
    void onClosed(CloseStream close);

    /**
     * The stream's relay link stopped (false) or started again (true) taking writes without buffering
     * past its high-water mark: a listener that feeds the stream should stop or start producing.
     */
    default void onWritabilityChanged(boolean writable) {
    }
}
