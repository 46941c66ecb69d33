package io.duet.presentation.relay;

import io.duet.protocol.relay.Revocation;
import java.util.List;

/**
 * Where events addressed to users (not to a stream) are delivered, and revocations applied: the
 * sessions on this server.
 */
public interface UserEvents {
    void deliver(List<Long> userIds, byte[] event);

    /** Refuses the tokens {@code revocation} names from now on, and ends the sessions that use one. */
    void revoke(Revocation revocation);
}
