package io.duet.protocol.frame;

/** A frame with an impossible length, an unknown type or unknown flag bits. */
public final class MalformedFrameException extends FrameException {
    private static final long serialVersionUID = 1L;

    public MalformedFrameException(String message) {
        super(message);
    }
}
