package io.duet.protocol.frame;

/** A frame flagged as snappy-compressed whose body is not a valid snappy block. */
public final class BadCompressionException extends FrameException {
    private static final long serialVersionUID = 1L;

    public BadCompressionException(String message) {
        super(message);
    }

    public BadCompressionException(String message, Throwable cause) {
        super(message, cause);
    }
}
