package io.duet.protocol.frame;

import io.netty.handler.codec.CorruptedFrameException;

/**
 * A frame that breaks the format or a limit. The connection it came on can no longer be trusted to be
 * in sync, so the decoder discards everything after it and the owner of the pipeline closes the
 * connection, after telling the peer why where the protocol allows.
 *
 * <p>It extends Netty's {@link CorruptedFrameException} so that {@code ByteToMessageDecoder} passes it
 * to {@code exceptionCaught} as it is, not wrapped.
 */
public abstract class FrameException extends CorruptedFrameException {
    private static final long serialVersionUID = 1L;

    protected FrameException(String message) {
        super(message);
    }

    protected FrameException(String message, Throwable cause) {
        super(message, cause);
    }
}
