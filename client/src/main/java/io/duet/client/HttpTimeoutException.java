package io.duet.client;

import java.time.Duration;
import org.apache.thrift.transport.TTransportException;

/**
 * A {@link DuetHttp} call that ran out of one of its {@link HttpTimeouts}: it could not connect in time, or
 * the server did not answer in time. Whether the server acted on the call is unknown: retry only calls that
 * are safe to repeat (those that name a client id, such as a send's client message id).
 */
public final class HttpTimeoutException extends TTransportException {
    private static final long serialVersionUID = 1L;

    private final boolean connecting;
    private final Duration timeout;

    HttpTimeoutException(String url, boolean connecting, Duration timeout, Throwable cause) {
        super(TIMED_OUT, "POST " + url + ": " + (connecting ? "could not connect within the connect timeout ("
                : "no answer within the read timeout (") + timeout.toMillis() + " ms)", cause);
        this.connecting = connecting;
        this.timeout = timeout;
    }

    /** True if the call could not connect in time; false if it connected and then waited too long for an answer. */
    public boolean connecting() {
        return connecting;
    }

    /** The timeout it ran out of. */
    public Duration timeout() {
        return timeout;
    }
}
