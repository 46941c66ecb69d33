package io.duet.protocol.thrift;

/**
 * Bytes that are not a valid Thrift payload of the expected type, or that break a
 * {@link ThriftLimits} limit. The message says which, without echoing the payload.
 */
public final class MalformedPayloadException extends Exception {
    private static final long serialVersionUID = 1L;

    public MalformedPayloadException(String message, Throwable cause) {
        super(message, cause);
    }

    public MalformedPayloadException(String message) {
        super(message);
    }
}
