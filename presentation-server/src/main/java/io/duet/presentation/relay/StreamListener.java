package io.duet.presentation.relay;

import io.duet.protocol.relay.CloseReason;
import io.duet.protocol.relay.PayloadKind;

/** Receives what an application server sends on one stream; called on the stream's event loop. */
public interface StreamListener {
    void onPayload(PayloadKind kind, byte[] payload);

    /**
     * The stream ended. {@code reason} is the application server's, or {@link CloseReason#SHUTTING_DOWN}
     * when the relay link itself was lost; {@code shardMapEpoch} is the newest shard map epoch the
     * application server had seen then, or 0 when it did not say.
     */
    void onClosed(CloseReason reason, String detail, long shardMapEpoch);
}
