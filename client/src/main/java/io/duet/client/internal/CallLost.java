package io.duet.client.internal;

import io.duet.client.DuetClientException;

/**
 * A call that got no answer because its connection was gone, lost or moved away: {@link #written} says
 * whether it had been written, that is whether the server may have carried it out.
 */
final class CallLost extends DuetClientException {
    private static final long serialVersionUID = 1L;

    final boolean written;

    CallLost(String message, boolean written) {
        super(message);
        this.written = written;
    }
}
