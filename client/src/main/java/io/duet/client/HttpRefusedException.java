package io.duet.client;

import org.apache.thrift.transport.TTransportException;

/**
 * An HTTP call the server refused for now with 429 (a rate limit) or 503 (no application server could take it),
 * and how long it asked the client to wait first ({@code Retry-After}).
 */
public final class HttpRefusedException extends TTransportException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final long retryAfterMillis;

    HttpRefusedException(int status, long retryAfterMillis, TTransportException cause) {
        super(cause.getType(), "HTTP " + status + (retryAfterMillis >= 0 ? ", retry after " + retryAfterMillis + " ms" : ""),
                cause);
        this.status = status;
        this.retryAfterMillis = retryAfterMillis;
    }

    /** 429 or 503. */
    public int status() {
        return status;
    }

    /** What the server's {@code Retry-After} asked for, in milliseconds; -1 without a readable one. */
    public long retryAfterMillis() {
        return retryAfterMillis;
    }
}
