package io.duet.presentation.relay;

import java.util.List;

/** Where events addressed to users (not to a stream) are delivered: the sessions on this server. */
public interface UserEvents {
    void deliver(List<Long> userIds, byte[] event);
}
